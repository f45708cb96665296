"""What the release is made of, computed from its `documents` table: issuers, levels, regions, scope.

The datasheet, the dataset card, the datapackage and Croissant describe the composition with these counts,
never with a fixed sentence that the data may contradict (a corpus meant for congresses and governments may
hold mostly media or security blogs, and then it must say so). Accounts whose issuer is unknown are listed "to
curate": adding them to `issuers/*.yaml` is how the next release resolves them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.fields import BODY_KINDS
from pipeline.tables import iter_rows, release_unused

COLUMNS = ["source_file", "account", "issuer_type", "issuer_level", "region_code", "region_name", "in_scope"]
NO_ACCOUNT = "(no account)"
LISTED_TO_CURATE = 40


@dataclass
class Composition:
    """Document counts by issuer type, level, region and scope; unknown issuers by account."""

    in_scope_types: tuple[str, ...]
    documents: int = 0
    in_scope: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    by_type_in_scope: Counter[str] = field(default_factory=Counter)
    by_level: Counter[str] = field(default_factory=Counter)
    by_region: Counter[tuple[str, str]] = field(default_factory=Counter)
    to_curate: Counter[str] = field(default_factory=Counter)

    def add(self, row: dict) -> None:
        self.documents += 1
        self.in_scope += bool(row["in_scope"])
        self.by_type[row["issuer_type"]] += 1
        self.by_type_in_scope[row["issuer_type"]] += bool(row["in_scope"])
        self.by_level[row["issuer_level"]] += 1
        if row["region_code"] is not None:
            self.by_region[(row["region_code"], row["region_name"] or "")] += 1
        if row["issuer_type"] == "unknown":
            folder = row["source_file"].split("/", 1)[0] if "/" in row["source_file"] else "."
            self.to_curate[row["account"] or f"{NO_ACCOUNT} {folder}/"] += 1

    @property
    def unknown(self) -> int:
        return self.by_type["unknown"]


def compose(rows: Iterable[dict], in_scope_types: Iterable[str]) -> Composition:
    composition = Composition(tuple(in_scope_types))
    for row in rows:
        composition.add(row)
    return composition


def read_composition(release: Path, in_scope_types: Iterable[str]) -> Composition:
    """The composition of a release folder, streamed (one row at a time, a few columns)."""
    return compose(iter_rows(release / "documents.parquet", columns=COLUMNS), in_scope_types)


def body_paragraph_lengths(release: Path) -> Counter[int]:
    """How many body paragraphs have each length in characters: read once, for the lengths plot and the
    datasheet's quantiles (each read the paragraphs on its own before; a release of 100,000 synthetic documents
    has 2,182 row groups of them, and each reading of their footer alone took about 17 MB)."""
    histogram: Counter[int] = Counter()
    parquet = pq.ParquetFile(release / "paragraphs.parquet")
    body_kinds = pa.array(sorted(BODY_KINDS), pa.string())
    for index in range(parquet.num_row_groups):
        group = parquet.read_row_group(index, columns=["kind", "text"])
        body = pc.is_in(group.column("kind"), value_set=body_kinds)
        histogram.update(pc.utf8_length(pc.filter(group.column("text"), body)).to_pylist())
        del group, body
        release_unused()
    return histogram


def scope_line(composition: Composition, listed: int = 8) -> str:
    """One line for the build summary: documents in scope, and the unknown issuers' accounts to curate."""
    c = composition
    line = (
        f"issuers: {c.in_scope:,} of {c.documents:,} documents in scope ({', '.join(c.in_scope_types)}); "
        f"{c.unknown:,} with an unknown issuer"
    )
    if not c.to_curate:
        return line
    top = sorted(c.to_curate.items(), key=lambda item: (-item[1], item[0]))
    shown = ", ".join(f"{account} {n}" for account, n in top[:listed])
    more = f", … {len(top) - listed} more" if len(top) > listed else ""
    return f"{line}, from {len(top)} accounts; to curate in issuers/*.yaml: {shown}{more}"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "–"


def sentence(composition: Composition) -> str:
    """One sentence for descriptions: how much of the release is in scope, and how much is unresolved."""
    c = composition
    largest = ", ".join(f"{t} {n}" for t, n in sorted(c.by_type.items(), key=lambda i: (-i[1], i[0]))[:4])
    return (
        f"This release: {c.in_scope} of {c.documents} documents ({_share(c.in_scope, c.documents)}) were issued "
        f"by an in-scope issuer type ({', '.join(c.in_scope_types)}); by issuer type: {largest or 'none'}; "
        f"{c.unknown} documents have an issuer not yet curated."
    )


def _table(header: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) if len(lines) > 2 else "_none_"


def markdown(composition: Composition) -> str:
    """The datasheet's composition by issuer: type (with scope), level, region, and the accounts to curate."""
    c = composition
    by_count = lambda counter: sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))  # noqa: E731
    types = _table(
        ("issuer_type", "in scope", "documents"),
        ((t, c.by_type_in_scope[t], n) for t, n in by_count(c.by_type)),
    )
    levels = _table(("issuer_level", "documents"), by_count(c.by_level))
    regions = _table(
        ("region_code", "region_name", "documents"), ((k[0], k[1], n) for k, n in by_count(c.by_region))
    )
    curate = by_count(c.to_curate)
    listed = _table(("account", "documents"), curate[:LISTED_TO_CURATE])
    more = (
        f"\n\n…and {len(curate) - LISTED_TO_CURATE} more accounts ({sum(n for _, n in curate[LISTED_TO_CURATE:])} "
        "documents): `documents` rows with `issuer_type = 'unknown'`."
        if len(curate) > LISTED_TO_CURATE
        else ""
    )
    return (
        f"- **Issuers and scope.** {sentence(c)} In scope: `in_scope` is true for issuer types "
        f"{', '.join(f'`{t}`' for t in c.in_scope_types)} (`issuers.in_scope` in params.yaml); out-of-scope "
        "documents are kept, so filter on `in_scope`. Issuers are resolved from the curated registry "
        "(`issuers/*.yaml`), type markers in the account name, or the snapshot source's default "
        "(`issuer_evidence`).\n\n"
        + types
        + "\n\n  By level:\n\n"
        + levels
        + "\n\n  By region (GB/T 2260, as specific as the evidence allows):\n\n"
        + regions
        + f"\n\n- **To curate.** {c.unknown} documents from {len(curate)} accounts have no resolved issuer; add "
        "them to `issuers/*.yaml`:\n\n" + listed + more
    )
