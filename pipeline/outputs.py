"""Output folders that are never half-written and never someone else's.

Every folder `renda` writes (a stage's output, a release, `renda build --out`) is built in a sibling folder
`.<name>.partial` and moved into place only when complete, by one atomic exchange of the two names
(`renameat2(RENAME_EXCHANGE)` on Linux). So at every moment the target is either the previous complete output or
the new complete output: a `kill -9` can leave a stale sibling, never a release that lacks files. The next run
removes stale siblings, but only ones that carry our marker.

The marker is `.renda-output.json`: the project's signature and the list of files the program wrote, written
last. Only a folder with that marker, holding no file that is not on its list, may be replaced; a folder of
anyone else's files is refused with one line before any work, and so are `/`, the home folder, the current
folder or a parent of it, and the input folder, a parent of it or a folder inside it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import RendaError

MARKER = ".renda-output.json"
SIGNATURE = "renda-corpus output folder"
# Written first into every sibling work folder, so a stale one can be recognised as ours and removed.
PARTIAL_MARKER = ".renda-partial"
SIBLING_SUFFIXES = ("partial", "previous", "interim")
RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def sibling(target: Path, suffix: str) -> Path:
    """The work folder beside `target` for `suffix` (same filesystem, so renames are atomic)."""
    return target.parent / f".{target.name}.{suffix}"


def written_files(folder: Path) -> list[str]:
    """Every file below `folder` (POSIX relative paths, sorted), markers excluded."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if (path.is_file() or path.is_symlink())
        and path.name not in (MARKER, PARTIAL_MARKER, f"{MARKER}.partial")
    )


def read_marker(folder: Path) -> dict[str, object] | None:
    """The marker of a folder this program completed, or None."""
    path = folder / MARKER
    if not path.is_file() or path.is_symlink():
        return None
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("signature") != SIGNATURE:
        return None
    if not isinstance(marker.get("files"), list):
        return None
    return marker


