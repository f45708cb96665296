"""Release plots (PNG): documents per month by account, lengths, capture formats, reject reasons.

Drawn to be read: time on a calendar axis where a month without documents is a visible zero (not a collapsed
gap between category labels), labelled axes and titles, whole-number count ticks, and lengths on a log axis
(one 233,123-character capture would otherwise flatten every other bar). The series are computed by small
pure functions (`monthly_series`, `monthly_by_group`, `log_bins`) that the tests check directly.

Byte-stable: the Agg backend, a CJK font pinned in the lock (Noto Sans CJK from `cvttf-notosanscjk-regular`,
never a system font), no PNG metadata, fixed sizes, and every number read from the release tables.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from pipeline.publish.composition import body_paragraph_lengths
from pipeline.tables import iter_rows

PLOTS_DIR = "plots"
TOP_ACCOUNTS = 8
# A corpus spanning decades (laws cited from the 1980s) gets a second panel on its most recent months.
RECENT_MONTHS = 24
OTHERS = "others"
NO_ACCOUNT = "(no account)"
DPI = 100
BINS_PER_DECADE = 8
BAR_COLOR = "#4C72B0"
PLOT_FILES = {
    "documents_per_month.png": "Documents per month of publication, by account (top accounts, others pooled; "
    f"months without documents shown as zero; the last {RECENT_MONTHS} months again below when the span is longer)",
    "lengths.png": "Characters per body paragraph and per document (log scale)",
    "capture_formats.png": "Documents per capture format",
    "issuer_types.png": "Documents per issuer type (in scope and out of scope, unknown included)",
    "rejects.png": "Rejected inputs per reason",
}


# --- series (pure) -----------------------------------------------------------------------------------------


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else month.replace(month=month.month + 1)
    )


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every calendar month from `first`'s to `last`'s, as first days: the axis has no holes."""
    months, current = [], month_of(first)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def monthly_series(dates: Iterable[dt.date]) -> list[tuple[dt.date, int]]:
    """Documents per calendar month from the first dated month to the last, a month with none as 0."""
    counts = Counter(month_of(day) for day in dates)
    if not counts:
        return []
    return [(month, counts[month]) for month in month_range(min(counts), max(counts))]


def monthly_by_group(
    rows: Iterable[tuple[dt.date, str]], top: int = TOP_ACCOUNTS
) -> tuple[list[dt.date], dict[str, list[int]]]:
    """Months (complete range) and per-group counts for the `top` groups by total, the rest as `others`.

    Groups are ordered by total, then name; `others` comes last and only when it has documents.
    """
    counts: Counter[tuple[dt.date, str]] = Counter((month_of(day), group) for day, group in rows)
    if not counts:
        return [], {}
    totals: Counter[str] = Counter()
    for (_, group), count in counts.items():
        totals[group] += count
    ranked = sorted(totals, key=lambda group: (-totals[group], group))
    shown = ranked[:top]
    months = month_range(min(m for m, _ in counts), max(m for m, _ in counts))
    series = {group: [counts[(month, group)] for month in months] for group in shown}
    rest = set(ranked[top:])
    if rest:
        series[OTHERS] = [sum(counts[(month, group)] for group in rest) for month in months]
    return months, series


def log_bins(values: Iterable[int], per_decade: int = BINS_PER_DECADE) -> list[float]:
    """Histogram edges evenly spaced on a log axis, from the power of ten at or below the smallest positive
    value to the one above the largest; [] when no value is positive."""
    positive = [value for value in values if value > 0]
    if not positive:
        return []
    low = math.floor(math.log10(min(positive)))
    high = max(math.floor(math.log10(max(positive))) + 1, low + 1)
    steps = (high - low) * per_decade
    return [10 ** (low + step / per_decade) for step in range(steps + 1)]


# --- drawing -----------------------------------------------------------------------------------------------


