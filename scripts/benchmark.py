"""Throughput and memory of `renda build` on a corpus folder: documents/s, MB/s, peak RSS.

Usage: python scripts/benchmark.py [CORPUS] [--scales 1,4] [--json bench/results.json]

Each scale runs the build in a fresh process on CORPUS copied SCALE times (each copy's files get SCALE-specific
trailing newlines so their content, and so their doc_id, differs). If peak RSS stays flat while the input grows,
the stages stream. Reads ../shared/corpus by default and says so when it is absent.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _replicate(corpus: Path, target: Path, scale: int) -> tuple[int, int]:
    files = 0
    size = 0
    for copy in range(scale):
        for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
            relative = path.relative_to(corpus)
            destination = target / f"copy{copy}" / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            data = path.read_bytes()
            if copy and path.suffix in (".txt", ".md"):
                data += b"\n" * copy
            destination.write_bytes(data)
            files += 1
            size += len(data)
    return files, size


def run_once(corpus: Path, scale: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory(prefix="renda-bench-") as tmp:
        raw = Path(tmp) / "raw"
        files, size = _replicate(corpus, raw, scale)
        out = Path(tmp) / "release"
        code = (
            "import resource, sys; from pipeline.cli import main; sys.argv[0] = 'renda'\n"
            "try:\n    main()\nfinally:\n"
            "    print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
        )
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", code, "build", str(raw), "--out", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(
                f"benchmark: build failed on {corpus} (scale {scale}): {result.stderr.strip().splitlines()[-1]}"
            )
        peak_kb = int(
            next(line.split()[1] for line in result.stderr.splitlines() if line.startswith("PEAK_RSS_KB"))
        )
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        documents = manifest["tables"]["documents"]
        return {
            "scale": scale,
            "files": files,
            "input_mb": round(size / 1e6, 3),
            "documents": documents,
            "rejects": manifest["tables"]["rejects"],
            "seconds": round(seconds, 2),
            "docs_per_s": round(documents / seconds, 1),
            "mb_per_s": round(size / 1e6 / seconds, 3),
            "peak_rss_mb": round(peak_kb / 1024, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default="../shared/corpus")
    parser.add_argument("--scales", default="1,4")
    parser.add_argument("--json", default="bench/results.json")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"benchmark: {corpus} is not present; nothing measured (pass a corpus folder)")
        return
    rows = [run_once(corpus, int(scale)) for scale in args.scales.split(",")]
    header = list(rows[0])
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[key]) for key in header))
    output = Path(args.json)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"corpus": str(corpus), "runs": rows}, indent=2) + "\n", encoding="utf-8")
    print(
        f"benchmark: wrote {output} (resource limit of this run: {resource.getrlimit(resource.RLIMIT_AS)[0]})"
    )


if __name__ == "__main__":
    main()
