"""The local process pool: an error in the input stream ends the map with that error, quietly and promptly."""

from __future__ import annotations

import subprocess
import sys

# The CLI's SIGTERM handler raises KeyboardInterrupt. A pool ended right after it started (the input stream failed
# at once, e.g. a missing units.jsonl) used to reach workers before they had reset that handler: some printed a
# KeyboardInterrupt traceback, some left `Pool.terminate` waiting forever. 40 rounds showed it within seconds.
SCRIPT = """
import signal
from pipeline.cli import _terminate
from pipeline.executor import ordered_map
signal.signal(signal.SIGTERM, _terminate)

def failing():
    raise FileNotFoundError("no units.jsonl")
    yield 0

for _ in range(40):
    try:
        list(ordered_map(abs, failing(), 2))
    except FileNotFoundError:
        pass
print("ok")
"""


def test_a_pool_ended_at_once_leaves_no_traceback_and_no_hang() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
    assert "Traceback" not in result.stderr