def _font() -> str:
    """Register the pinned CJK font and return its family name (DejaVu Sans if it is not installed)."""
    try:
        import cvttf_NotoSansCJK_Regular as package
    except ImportError:
        return "DejaVu Sans"
    path = Path(package.__file__).parent / "NotoSansCJKtc-Regular.otf"
    if not path.is_file():
        return "DejaVu Sans"
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _style() -> None:
    plt.rcParams.update(
        {
            "font.family": [_font(), "DejaVu Sans"],
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 10,
            "svg.hashsalt": "renda",
            "path.simplify": True,
        }
    )


def _save(figure: plt.Figure, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=DPI, format="png", metadata={"Software": None})
    plt.close(figure)


def _empty(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def bar_chart(
    counts: Mapping[str, int], path: Path, title: str, category: str, measure: str, empty: str
) -> None:
    """Horizontal bars of `counts`, largest first, each labelled with its count.

    Public so that a composition plot (documents by issuer type, level, region …) is one call with a counts
    mapping: `bar_chart(counts, folder / "issuer_types.png", "Documents by issuer type", "issuer_type",
    "Documents", "no documents")`.
    """
    figure, axes = plt.subplots(figsize=(6, 0.9 + 0.28 * max(len(counts), 3)))
    items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if items:
        labels, values = zip(*items, strict=True)
        axes.barh(range(len(values)), values, color=BAR_COLOR)
        axes.set_yticks(range(len(values)), labels)
        axes.invert_yaxis()
        for index, value in enumerate(values):
            axes.text(value, index, f" {value:,}", va="center")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max(values) * 1.15)
        axes.set_xlabel(measure)
        axes.set_ylabel(category)
    else:
        _empty(axes, empty)
    axes.set_title(title)
    _save(figure, path)


def month_bars(axes: Axes, months: list[dt.date], series: dict[str, list[int]]) -> None:
    """Stacked bars, one calendar month wide each, on a date axis; whole-number count ticks.

    A group's month without documents gets no bar: a bar of height 0 paints nothing, but decades of months
    times the top accounts are thousands of them, and adding and drawing those was most of the release's plot
    time. What such a bar did do is kept: its bottom is a sticky edge of the y axis (a zero bar stacked on the
    tallest month stops the autoscale margin there), so the bottoms go to the sticky edges of a drawn bar and
    the image is the same bytes as with every zero bar drawn (`tests/test_plots.py` compares them).
    """
    bottom = [0] * len(months)
    drawn = None
    zero_bottoms: list[float] = []
    for group, values in series.items():
        # a group without documents in these months keeps one zero bar: its colour, label and place in the
        # colour cycle stay as they were
        shown = [index for index, value in enumerate(values) if value] or [0]
        bars = axes.bar(
            [months[index] for index in shown],
            [values[index] for index in shown],
            width=dt.timedelta(days=27),
            bottom=[bottom[index] for index in shown],
            align="edge",
            label=group,
        )
        zero_bottoms.extend(bottom[index] for index, value in enumerate(values) if not value)
        drawn = drawn or (bars.patches[0] if bars.patches else None)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if drawn is not None:
        drawn.sticky_edges.y.extend(zero_bottoms)
    axes.set_xlim(months[0] - dt.timedelta(days=15), next_month(months[-1]) + dt.timedelta(days=15))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=12)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("Documents")


def _per_month(release: Path, path: Path) -> None:
    undated = 0

    def dated() -> Iterator[tuple[dt.date, str]]:  # counted by month as they stream, never listed
        nonlocal undated
        for row in iter_rows(release / "documents.parquet", columns=["account", "published_date"]):
            if row["published_date"] is None:
                undated += 1
                continue
            yield row["published_date"], row["account"] or NO_ACCOUNT

    months, series = monthly_by_group(dated())
    zoom = len(months) > RECENT_MONTHS
    figure, panels = plt.subplots(2 if zoom else 1, 1, figsize=(9, 6.4 if zoom else 3.8), squeeze=False)
    whole = panels[0][0]
    title = "Documents per month of publication, by account"
    if undated:
        title += f" ({undated:,} undated {'document' if undated == 1 else 'documents'} not shown)"
    if not months:
        _empty(whole, "no dated documents")
        whole.set_title(title)
        _save(figure, path)
        return
    month_bars(whole, months, series)
    whole.set_xlabel(f"Month of publication ({months[0]:%Y-%m} to {months[-1]:%Y-%m}, {len(months)} months)")
    whole.set_title(title)
    whole.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1), title="account")
    if zoom:
        recent = panels[1][0]
        month_bars(recent, months[-RECENT_MONTHS:], {g: v[-RECENT_MONTHS:] for g, v in series.items()})
        first, last = months[-RECENT_MONTHS], months[-1]
        recent.set_xlabel(f"Month of publication ({first:%Y-%m} to {last:%Y-%m})")
        recent.set_title(f"The last {RECENT_MONTHS} months")
    _save(figure, path)


