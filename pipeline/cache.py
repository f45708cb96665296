"""The per-document cache: what parse and enrich made of a document, stored by what it depended on.

A rebuild after adding a few captures should parse only those. Every per-document result is a pure function of
its input (the unit's bytes, the document's rows), the code (the `pipeline` package and the libraries installed
with it) and a few settings, so a result is stored under the SHA-256 of exactly those, and found again when all
of them are the same. Changing the parser code, a library version or a relevant setting changes every key, so
nothing stale is ever read; nothing needs to be invalidated or cleaned up for a build to be correct.

Entries live in one SQLite database a namespace, `<folder>/<namespace>.sqlite` (WAL mode: readers never wait,
writers from several processes take turns): key → the SHA-256 of the payload, then the payload. A process
writes its entries in batches (`BATCH_ENTRIES`), each one transaction, and what is pending at the end of a stage
or of the process; a reader never sees half an entry, and a process killed loses at most its last batch. An
entry whose checksum fails or that does not load is a miss (and is replaced by the fresh result), never an
error; a database file that is not one (cut short, overwritten) is deleted and started anew. A folder that
cannot be written is one warning: the build goes on without storing, and its outputs are the same bytes. A file
per entry was the first design: creating each file cost about 0.2 ms of system time here, and a CSV of a million
rows made four million.

The cache is outside DVC and git (`data/interim/cache/` by default, `execution.cache` in params.yaml): a stage's
output is byte-identical with a cold, warm or absent cache, so it is no dependency of any stage. Clearing it
(`rm -rf data/interim/cache`) is always safe.
"""

from __future__ import annotations

import atexit
import hashlib
import multiprocessing.util
import os
import pickle
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from pipeline.provenance import code_tree_id

T = TypeVar("T")
_CORRUPT = object()  # what a payload that does not load reads as

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

    def _database(self) -> str:
        # A string, not a Path: building Path objects per entry was 0.6 CPU s of a +1 % rebuild's stage.
        return os.path.join(self.folder, f"{self.namespace}{DATABASE_SUFFIX}")

    def get(self, key: str) -> bytes | None:
        """The payload stored under `key`, or None: absent, or corrupt (counted; the next `put` replaces it)."""
        try:
            store = _store(self._database(), create=False)
            data = store.read(bytes.fromhex(key)) if store is not None else None
        except sqlite3.Error:
            self.stats.corrupt += 1
            return None
        if data is None:
            return None
        if not isinstance(data, bytes) or hashlib.sha256(data[DIGEST_BYTES:]).digest() != data[:DIGEST_BYTES]:
            self.stats.corrupt += 1
            return None
        return data[DIGEST_BYTES:]

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
        """Store `payload` under `key`, in this process's next batch of writes. A failure to write (permissions,
        a full disk) is remembered as the reason and stops further writes; it never stops the build."""
        if self.stats.unwritable is not None:
            return
        try:
            store = _store(self._database(), create=True)
            assert store is not None
            store.write(bytes.fromhex(key), hashlib.sha256(payload).digest() + payload)
        except OSError as error:
            self.stats.unwritable = f"{error.strerror or error}"
        except sqlite3.Error as error:
            self.stats.unwritable = str(error)

    def write_pending(self) -> None:
        """Write this process's pending batch of this namespace now: for an entry another process may need
        before this one's stage ends (the LSH bands)."""
        _own_process()
        store = _stores.get((self._database(), threading.get_ident()))
        try:
            if store is not None:
                store.flush()
        except sqlite3.Error as error:
            self.stats.unwritable = str(error)


# One SQLite database a namespace, `<folder>/<namespace>.sqlite`: creating a file per entry cost about 0.2 ms of
# system time each on this project's machine (ext4), and a commit per entry about 45 µs of CPU; a batch of 64
# entries commits in one transaction.
DATABASE_SUFFIX = ".sqlite"
_SCHEMA = "CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, payload BLOB NOT NULL)"
_SELECT = "SELECT payload FROM entries WHERE key = ?"
_INSERT = "INSERT OR REPLACE INTO entries (key, payload) VALUES (?, ?)"
# How long a writer waits for another process's transaction (pool workers write the same database).
BUSY_SECONDS = 120.0
# A batch is written when it holds this many entries or bytes, or its first entry is this old, and when the
# stage ends or the process exits.
BATCH_ENTRIES = 64
BATCH_BYTES = 8 * 1024 * 1024
BATCH_SECONDS = 2.0


