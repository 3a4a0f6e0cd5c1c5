"""The fast path of the Whoosh engine: postings read and scored as numpy arrays."""
