"""Near-duplicate clusters with MinHash (datasketch): reposts of one article count once.

Each document's body is shingled into character n-grams; MinHash signatures go into an LSH index; documents
whose estimated Jaccard similarity reaches the threshold are joined into clusters (union-find). The canonical
document of a cluster is the earliest published, then the smallest doc_id, so the choice never depends on
input order. Signatures are kept in memory: `num_perm` × 8 bytes per document (1 KiB at 128).
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH


@dataclass(frozen=True)
class DuplicateSettings:
    num_perm: int = 128
    shingle: int = 5
    threshold: float = 0.8
    seed: int = 1


def _crc32(data: bytes) -> int:
    """32-bit shingle hash: deterministic across runs (unlike hash()) and C-fast (datasketch's SHA-1 is 5× slower)."""
    return zlib.crc32(data)


# Shingle hashes permuted per numpy call: a (hashes × num_perm) uint32 matrix, so a 1,000,000-character body in
# one call would take about 0.5 GiB; in chunks the memory stays a few MiB whatever the length.
SIGNATURE_CHUNK = 4096
# datasketch's default permutation scheme since 2.0.0: each hash pre-mixed by MurmurHash3's 32-bit finalizer, then
# a * h + b modulo 2**32 per permutation (`datasketch.minhash`, "affine32").
SCHEME = "affine32"
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@cache
def _permutations(num_perm: int, seed: int) -> np.ndarray:
    """datasketch's permutations for (num_perm, seed): drawn once per run, not once per document, and shared by
    every signature (datasketch keeps a shared array as it is)."""
    return MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer on uint32 values (wrapping multiplication), as datasketch pre-mixes each hash."""
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


def signature(text: str, settings: DuplicateSettings) -> MinHash:
    """MinHash of the body's character shingles (whitespace removed).

    Each shingle is hashed once to a crc32 value and the distinct values are kept in a numpy array (4 bytes each,
    not a Python string each). The permutations are applied in numpy, chunk by chunk, as datasketch's
    `update_batch` applies them, without its per-value Python loop: the same hash values (a test compares them).
    The minimum over permutations does not depend on order or on repeats, so this is the same signature as
    hashing the set of shingle strings.
    """
    compact = "".join(text.split())
    size = settings.shingle
    count = max(1, len(compact) - size + 1)
    hashes = np.fromiter(
        (_crc32(compact[i : i + size].encode("utf-8")) for i in range(count)), dtype=np.uint32, count=count
    )
    distinct = np.unique(hashes)
    permutations = _permutations(settings.num_perm, settings.seed)
    a, b = permutations
    values = np.full(settings.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(distinct), SIGNATURE_CHUNK):
        mixed = _fmix32(distinct[start : start + SIGNATURE_CHUNK]).reshape(-1, 1)
        values = np.minimum(values, (mixed * a + b).min(axis=0))
    return MinHash(seed=settings.seed, hashvalues=values, permutations=permutations, scheme=SCHEME)


def clusters(
    signatures: dict[str, MinHash], dates: dict[str, dt.date | None], settings: DuplicateSettings
) -> dict[str, str]:
    """doc_id → canonical doc_id of its cluster."""
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