@dataclass
class _Store:
    """One process's (and thread's) connection to a cache database and the entries it has yet to write."""

    database: str
    connection: sqlite3.Connection
    pending: dict[bytes, bytes] = field(default_factory=dict)
    pending_bytes: int = 0
    pending_since: float = 0.0

    def read(self, key: bytes) -> object:
        if key in self.pending:
            return self.pending[key]
        found = self.connection.execute(_SELECT, (key,)).fetchone()
        return None if found is None else found[0]

    def write(self, key: bytes, value: bytes) -> None:
        if not self.pending:
            self.pending_since = time.monotonic()
        self.pending[key] = value
        self.pending_bytes += len(value)
        if (
            len(self.pending) >= BATCH_ENTRIES
            or self.pending_bytes >= BATCH_BYTES
            or time.monotonic() - self.pending_since >= BATCH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        """Write the pending entries in one transaction (they are dropped if it fails: the caller says why)."""
        if not self.pending:
            return
        rows, self.pending, self.pending_bytes = list(self.pending.items()), {}, 0
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            self.connection.executemany(_INSERT, rows)
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")


# Keyed by thread too: a Dask worker runs tasks on several threads.
_stores: dict[tuple[str, int], _Store] = {}
_stores_pid = -1
_inherited: list[_Store] = []  # a forked parent's: never used nor closed here (SQLite forbids both)


def _store(database: str, create: bool) -> _Store | None:
    """This process's store of `database`, opened once (in WAL mode, so readers never wait for writers), or
    None when it does not exist and `create` is false. A file that is not an SQLite database (cut short,
    overwritten) is deleted and made anew: its entries were misses anyway."""
    _own_process()
    slot = (database, threading.get_ident())
    store = _stores.get(slot)
    if store is not None:
        return store
    if not create and not os.path.exists(database):
        return None
    os.makedirs(os.path.dirname(database), exist_ok=True)
    try:
        connection = _open(database)
    except sqlite3.DatabaseError as error:
        if not _not_a_database(error):
            raise
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                os.remove(database + suffix)
        connection = _open(database)
    store = _stores[slot] = _Store(database, connection)
    return store


def _own_process() -> None:
    """On first use in a process: set aside what a forked process inherited from its parent, and write what
    is pending when the process ends (at exit, or as a pool worker ends, which skips `atexit`)."""
    global _stores_pid
    if _stores_pid == os.getpid():
        return
    _inherited.extend(_stores.values())
    _stores.clear()
    _stores_pid = os.getpid()
    atexit.register(_close_all)
    multiprocessing.util.Finalize(None, _close_all, exitpriority=100)


def close_connections() -> None:
    """Write what this thread has pending and close its cache databases (the last connection to one folds
    its log back into it): at the end of each stage, so that the next stage, or process, reads every entry."""
    _own_process()
    for slot in [slot for slot in _stores if slot[1] == threading.get_ident()]:
        _close(_stores.pop(slot))


def _close_all() -> None:
    if _stores_pid == os.getpid():
        for slot in list(_stores):
            _close(_stores.pop(slot))


def _close(store: _Store) -> None:
    try:
        store.flush()
    except sqlite3.Error as error:  # at the end of a stage or process: nobody left to tell but the terminal
        folder = os.path.dirname(store.database)
        print(f"renda: cache {folder}: not writable ({error}); results were not stored", file=sys.stderr)
    finally:
        store.connection.close()


def _create(database: str) -> None:
    """Make the empty database whole (WAL mode and the table) under a temporary name, then link it into place
    unless another process was first. Processes that each made a new file themselves raced: one could set WAL
    mode while another, having opened the empty file first, wrote in rollback mode, and the entries it wrote were
    lost at the next checkpoint (seen once in six runs of a two-process test)."""
    temporary = f"{database}.{os.getpid()}-{threading.get_ident()}.new"
    connection = sqlite3.connect(temporary, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_SCHEMA)
    finally:
        connection.close()
    try:
        os.link(temporary, database)
    except FileExistsError:
        pass
    finally:
        os.remove(temporary)


def _open(database: str) -> sqlite3.Connection:
    if not os.path.exists(database):
        _create(database)
    connection = sqlite3.connect(
        database, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
    )
    try:
        if connection.execute("PRAGMA journal_mode=WAL").fetchone()[0] != "wal":
            raise sqlite3.DatabaseError(f"{database}: not in WAL mode")
        # A machine that loses power may lose the last batches, never corrupt the database.
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(_SCHEMA)
    except BaseException:
        connection.close()
        raise
    return connection


def _not_a_database(error: sqlite3.DatabaseError) -> bool:
    return "not a database" in str(error) or "malformed" in str(error)


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