def write_marker(folder: Path, kind: str) -> None:
    """Write the marker by rename, so a folder never holds a half-written (unreadable) marker."""
    marker = {"signature": SIGNATURE, "kind": kind, "files": written_files(folder)}
    partial = folder / f"{MARKER}.partial"
    partial.write_text(json.dumps(marker, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, folder / MARKER)


def remove_ours(folder: Path) -> None:
    """Delete a folder of ours so that a kill at any moment leaves it recognisable as ours: everything but its
    markers first, the markers last (`shutil.rmtree` may delete the marker first and leave an unmarked folder
    that the next run must refuse)."""
    if not folder.exists():
        return
    markers = {folder / MARKER, folder / PARTIAL_MARKER}
    for child in folder.iterdir():
        if child in markers:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for marker in markers:
        marker.unlink(missing_ok=True)
    folder.rmdir()


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def refuse_dangerous(target: Path, inputs: Iterable[Path] = (), option: str = "output") -> None:
    """Raise for a target that replacing would destroy more than an earlier output of ours."""
    resolved = target.resolve()
    shown = os.fsdecode(target)
    if resolved == Path(resolved.anchor):
        raise RendaError(f"{shown}: refusing to use the filesystem root as the {option} folder")
    home = Path.home().resolve()
    if _is_within(home, resolved):
        raise RendaError(f"{shown}: refusing to use the home folder or a parent of it as the {option} folder")
    if _is_within(Path.cwd().resolve(), resolved):
        raise RendaError(
            f"{shown}: refusing to use the current folder or a parent of it as the {option} folder; "
            "name a sub-folder"
        )
    for source in inputs:
        source_resolved = source.resolve()
        if _is_within(source_resolved, resolved) or _is_within(resolved, source_resolved):
            raise RendaError(
                f"{shown}: the {option} folder must be outside the input folder {os.fsdecode(source)} "
                "(not it, a parent of it, or inside it)"
            )
    if target.is_symlink():
        raise RendaError(f"{shown}: is a symbolic link; give the real folder as the {option} folder")
    if target.exists() and not target.is_dir():
        raise RendaError(f"{shown}: {_not_a_folder(target, option)}")


def check_replaceable(target: Path, option: str = "output") -> None:
    """Raise unless `target` is absent, empty, or a complete earlier output holding only files we wrote."""
    shown = os.fsdecode(target)
    if not target.exists():
        return
    if not target.is_dir() or target.is_symlink():
        raise RendaError(f"{shown}: {_not_a_folder(target, option)}")
    if not any(target.iterdir()):
        return
    marker = read_marker(target)
    if marker is None:
        raise RendaError(
            f"{shown}: folder is not empty and was not written by renda (no {MARKER}); "
            f"choose another {option} folder"
        )
    listed = {str(name) for name in marker["files"]}  # type: ignore[union-attr]
    foreign = [name for name in written_files(target) if name not in listed]
    if foreign:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise RendaError(
            f"{shown}: holds files renda did not write ({', '.join(foreign[:3])}{more}); "
            f"move them or choose another {option} folder"
        )


def _not_a_folder(target: Path, option: str) -> str:
    """Why a file (or other non-folder) cannot be an output folder, in the words of the option that named it."""
    what = "is a file" if target.is_file() else "exists and is not a folder"
    takes = f"{option} takes a folder" if option.startswith("-") else f"the {option} is a folder"
    return f"{what}; {takes} (a new path, or a folder renda wrote before)"


def check_writable(target: Path, option: str = "output") -> None:
    """Raise unless `target` can be written, before any work: the folder that will hold it, and, when it
    exists, the folder itself and its sub-folders (replacing an earlier output deletes its files, and a
    read-only one would otherwise fail only after every stage had run, naming a work folder)."""
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise RendaError(
            f"{os.fsdecode(parent)}: is not a folder, so {os.fsdecode(target)} cannot be written"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise RendaError(f"{os.fsdecode(parent)}: not writable, so {os.fsdecode(target)} cannot be written")
    if not target.is_dir() or target.is_symlink():
        return
    for folder in [target, *(p for p in target.rglob("*") if p.is_dir() and not p.is_symlink())]:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise RendaError(
                f"{os.fsdecode(folder)}: not writable, so {os.fsdecode(target)} cannot be replaced "
                f"(make it writable, or choose another {option} folder)"
            )


def _ours(folder: Path) -> bool:
    return (
        folder.is_dir()
        and not folder.is_symlink()
        and (
            (folder / PARTIAL_MARKER).is_file()
            or read_marker(folder) is not None
            or not any(folder.iterdir())
        )
    )


def remove_stale(target: Path, suffixes: tuple[str, ...] = ("partial", "previous")) -> None:
    """Remove work folders that a killed run of ours left beside `target`, and undo an interrupted swap."""
    previous = sibling(target, "previous")
    if not target.exists() and read_marker(previous) is not None:
        previous.rename(
            target
        )  # the fallback swap was killed between its two renames: restore the old output
    for suffix in suffixes:
        folder = sibling(target, suffix)
        if folder.is_symlink():
            raise RendaError(f"{os.fsdecode(folder)}: is a symbolic link where renda keeps its work folder")
        if not folder.exists():
            continue
        if not _ours(folder):
            raise RendaError(
                f"{os.fsdecode(folder)}: a folder renda did not write has the name of its work folder"
            )
        remove_ours(folder)


def new_work_folder(target: Path, suffix: str) -> Path:
    folder = sibling(target, suffix)
    folder.mkdir(parents=True)
    (folder / PARTIAL_MARKER).write_text("", encoding="utf-8")
    return folder


_libc: ctypes.CDLL | None = None


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two existing paths; False where the system cannot (then the caller falls back)."""
    global _libc
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), os.fsdecode(second))


def publish(partial: Path, target: Path) -> None:
    """Move a complete work folder into place; the old output is gone only once the new one is there."""
    if not target.exists():
        partial.rename(target)
        return
    if _exchange(partial, target):
        remove_ours(partial)  # now holds the old output; a kill here leaves a marked stale sibling
        return
    previous = sibling(target, "previous")
    target.rename(previous)
    partial.rename(target)
    remove_ours(previous)


@contextmanager
def atomic_output(
    target: Path, kind: str, inputs: Iterable[Path] = (), option: str = "output"
) -> Iterator[Path]:
    """Yield a fresh work folder; on success mark it and move it onto `target`, on any failure remove it."""
    inputs = list(inputs)
    refuse_dangerous(target, inputs, option)
    check_replaceable(target, option)
    check_writable(target, option)
    remove_stale(target)
    partial = new_work_folder(target, "partial")
    try:
        yield partial
        write_marker(
            partial, kind
        )  # the final marker first: at every moment the folder carries one of the two
        (partial / PARTIAL_MARKER).unlink()
        publish(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            remove_ours(partial)
        raise


def write_file_atomic(path: Path, text: str) -> None:
    """Write a single file (metrics, reports outside an output folder) by rename: complete or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
