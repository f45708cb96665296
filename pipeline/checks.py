"""Checks of the paths a command is given, before it does any work: one line naming the path and the mix-up.

A file where a folder is expected (or the reverse) would otherwise surface as an error from deep inside
(`NotADirectoryError: 'x.txt/units.jsonl'`) or as a misleading "not found". Each message says what the command
takes, so the fix is in the message.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import RendaError
from pipeline.outputs import check_writable


def need_folder(path: Path, takes: str) -> None:
    """Raise unless `path` is an existing folder; `takes` says what belongs there ("renda verify takes …")."""
    shown = os.fsdecode(path)
    if path.is_file():
        raise RendaError(f"{shown}: is a file; {takes}")
    if not path.is_dir():
        raise RendaError(f"{shown}: folder not found; {takes}")


def need_file(path: Path, takes: str) -> None:
    """Raise unless `path` is an existing file."""
    shown = os.fsdecode(path)
    if path.is_dir():
        raise RendaError(f"{shown}: is a folder; {takes}")
    if not path.is_file():
        raise RendaError(f"{shown}: file not found")


def file_to_write(path: Path, option: str) -> None:
    """Raise unless `path` can be written as a file (not a folder; its folder writable)."""
    if path.is_dir():
        raise RendaError(f"{os.fsdecode(path)}: is a folder; {option} takes a file path")
    check_writable(path, option)


def folder_to_write(path: Path, option: str) -> None:
    """Raise unless files can be written into the folder `path` (not a file; it or its parent writable)."""
    shown = os.fsdecode(path)
    if path.exists() and not path.is_dir():
        raise RendaError(f"{shown}: is a file; {option} takes a folder")
    if not path.is_dir():
        check_writable(path, option)
    elif not os.access(path, os.W_OK | os.X_OK):
        raise RendaError(f"{shown}: not writable; {option} takes a folder renda can write into")
