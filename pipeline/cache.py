"""The per-document cache: what parse and enrich made of a document, stored by what it depended on.

A rebuild after adding a few captures should parse only those. Every per-document result is a pure function of
its input (the unit's bytes, the document's rows), the code (the `pipeline` package and the libraries installed
with it) and a few settings, so a result is stored under the SHA-256 of exactly those, and found again when all
of them are the same. Changing the parser code, a library version or a relevant setting changes every key, so
nothing stale is ever read; nothing needs to be invalidated or cleaned up for a build to be correct.

Entries are files `<folder>/<namespace>/<key[:2]>/<key>`: a magic line, the SHA-256 of the payload, the payload.
They are written to a temporary file in the same folder and renamed into place (atomic on POSIX), so a reader
never sees half an entry even with two processes writing the same key. An entry that is truncated, corrupt or
unreadable is a miss (and is replaced by the fresh result), never an error. A folder that cannot be written is
one warning: the build goes on without storing, and its outputs are the same bytes.

The cache is outside DVC and git (`data/interim/cache/` by default, `execution.cache` in params.yaml): a stage's
output is byte-identical with a cold, warm or absent cache, so it is no dependency of any stage. Clearing it
(`rm -rf data/interim/cache`) is always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from pipeline.provenance import code_tree_id

T = TypeVar("T")
_CORRUPT = object()  # what a payload that does not load reads as

MAGIC = b"renda-cache 1\n"
DIGEST_BYTES = 32


@cache
def code_id() -> str:
    """What every cached result depends on besides its input and settings: the package's code (its git tree
    id, data files included), the Python version and every installed distribution's version. Computed once per
    process."""
    versions = sorted(name_and_version(dist) for dist in metadata.distributions())
    payload = "\n".join([code_tree_id(), sys.version, *versions])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_HEADER = re.compile(r"^(Name|Version):[ \t]*(.*?)[ \t\r]*$", re.MULTILINE)
_END_OF_HEADER = re.compile(r"\r?\n\r?\n")


def name_and_version(dist: metadata.Distribution) -> str:
    """`name==version` of an installed distribution (name lowercased), from its metadata's header block read
    with a regex: the same string as `dist.metadata['Name']` and `dist.version` give, without parsing every
    field of every distribution's metadata as e-mail (0.15 CPU s of each cached stage's start)."""
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    fields: dict[str, str] = {}
    for field_name, value in _HEADER.findall(_END_OF_HEADER.split(text, maxsplit=1)[0]):
        fields.setdefault(field_name, value)
    return f"{fields.get('Name', '').lower()}=={fields.get('Version')}"


def digest(*parts: bytes | str) -> str:
    """SHA-256 over `parts`, each length-prefixed, so no two different sequences of parts give the same bytes."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


@dataclass
class CacheStats:
    """What a stage's cache did, for its report: hits, misses (computed), corrupt entries replaced, and why
    nothing was stored (None when it was)."""

    hits: int = 0
    misses: int = 0
    corrupt: int = 0
    unwritable: str | None = None

    def add(self, other: CacheStats) -> None:
        self.hits += other.hits
        self.misses += other.misses
        self.corrupt += other.corrupt
        self.unwritable = self.unwritable or other.unwritable

    def as_dict(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses, "corrupt": self.corrupt}


@dataclass(frozen=True)
class Cache:
    """Entries of one namespace (a stage's per-document results) under `folder`, keyed for `context` (the code
    id and a hash of the settings the results depend on). Picklable: the executor ships it to workers."""

    folder: Path
    namespace: str
    context: str
    stats: CacheStats = field(default_factory=CacheStats, compare=False)

    def key(self, content: bytes | str, *also: bytes | str) -> str:
        """The key of a result computed from `content` (the input's exact bytes) in this context, and from
        whatever else `also` names that this one input depends on."""
        return digest(self.namespace, self.context, content, *also)

    def _path(self, key: str) -> str:
        # A string, not a Path: building and opening 20,000 Path objects was 0.6 CPU s of a +1 % rebuild's stage.
        return os.path.join(self.folder, self.namespace, key[:2], key)

    def get(self, key: str) -> bytes | None:
        """The payload stored under `key`, or None: absent, or corrupt (counted; the next `put` replaces it)."""
        try:
            with open(self._path(key), "rb") as entry:
                data = entry.read()
        except FileNotFoundError:
            return None
        except OSError:
            self.stats.corrupt += 1
            return None
        head = len(MAGIC) + DIGEST_BYTES
        payload = data[head:]
        if (
            len(data) < head
            or not data.startswith(MAGIC)
            or hashlib.sha256(payload).digest() != data[len(MAGIC) : head]
        ):
            self.stats.corrupt += 1
            return None
        return payload

    def computed(
        self, key: str, compute: Callable[[], T], valid: Callable[[object], bool] = lambda _: True
    ) -> T:
        """The result stored (pickled) under `key`, or `compute()`'s, stored there: counted as a hit or a miss. A
        payload that passed its checksum but does not load, or that `valid` refuses, is corrupt: recomputed and
        replaced."""
        payload = self.get(key)
        if payload is not None:
            try:
                found = pickle.loads(payload)
            except Exception:  # passed its checksum but does not load (a class renamed since it was written)
                found = _CORRUPT
            if found is not _CORRUPT and valid(found):
                self.stats.hits += 1
                return found  # type: ignore[no-any-return]
            self.stats.corrupt += 1
        result = compute()
        self.stats.misses += 1
        self.put(key, pickle.dumps(result, protocol=5))
        return result

    def put(self, key: str, payload: bytes) -> None:
        """Store `payload` under `key`: a temporary file renamed into place. A failure to write (permissions, a
        full disk) is remembered as the reason and stops further writes; it never stops the build."""
        if self.stats.unwritable is not None:
            return
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(MAGIC + hashlib.sha256(payload).digest() + payload)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            self.stats.unwritable = f"{error.strerror or error}"


def open_cache(folder: Path | None, namespace: str, *settings: bytes | str) -> Cache | None:
    """The cache of `namespace` under `folder` for results that depend on `settings` (serialized by the
    caller, deterministically), or None when no folder is set (caching off)."""
    if folder is None:
        return None
    return Cache(folder, namespace, digest(code_id(), *settings))


def warning(folder: Path, stats: CacheStats) -> str | None:
    """The one line a stage prints when its cache could not be written, else None."""
    if stats.unwritable is None:
        return None
    return (
        f"cache {folder}: not writable ({stats.unwritable}); results were not stored (outputs are unaffected)"
    )
