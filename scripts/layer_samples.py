"""Draw a seeded sample of `figures` and `citations` rows from a release, for checking by hand.

Usage: python scripts/layer_samples.py RELEASE [--seed 1] [--n 50]

Rows are put in a fixed order (doc_id, item_index) and `random.Random(seed)` picks N of each table, so a seed and a
release give the same sample on any machine. Prints two markdown tables with the row's source context (at most
30 characters) and an empty `right?` column: the judgement is made by a reader, not by this script. The samples
and judgements are kept in `evaluation/layer_samples.md`.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import pandas as pd

CONTEXT = 30


def _sample(table: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    ordered = table.sort_values(["doc_id", "item_index"]).reset_index(drop=True)
    picked = sorted(random.Random(seed).sample(range(len(ordered)), min(n, len(ordered))))
    return ordered.iloc[picked]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _context(paragraphs: dict[tuple[str, int], str], row: pd.Series, margin: int) -> str:
    """The row's span with a few characters either side, at most CONTEXT characters in all."""
    text = paragraphs[(row["doc_id"], row["paragraph_index"])]
    start, end = int(row["text_start"]), int(row["text_end"])
    room = max(0, CONTEXT - (end - start))
    before = min(margin, room // 2)
    return text[max(0, start - before) : min(len(text), end + room - before)][:CONTEXT]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("release", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args(argv)
    if not (args.release / "figures.parquet").is_file():
        print(f"error: {args.release} holds no figures.parquet (build a release first)", file=sys.stderr)
        return 2
    para = pd.read_parquet(args.release / "paragraphs.parquet", columns=["doc_id", "paragraph_index", "text"])
    paragraphs = {(d, i): t for d, i, t in para.itertuples(index=False)}
    figures = _sample(pd.read_parquet(args.release / "figures.parquet"), args.n, args.seed)
    print(f"### figures (seed {args.seed})\n")
    print("| # | context | figure_text | amount | unit | unit_text | multiplier | right? |")
    print("|---|---|---|---|---|---|---|---|")
    for number, (_, row) in enumerate(figures.iterrows(), 1):
        cells = [
            _context(paragraphs, row, 6),
            row["figure_text"],
            f"{row['amount']:g}",
            row["unit"],
            row["unit_text"],
            row["multiplier"],
            "",
        ]
        print(f"| {number} | " + " | ".join(_cell(c) for c in cells) + " |")
    citations = _sample(pd.read_parquet(args.release / "citations.parquet"), args.n, args.seed)
    print(f"\n### citations (seed {args.seed})\n")
    print("| # | context | cited_title | title_key | citation_kind | key right? | kind right? |")
    print("|---|---|---|---|---|---|---|")
    for number, (_, row) in enumerate(citations.iterrows(), 1):
        cells = [
            _context(paragraphs, row, 8),
            row["cited_title"],
            row["title_key"],
            row["citation_kind"],
            "",
            "",
        ]
        print(f"| {number} | " + " | ".join(_cell(c) for c in cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
