"""Provenance that is itself reproducible: package version and a content hash of the code.

A release cannot name the git commit that contains it (committing the release would change that commit), so it
records the git *tree* id of the `pipeline/` package, computed from the files themselves. It equals
`git rev-parse <commit>:pipeline` for every commit with that code, and it does not change when only data or
docs change, so rebuilding an unchanged checkout gives byte-identical files and an unchanged dvc.lock.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

IGNORED_NAMES = {"__pycache__"}
IGNORED_SUFFIXES = (".pyc", ".pyo")


def package_version() -> str:
    try:
        return metadata.version("renda-corpus")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _git_object(kind: str, payload: bytes) -> bytes:
    return hashlib.sha1(f"{kind} {len(payload)}\0".encode() + payload, usedforsecurity=False).digest()


def git_tree_id(directory: Path) -> str:
    """The git tree object id of `directory` as git would store it (files as 100644/100755 blobs)."""
    return _tree(directory).hex()


def _tree(directory: Path) -> bytes:
    entries: list[tuple[str, bytes]] = []
    for child in directory.iterdir():
        if child.name in IGNORED_NAMES or child.name.endswith(IGNORED_SUFFIXES):
            continue
        if child.is_dir():
            if not any(child.iterdir()):
                continue  # git does not store empty folders
            entries.append((child.name + "/", b"40000 " + child.name.encode() + b"\0" + _tree(child)))
        elif child.is_file():
            mode = b"100755" if child.stat().st_mode & 0o111 else b"100644"
            blob = _git_object("blob", child.read_bytes())
            entries.append((child.name, mode + b" " + child.name.encode() + b"\0" + blob))
    entries.sort(key=lambda entry: entry[0])
    return _git_object("tree", b"".join(entry for _, entry in entries))


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_tree_id() -> str:
    return git_tree_id(Path(__file__).parent)  # this module lives at the package's top level
