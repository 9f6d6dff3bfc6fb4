"""The repository around the code: the template, the layout and the docs' paths, the artifact check."""
