"""Errors a command meets that are the user's to fix: each is said in one line, with what to do."""

from __future__ import annotations


class CommandError(Exception):
    """The command cannot do its job (exit 1); the message says why and what to do."""

    exit_code = 1


class UsageError(CommandError):
    """The command was called wrong (exit 2): an option or a value it does not take."""

    exit_code = 2
