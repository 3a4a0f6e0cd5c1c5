"""The query language: what a person types, parsed to a tree no engine appears in."""
