"""Text processing that is neither ingest nor an engine's: sentence boundaries (``sentences``)."""
