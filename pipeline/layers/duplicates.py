"""Near-duplicate clusters with MinHash (datasketch): reposts of one article count once.

Each document's body is shingled into character n-grams; MinHash signatures go into an LSH index; documents
whose estimated Jaccard similarity reaches the threshold are joined into clusters (union-find). The canonical
document of a cluster is the earliest published, then the smallest doc_id, so the choice never depends on
input order. `clusters` keeps the signatures in memory (`num_perm` × 8 bytes per document, 1 KiB at 128);
the enrich stage stores them in a temporary file instead (`SignatureStore`) and reads them a band at a time
(`stored_clusters`): the same clusters, in memory that does not grow with the corpus.
"""

from __future__ import annotations

import array
import datetime as dt
import os
import tempfile
import zlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

# datasketch is imported where its objects are made (`signature`, `clusters`, `lsh_bands`), not here: the
# package imports SciPy (about 0.6 CPU s), and enrich needs neither on a rebuild (`signature_values`, bands read
# from the cache by `pipeline.settings.duplicate_bands`).


@dataclass(frozen=True)
class DuplicateSettings:
    num_perm: int = 128
    shingle: int = 5
    threshold: float = 0.8
    seed: int = 1


def _crc32_table() -> np.ndarray:
    """The byte table of CRC-32 (zlib's polynomial, reflected), one entry per byte value. CRC-32 is the shingle
    hash: deterministic across runs (unlike hash()) and fast (datasketch's SHA-1 is 5× slower)."""
    table = []
    for byte in range(256):
        value = byte
        for _ in range(8):
            value = (value >> 1) ^ (0xEDB88320 if value & 1 else 0)
        table.append(value)
    return np.array(table, dtype=np.uint32)


_CRC32_TABLE = _crc32_table()


# Up to this many shingles, each is hashed by `zlib.crc32` in turn: the numpy steps cost about 0.15 ms whatever
# the length, while one call a shingle costs about 0.2 µs (equal near 1,000 characters; 7 against 160 µs for a
# 10-character body, the CSV row of a short-news corpus).
PER_SHINGLE_COUNT = 512


def shingle_crc32(compact: str, size: int) -> np.ndarray:
    """`zlib.crc32` of the UTF-8 bytes of every `size`-character shingle of `compact` (one shingle, the whole text,
    when it is shorter), in order, as uint32.

    Hashing each shingle from Python cost a slice, an encode and a call per character of every body (most of the
    MinHash time); here the text is encoded once and CRC-32 runs table-driven over all shingles at once, one numpy
    step per byte position (at most 4 × `size`), each shingle masked past its own end. The same values as
    `zlib.crc32` (a test compares them, multi-byte characters and short texts included). A short body is hashed
    one shingle at a time (`PER_SHINGLE_COUNT`)."""
    count = max(1, len(compact) - size + 1)
    return (crc32_each if count <= PER_SHINGLE_COUNT else crc32_at_once)(compact, size, count)


def crc32_each(compact: str, size: int, count: int) -> np.ndarray:
    """`shingle_crc32` one `zlib.crc32` call a shingle."""
    return np.fromiter(
        (zlib.crc32(compact[start : start + size].encode("utf-8")) for start in range(count)),
        dtype=np.uint32,
        count=count,
    )


def crc32_at_once(compact: str, size: int, count: int) -> np.ndarray:
    """`shingle_crc32` in numpy steps over every shingle at once."""
    data = np.frombuffer(compact.encode("utf-8"), dtype=np.uint8)
    # Where each character's bytes start (not a UTF-8 continuation byte), then the end of the text.
    bounds = np.append(np.flatnonzero((data & 0xC0) != 0x80), len(data))
    starts = bounds[:count]
    lengths = bounds[np.minimum(np.arange(size, size + count), len(compact))] - starts
    padded = np.append(data, np.uint8(0))  # a masked step past the end reads this byte, never out of range
    crc = np.full(count, 0xFFFFFFFF, dtype=np.uint32)
    for offset in range(int(lengths.max())):
        byte = padded[np.minimum(starts + offset, len(data))]
        step = _CRC32_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> np.uint32(8))
        crc = np.where(offset < lengths, step, crc)
    return crc ^ np.uint32(0xFFFFFFFF)


