"""The embedded engine: a Whoosh index in a directory on this machine."""
