"""One capture of about N megabytes (a WeChat-markdown article), for measuring a build of one very long document.

`python scripts/long_capture.py 50 /tmp/long/raw/long.md` writes a seeded article of about 50 MB (about 16.7
million characters, 200,000 lines). It is over the default bounds of one document (`ingest.limits`:
`max_document_chars`, `max_document_lines`), so build it with a params file that raises them, e.g. `renda bench
/tmp/long/raw --params long.yaml --jobs 1 --no-incremental`: CPU seconds should grow linearly with N.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.bench import long_capture


def main(megabytes: float, path: Path, seed: int = 1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = long_capture(int(megabytes * 1_000_000), seed).encode("utf-8")
    path.write_bytes(data)
    lines = data.count(b"\n")
    print(f"{path}: {len(data):,} bytes, {len(data.decode('utf-8')):,} characters, {lines:,} lines")


if __name__ == "__main__":
    main(float(sys.argv[1]), Path(sys.argv[2]))