# Shingle hashes permuted per numpy call: a (hashes × num_perm) uint32 matrix, so a 1,000,000-character body in
# one call would take about 0.5 GiB; in chunks the memory stays a few MiB whatever the length.
SIGNATURE_CHUNK = 4096
# datasketch's default permutation scheme since 2.0.0: each hash pre-mixed by MurmurHash3's 32-bit finalizer, then
# a * h + b modulo 2**32 per permutation (`datasketch.minhash`, "affine32").
SCHEME = "affine32"
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@cache
def _permutations(num_perm: int, seed: int) -> np.ndarray:
    """datasketch's permutations for (num_perm, seed), drawn as its `MinHash` draws them for the affine32
    scheme (a NumPy `RandomState` of the seed: odd multipliers `a`, then offsets `b`; a test compares them), once
    per run and shared by every signature, without importing datasketch."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer on uint32 values (wrapping multiplication), as datasketch pre-mixes each hash."""
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


def signature(text: str, settings: DuplicateSettings) -> MinHash:
    """`signature_values` as datasketch's MinHash."""
    from datasketch import MinHash

    permutations = _permutations(settings.num_perm, settings.seed)
    values = signature_values(text, settings)
    return MinHash(seed=settings.seed, hashvalues=values, permutations=permutations, scheme=SCHEME)


def signature_values(text: str, settings: DuplicateSettings) -> np.ndarray:
    """MinHash hash values (uint32, one per permutation) of the body's character shingles (whitespace removed).

    Each shingle is hashed once to a crc32 value (`shingle_crc32`) and the distinct values are kept in a numpy
    array (4 bytes each, not a Python string each). The permutations are applied in numpy, chunk by chunk, as datasketch's
    `update_batch` applies them, without its per-value Python loop: the same hash values (a test compares them).
    The minimum over permutations does not depend on order or on repeats, so this is the same signature as
    hashing the set of shingle strings.
    """
    distinct = np.unique(shingle_crc32("".join(text.split()), settings.shingle))
    permutations = _permutations(settings.num_perm, settings.seed)
    a, b = permutations
    values = np.full(settings.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(distinct), SIGNATURE_CHUNK):
        mixed = _fmix32(distinct[start : start + SIGNATURE_CHUNK]).reshape(-1, 1)
        values = np.minimum(values, (mixed * a + b).min(axis=0))
    return values


def clusters(
    signatures: dict[str, MinHash], dates: dict[str, dt.date | None], settings: DuplicateSettings
) -> dict[str, str]:
    """doc_id → canonical doc_id of its cluster."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
    parent = {doc_id: doc_id for doc_id in signatures}

    def find(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    for doc_id in sorted(signatures):
        for other in sorted(lsh.query(signatures[doc_id])):
            if signatures[doc_id].jaccard(signatures[other]) >= settings.threshold:
                a, b = find(doc_id), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        lsh.insert(doc_id, signatures[doc_id])
    members: dict[str, list[str]] = {}
    for doc_id in signatures:
        members.setdefault(find(doc_id), []).append(doc_id)
    canonical: dict[str, str] = {}
    for group in members.values():
        chosen = min(group, key=lambda d: (dates.get(d) or dt.date.max, d))
        for doc_id in group:
            canonical[doc_id] = chosen
    return canonical


# A document without a date sorts after every dated one when a cluster's canonical document is chosen (as
# `dt.date.max` does in `clusters`).
NO_DATE = dt.date.max.toordinal()
DOC_ID_BYTES = 16
# Signatures read from the file at once when a band's keys are computed.
STORE_CHUNK = 4096
# Folds a band's hash values into one 64-bit key (wrapping): equal bands have equal keys; unequal bands that
# share a key are told apart by comparing their values.
_BAND_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


class SignatureStore:
    """Documents' signatures as they stream past, for the clusters: the hash values in a temporary file
    (`num_perm` × 8 bytes each), each document's doc_id and date in compact arrays (20 bytes a document).
    Nothing is a Python object per document, so memory stays flat as the corpus grows; the clusters read the
    file one band at a time (`stored_clusters`)."""

    def __init__(self, settings: DuplicateSettings) -> None:
        self.settings = settings
        self.count = 0
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close(), or by the with block)
        self._doc_ids = bytearray()
        self._days = array.array("i")
        self._row_bytes = settings.num_perm * 8

    def add(self, doc_id: str, day: dt.date | None, minhash: MinHash | np.ndarray) -> None:
        """One document's signature: a MinHash, or its hash values (`signature_values`)."""
        encoded = doc_id.encode("ascii")
        if len(encoded) != DOC_ID_BYTES:
            raise ValueError(f"doc_id {doc_id!r} is not {DOC_ID_BYTES} characters")
        values = np.asarray(getattr(minhash, "hashvalues", minhash), dtype=np.uint64)
        if values.shape != (self.settings.num_perm,):
            raise ValueError(f"a signature of {values.shape} hash values, not {self.settings.num_perm}")
        self._file.write(values.tobytes())
        self._doc_ids += encoded
        self._days.append(day.toordinal() if day is not None else NO_DATE)
        self.count += 1

    def doc_id(self, index: int) -> str:
        return self._doc_ids[index * DOC_ID_BYTES : (index + 1) * DOC_ID_BYTES].decode("ascii")

    def doc_ids(self) -> np.ndarray:
        return np.frombuffer(bytes(self._doc_ids), dtype=f"S{DOC_ID_BYTES}")

    def days(self) -> np.ndarray:
        """Each document's date as a proleptic ordinal (`NO_DATE` when it has none)."""
        return np.frombuffer(self._days.tobytes(), dtype=np.int32)

    def row(self, index: int) -> np.ndarray:
        """The hash values of document `index` (read from the file)."""
        self._file.flush()
        data = os.pread(self._file.fileno(), self._row_bytes, index * self._row_bytes)
        return np.frombuffer(data, dtype=np.uint64)

    def band_keys(self, start: int, end: int) -> np.ndarray:
        """One 64-bit key per document for hash values `start:end` (a band), read a chunk of rows at a time."""
        self._file.flush()
        keys = np.zeros(self.count, dtype=np.uint64)
        for first in range(0, self.count, STORE_CHUNK):
            rows = min(STORE_CHUNK, self.count - first)
            data = os.pread(self._file.fileno(), rows * self._row_bytes, first * self._row_bytes)
            band = np.frombuffer(data, dtype=np.uint64).reshape(rows, -1)[:, start:end]
            folded = np.zeros(rows, dtype=np.uint64)
            for column in range(band.shape[1]):
                folded = folded * _BAND_MULTIPLIER + band[:, column]
            keys[first : first + rows] = folded
        return keys

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> SignatureStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def lsh_bands(threshold: float, num_perm: int) -> tuple[tuple[int, int], ...]:
    """The hash value ranges of datasketch's LSH index for (threshold, num_perm): its bands."""
    from datasketch import MinHashLSH

    return tuple(MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges)


