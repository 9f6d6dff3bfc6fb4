"""pagesift: raw web pages in, clean structured documents out."""

__version__ = "0.1.0"
