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


# Shingle hashes fed to the MinHash per call: datasketch builds a (hashes × num_perm) uint64 matrix per call, so a
# 1,000,000-character body in one call took about 1 GiB; in chunks the memory stays a few MiB whatever the length.
SIGNATURE_CHUNK = 4096


def _identity(value: int) -> int:
    """The shingles are hashed already (crc32 of their UTF-8 bytes); datasketch applies its permutations."""
    return value


def signature(text: str, settings: DuplicateSettings) -> MinHash:
    """MinHash of the body's character shingles (whitespace removed).

    Each shingle is hashed once to a crc32 value, the distinct values are kept in a numpy array (4 bytes each,
    not a Python string each), and they reach datasketch in chunks. The minimum over permutations does not
    depend on order or on repeats, so this is the same signature as hashing the set of shingle strings.
    """
    minhash = MinHash(num_perm=settings.num_perm, seed=settings.seed, hashfunc=_identity)
    compact = "".join(text.split())
    size = settings.shingle
    count = max(1, len(compact) - size + 1)
    hashes = np.fromiter(
        (_crc32(compact[i : i + size].encode("utf-8")) for i in range(count)), dtype=np.uint32, count=count
    )
    distinct = np.unique(hashes)
    for start in range(0, len(distinct), SIGNATURE_CHUNK):
        minhash.update_batch(distinct[start : start + SIGNATURE_CHUNK].tolist())
    return minhash


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
