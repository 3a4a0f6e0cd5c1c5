"""Reading articles from files: one reader per input format behind ``iter_articles``."""
