"""The raw folder as a list of entries: every name below it is accounted for, whatever it is.

A capture folder can hold more than regular files: symlinks (to files, to folders, to places outside the folder,
to nowhere, to themselves), FIFOs, sockets, device nodes and names that are not valid UTF-8. Each entry becomes
one `RawEntry`; the ones that cannot be read as a capture carry the reject they become, so ingest writes a
`sources` row and a reject for them instead of skipping them or stopping the build.

Symlinks are followed only to regular files and folders inside the raw folder (a folder symlink is walked once:
a link back to a folder already on the path is a loop). Nothing outside the raw folder, and no device or FIFO, is
ever opened: reading a FIFO would block the build forever.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.fields import FIELDS

# Entry kinds: the closed vocabulary of the `entry_kind` column of `sources`.
ENTRY_KINDS: tuple[str, ...] = FIELDS["entry_kind"].allowed or ()


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One name below the raw folder: its shown path, the path to read, its kind, and a reject if unreadable."""

    relative: str
    path: Path
    kind: str
    reason_code: str | None = None
    detail: str | None = None


def shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (surrogate-escaped by the OS layer) shown as `\\xNN`."""
    return "".join(f"\\x{ord(c) - 0xDC00:02X}" if "\udc80" <= c <= "\udcff" else c for c in name)


def _kind_of(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


def iter_raw_entries(raw_dir: Path, prefix: str = "") -> Iterator[RawEntry]:
    """Every entry below `raw_dir` (folders are walked, not listed), sorted by shown relative path.

    `prefix` ("snapshots/") is put before every relative path: the snapshot folder's files are shown as if
    they were in that folder of the raw folder."""
    root = raw_dir.resolve()
    entries: list[RawEntry] = []
    root_stat = root.stat()
    _walk(root, prefix, root, {(root_stat.st_dev, root_stat.st_ino)}, entries)
    entries.sort(key=lambda entry: entry.relative)
    yield from entries


def _inside(root: Path, target: Path) -> bool:
    return target == root or target.is_relative_to(root)


def _walk(folder: Path, prefix: str, root: Path, on_path: set[tuple[int, int]], out: list[RawEntry]) -> None:
    try:
        children = sorted(os.scandir(folder), key=lambda child: child.name)
    except OSError as error:
        out.append(
            RawEntry(
                prefix.rstrip("/") or ".", folder, "other", "unreadable", f"cannot list: {error.strerror}"
            )
        )
        return
    for child in children:
        relative = prefix + shown_name(child.name)
        path = Path(child.path)
        if relative != prefix + child.name:
            out.append(
                RawEntry(relative, path, "other", "undecodable_name", "the file name is not valid UTF-8")
            )
            continue
        try:
            own = child.stat(follow_symlinks=False)
        except OSError as error:
            out.append(RawEntry(relative, path, "other", "unreadable", f"cannot stat: {error.strerror}"))
            continue
        if stat.S_ISLNK(own.st_mode):
            _symlink(path, relative, root, on_path, out)
        elif stat.S_ISDIR(own.st_mode):
            key = (own.st_dev, own.st_ino)
            _walk(path, relative + "/", root, on_path | {key}, out)
        elif stat.S_ISREG(own.st_mode):
            out.append(RawEntry(relative, path, "file"))
        else:
            kind = _kind_of(own.st_mode)
            out.append(RawEntry(relative, path, kind, "not_regular_file", f"a {kind}, not a regular file"))


def _symlink(
    path: Path, relative: str, root: Path, on_path: set[tuple[int, int]], out: list[RawEntry]
) -> None:
    link = os.readlink(path)
    try:
        target_stat = path.stat()  # follows the link
    except OSError as error:
        if error.errno == errno.ELOOP:
            out.append(RawEntry(relative, path, "symlink", "symlink_loop", f"symlink {link!r} loops"))
        else:
            out.append(
                RawEntry(relative, path, "symlink", "broken_symlink", f"symlink {link!r}: {error.strerror}")
            )
        return
    target = path.resolve()
    if not _inside(root, target):
        out.append(
            RawEntry(
                relative,
                path,
                "symlink",
                "symlink_outside",
                f"symlink {link!r} points outside the raw folder",
            )
        )
        return
    if stat.S_ISDIR(target_stat.st_mode):
        key = (target_stat.st_dev, target_stat.st_ino)
        if key in on_path:
            out.append(
                RawEntry(
                    relative,
                    path,
                    "symlink",
                    "symlink_loop",
                    f"symlink {link!r} leads back to a folder above it",
                )
            )
            return
        _walk(path, relative + "/", root, on_path | {key}, out)
    elif stat.S_ISREG(target_stat.st_mode):
        out.append(RawEntry(relative, path, "symlink"))
    else:
        kind = _kind_of(target_stat.st_mode)
        out.append(RawEntry(relative, path, "symlink", "not_regular_file", f"symlink {link!r} to a {kind}"))
