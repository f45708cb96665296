"""Errors that reach the user as one line naming the file and the problem."""

from __future__ import annotations


class RendaError(Exception):
    """A problem with the user's input or configuration; the CLI prints it as one line, without a traceback."""
