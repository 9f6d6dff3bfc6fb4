"""The extract function: its composition root is compose.py, its Lambda entry point app.py."""
