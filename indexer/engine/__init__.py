"""Search engines behind one protocol (``base``); one package per engine."""
