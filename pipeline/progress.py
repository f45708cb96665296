"""Progress of a run: the stages count through one small object; the CLI decides whether anyone sees it.

A stage is handed a `Progress` and opens one `task` per loop (`with progress.task("parse", total, "docs") as
task: ... task.advance()`). It never imports a display library, so the library stays usable from Python and
the tests. The default, `NO_PROGRESS`, draws nothing and costs one empty method call per item. The CLI hands a
`RichProgress` when stderr is a terminal (or with `--progress`): bars with counts, rate and time left, drawn on
stderr only, so stage outputs are the same bytes whether anyone watched or not.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.progress import ProgressColumn
    from rich.progress import Task as RichTask

    from pipeline.build import BuildSummary

# A total may be given as a function: it is only called when someone watches (counting the lines of a large
# units.jsonl is work a run without a display should not do).
Total = int | Callable[[], int] | None
# The display is updated at most this often; items in between are added up (cheap per item, whatever the rate).
REFRESH_SECONDS = 0.1


class Task:
    """One counted loop. This base class counts nothing: it is what a run without a display gets."""

    def advance(self, items: int = 1) -> None:
        """`items` more done."""

    def describe(self, description: str) -> None:
        """Say which part of the loop is running now (e.g. the plots, after the CSV rows were counted)."""


class Progress:
    """Hands out tasks. This base class draws nothing (`NO_PROGRESS`); `RichProgress` draws bars."""

    @contextmanager
    def task(self, description: str, total: Total, unit: str) -> Iterator[Task]:
        """A task for one loop of `total` items of `unit` (None: not known in advance)."""
        yield NO_TASK


NO_TASK = Task()
NO_PROGRESS = Progress()


def count_lines(path: Path) -> int:
    """Lines of a file, read in 1 MiB blocks (the number of units in a `units.jsonl`)."""
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return lines


class _RichTask(Task):
    def __init__(self, bar: Any, task_id: Any) -> None:
        self._bar = bar
        self._id = task_id
        self._pending = 0
        self._last = time.monotonic()
        self.done = 0

    def advance(self, items: int = 1) -> None:
        self._pending += items
        now = time.monotonic()
        if now - self._last >= REFRESH_SECONDS:
            self.flush()
            self._last = now

    def describe(self, description: str) -> None:
        self.flush()
        self._bar.update(self._id, description=description)

    def flush(self) -> None:
        if self._pending:
            self._bar.advance(self._id, self._pending)
            self.done += self._pending
            self._pending = 0


class RichProgress(Progress):
    """Bars on stderr: description, bar, done/total and unit, items per second, time left (elapsed once done).

    `force` draws them even when stderr is not a terminal (`--progress`, e.g. under a CI log viewer); each
    bar stays on screen when its loop ends, as the record of how long the loop took.
    """

    def __init__(self, force: bool = False) -> None:
        from rich.console import Console

        self.console: Console = Console(stderr=True, force_terminal=True if force else None)

    @contextmanager
    def task(self, description: str, total: Total, unit: str) -> Iterator[Task]:
        from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bars

        count_column, rate_column = _columns()
        known = total() if callable(total) else total
        with Bars(
            TextColumn("{task.description:<14}"),
            BarColumn(bar_width=24),
            count_column(),
            rate_column(),
            TimeRemainingColumn(elapsed_when_finished=True),
            console=self.console,
            redirect_stdout=False,  # stdout is a command's output: the bars never touch it
        ) as bars:
            task_id = bars.add_task(description, total=known, unit=unit)
            task = _RichTask(bars, task_id)
            yield task
            task.flush()
            final = task.done if known is None else known
            bars.update(task_id, total=final, description=description)  # the stage's name stays on screen


@cache
def _columns() -> tuple[type[ProgressColumn], type[ProgressColumn]]:
    """The two columns rich has no ready-made form of, defined on first use (rich is imported only then)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class CountColumn(ProgressColumn):
        """`1,234/5,678 docs` (`1,234 docs` while the total is unknown)."""

        def render(self, task: RichTask) -> Text:
            unit = task.fields.get("unit", "")
            if task.total is None:
                return Text(f"{int(task.completed):,} {unit}", style="progress.download")
            return Text(f"{int(task.completed):,}/{int(task.total):,} {unit}", style="progress.download")

    class RateColumn(ProgressColumn):
        """`123 docs/s` over the last seconds (rich's own speed column is for bytes)."""

        def render(self, task: RichTask) -> Text:
            speed = task.finished_speed or task.speed
            unit = task.fields.get("unit", "")
            return Text(f"{speed:,.0f} {unit}/s" if speed else f"- {unit}/s", style="progress.data.speed")

    return CountColumn, RateColumn


def summary_table(summary: BuildSummary) -> RenderableType:
    """The closing summary of `renda build` as two tables side by side: rows per table, rejects by reason."""
    from rich.table import Table

    rows = Table(title="rows per table", title_justify="left", box=None, padding=(0, 1))
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for name, count in summary.tables.items():
        rows.add_row(name, f"{count:,}")
    rejects = Table(
        title=f"rejected: {summary.total_rejected:,}", title_justify="left", box=None, padding=(0, 1)
    )
    rejects.add_column("reason")
    rejects.add_column("rows", justify="right")
    for reason, count in summary.rejected:
        rejects.add_row(reason, f"{count:,}")
    layout = Table.grid(padding=(0, 4))
    layout.title = f"release: {summary.out_dir} ({summary.seconds:.1f} s)"
    layout.title_justify = "left"
    layout.title_style = "bold"
    layout.add_row(rows, rejects)
    if summary.issuers:
        layout.caption = summary.issuers
        layout.caption_justify = "left"
    return layout
