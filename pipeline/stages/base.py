"""What every stage shares: the same small interface, a report of what it counted, and reject rows.

A stage is a module with `NAME` and `run(source, target, settings) -> StageReport`. It reads the previous
stage's output folder (or the raw folder), writes its own folder, and counts everything it received, emitted
and rejected, so `report.json` shows that nothing was lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.cache import close_connections
from pipeline.checks import need_folder
from pipeline.errors import RendaError
from pipeline.jsonl import write_json
from pipeline.models import Reject
from pipeline.outputs import atomic_output

REPORT_FILE = "report.json"


@dataclass
class StageReport:
    stage: str
    received: int = 0
    emitted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    # One line per problem, for the CLI to print: "path[#row]: reason: detail".
    problems: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # What the per-document cache did (hits, misses, corrupt entries), for the CLI line only: like `problems`
    # it stays out of report.json, which is part of the stage's output and must not depend on the cache.
    cache: dict[str, int] | None = None

    def reject(self, reject: Reject) -> None:
        self.rejected[reject.reason_code] += 1
        self.problems.append(describe_reject(reject))

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "received": self.received,
            "emitted": self.emitted,
            "rejected": dict(sorted(self.rejected.items())),
            **self.extra,
        }

    def save(self, target: Path) -> None:
        write_json(target / REPORT_FILE, self.as_dict())


def describe_reject(reject: Reject) -> str:
    where = reject.source_file + (f"#row{reject.source_row}" if reject.source_row is not None else "")
    return f"{where}: rejected at {reject.stage} ({reject.reason_code}): {reject.detail}"


def check_input_folder(source: Path, stage: str, previous: str, needs: str) -> None:
    """Raise one line unless `source` is a folder holding `needs` (what `renda <previous>` writes), before any
    work: a file or a missing folder given by mistake would otherwise surface as an error from deep inside."""
    takes = f"renda {stage} takes the folder that `renda {previous}` wrote"
    need_folder(source, takes)
    if not (source / needs).is_file():
        raise RendaError(f"{source}: has no {needs}; {takes}")


def check_capture_folder(source: Path, command: str) -> None:
    """Raise one line unless `source` is a folder (of captures), before any work."""
    if source.is_file():
        raise RendaError(
            f"{source}: is a file; renda {command} takes a folder of captures "
            f"(to {command} one file, put it in a folder)"
        )
    if not source.is_dir():
        raise RendaError(f"{source}: raw folder not found")


def run_atomic(stage: str, source: Path, target: Path, write: Callable[[Path], StageReport]) -> StageReport:
    """Run a stage's `write(folder)` into a work folder beside `target` and move it into place complete.

    The target is checked before any work (never the input folder, `.`, home or `/`; only an earlier output of
    ours is replaced), so a mistyped path costs nothing and a killed run leaves the previous output intact.
    """
    try:
        with atomic_output(target, f"stage:{stage}", [source], option=f"{stage} output") as work:
            report = write(work)
    finally:
        close_connections()  # the stage's cache databases: checkpointed, and opened afresh by the next stage
    return report