def median_low(counts: Mapping[int, int]) -> int:
    """`statistics.median_low` of the values counted in `counts` (value → how many), without listing them."""
    total = sum(counts.values())
    if total == 0:
        raise statistics.StatisticsError("no median for empty data")
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= (total + 1) // 2:  # the ((total + 1) // 2)-th smallest value, counting from 1
            return value
    raise AssertionError("unreachable")


def log_histogram(axes: Axes, lengths: Mapping[int, int], title: str, measure: str) -> None:
    """A histogram on a log axis of the values counted in `lengths` (value → how many): the values are never
    listed one by one, so the memory is the number of distinct lengths, not of paragraphs."""
    edges = log_bins(lengths)
    if not edges:
        _empty(axes, f"no {measure.lower()} with text")
        axes.set_title(title)
        return
    positive = sorted(value for value in lengths if value > 0)
    axes.hist(positive, bins=edges, weights=[lengths[value] for value in positive], color="#55A868")
    axes.set_xscale("log")
    axes.set_xlim(edges[0], edges[-1])
    axes.xaxis.set_major_locator(LogLocator(base=10))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("Characters (log scale)")
    axes.set_ylabel(measure)
    zero = sum(n for value, n in lengths.items() if value <= 0)
    note = f"; {zero:,} empty not shown" if zero else ""
    n = sum(lengths.values())
    axes.set_title(f"{title}\n(n = {n:,}, median {median_low(lengths):,}{note})")


def _lengths(release: Path, path: Path, paragraph_lengths: Counter[int]) -> None:
    document_lengths: Counter[int] = Counter(
        row["n_chars"] for row in iter_rows(release / "documents.parquet", columns=["n_chars"])
    )
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    log_histogram(left, paragraph_lengths, "Characters per body paragraph", "Paragraphs")
    log_histogram(right, document_lengths, "Body characters per document", "Documents")
    _save(figure, path)


def write_plots(release: Path, paragraph_lengths: Counter[int] | None = None) -> list[Path]:
    """Write the PNG plots into `<release>/plots/`; return their paths. `paragraph_lengths` is
    `body_paragraph_lengths` of the release, when the caller has it already."""
    _style()
    folder = release / PLOTS_DIR
    folder.mkdir(exist_ok=True)
    formats = Counter(
        row["capture_format"] for row in iter_rows(release / "documents.parquet", ["capture_format"])
    )
    reasons = Counter(row["reason_code"] for row in iter_rows(release / "rejects.parquet", ["reason_code"]))
    issuers = Counter(
        f"{row['issuer_type']} ({'in scope' if row['in_scope'] else 'out of scope'})"
        for row in iter_rows(release / "documents.parquet", ["issuer_type", "in_scope"])
    )
    _per_month(release, folder / "documents_per_month.png")
    lengths = body_paragraph_lengths(release) if paragraph_lengths is None else paragraph_lengths
    _lengths(release, folder / "lengths.png", lengths)
    bar_chart(
        formats, folder / "capture_formats.png", "Documents per capture format", "capture_format", "Documents",
        "no documents",
    )  # fmt: skip
    bar_chart(
        issuers, folder / "issuer_types.png", "Documents per issuer type", "issuer_type", "Documents",
        "no documents",
    )  # fmt: skip
    bar_chart(
        reasons, folder / "rejects.png", "Rejected inputs per reason", "reason_code", "Rejected inputs",
        "no rejects",
    )  # fmt: skip
    return [folder / name for name in PLOT_FILES]
