"""The extract function: its composition root is app.py."""
