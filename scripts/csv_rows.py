"""A CSV container of N short rows (title, date, text), for measuring ingest on one file of very many rows.

`python scripts/csv_rows.py 1000000 /tmp/rows/rows.csv` writes a seeded file of about 100 bytes a row (a
few words of congress news each, every row distinct, so every row is its own document). Then
`renda ingest /tmp/rows /tmp/rows-ingested`, run under `/usr/bin/time -v` or `renda bench /tmp/rows`, gives the
CPU seconds and peak memory of a container of that many rows: they should grow linearly (CPU) and stay flat
(memory) with N.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

WORDS = ("人大常委会", "代表", "审议", "报告", "监督", "法治", "建设", "民生", "改革", "会议", "调研", "立法")


def write_rows(path: Path, rows: int, seed: int = 1) -> int:
    """Write the CSV file; return its size in bytes. Same rows and seed, same bytes."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("title,date,text\n")
        for index in range(rows):
            title = f"{rng.choice(WORDS)}第{index}次"
            text = "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 6))) + f"第{index}号。"
            handle.write(f"{title},2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},{text}\n")
    return path.stat().st_size


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: csv_rows.py ROWS OUT.csv [SEED]")
    size = write_rows(Path(sys.argv[2]), int(sys.argv[1]), int(sys.argv[3]) if len(sys.argv) == 4 else 1)
    print(f"{sys.argv[2]}: {int(sys.argv[1])} rows, {size} bytes")