def stored_clusters(store: SignatureStore, bands: tuple[tuple[int, int], ...] | None = None) -> np.ndarray:
    """For each document of `store` (by position), the position of its cluster's canonical document: the same
    clusters as `clusters` over the same signatures, computed one LSH band at a time.

    `clusters` joins two documents when they share a band of hash values (the LSH index's candidates) and their
    estimated Jaccard similarity reaches the threshold; clusters are the connected groups, whatever the order
    the pairs are looked at. Here each band's keys are sorted, documents with one key are the band's candidates
    (their band values compared, so a key shared by other values joins nothing), and a pair already in one
    cluster is not compared again. The canonical document is the earliest published, then the smallest doc_id.
    `bands` are the index's hash value ranges (`lsh_bands`, which a caller may have stored).
    """
    settings = store.settings
    n = store.count
    parent = np.arange(n, dtype=np.int64)

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = int(parent[index])
        return index

    if bands is None:
        bands = lsh_bands(settings.threshold, settings.num_perm)
    num_perm = float(settings.num_perm)
    for start, end in bands:
        keys = store.band_keys(start, end)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        breaks = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        del keys
        firsts = np.concatenate(([0], breaks))
        lasts = np.concatenate((breaks, [n]))
        for group in np.flatnonzero(lasts - firsts >= 2):
            members = np.sort(order[firsts[group] : lasts[group]]).tolist()
            rows = {index: store.row(index) for index in members}
            for position, index in enumerate(members):
                for other in members[:position]:
                    a, b = find(index), find(other)
                    if a == b:
                        continue
                    mine, theirs = rows[index], rows[other]
                    if not np.array_equal(mine[start:end], theirs[start:end]):
                        continue  # another band with the same key
                    # datasketch's MinHash.jaccard, to the bit
                    if float(np.count_nonzero(mine == theirs)) / num_perm >= settings.threshold:
                        parent[max(a, b)] = min(a, b)
        del order
    roots = parent
    while not np.array_equal(above := roots[roots], roots):  # every document's root: its cluster
        roots = above
    ranked = np.lexsort((store.doc_ids(), store.days()))  # earliest date first, then the smallest doc_id
    rank = np.empty(n, dtype=np.int64)
    rank[ranked] = np.arange(n)
    best = np.full(n, n, dtype=np.int64)
    np.minimum.at(best, roots, rank)
    return ranked[best[roots]]
