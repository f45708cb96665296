"""Checksums of every file under a release folder, one `sha256  relative/path` line each, sorted by path.

Speed work must leave the release byte-identical: run this on the release built before and after a change and
compare the two listings (`diff`), e.g. `python scripts/release_checksums.py bench/shared-release`.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def checksums(folder: Path) -> list[str]:
    """`sha256  path` for each file under `folder`, paths relative to it and sorted."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(folder).as_posix()}")
    return lines


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        sys.exit("usage: release_checksums.py RELEASE_FOLDER")
    print("\n".join(checksums(Path(sys.argv[1]))))
