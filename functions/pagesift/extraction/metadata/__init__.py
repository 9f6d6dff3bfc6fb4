"""A document's metadata beyond its text: publication date, title, author, language."""
