"""Release plots (PNG): documents per month by account, lengths, capture formats, reject reasons.

Byte-stable: the Agg backend, a CJK font pinned in the lock (Noto Sans CJK from `cvttf-notosanscjk-regular`,
never a system font), no PNG metadata, fixed sizes, and every number read from the release tables.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pyarrow.compute as pc
import pyarrow.parquet as pq
from matplotlib import font_manager
from matplotlib.ticker import MaxNLocator

from pipeline.tables import iter_rows

PLOTS_DIR = "plots"
TOP_ACCOUNTS = 8
DPI = 100
PLOT_FILES = {
    "documents_per_month.png": "Documents per month, by account (top accounts, others pooled)",
    "lengths.png": "Characters per body paragraph and per document",
    "capture_formats.png": "Documents per capture format",
    "rejects.png": "Rejected inputs per reason",
}


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
            "svg.hashsalt": "renda",
            "path.simplify": True,
        }
    )


def _save(figure: plt.Figure, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=DPI, format="png", metadata={"Software": None})
    plt.close(figure)


def _bar(counter: Counter[str], title: str, path: Path, empty: str) -> None:
    figure, axes = plt.subplots(figsize=(6, 3))
    items = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    if items:
        labels, values = zip(*items, strict=True)
        axes.barh(range(len(values)), values, color="#4C72B0")
        axes.set_yticks(range(len(values)), labels)
        axes.invert_yaxis()
        for index, value in enumerate(values):
            axes.text(value, index, f" {value}", va="center")
    else:
        axes.text(0.5, 0.5, empty, ha="center", va="center", transform=axes.transAxes)
        axes.set_yticks([])
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title)
    _save(figure, path)


def _per_month(release: Path, path: Path) -> None:
    months: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    for row in iter_rows(release / "documents.parquet", columns=["account", "published_date"]):
        if row["published_date"] is None:
            continue
        account = row["account"] or "(no account)"
        months[(row["published_date"].strftime("%Y-%m"), account)] += 1
        totals[account] += 1
    top = [name for name, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:TOP_ACCOUNTS]]
    figure, axes = plt.subplots(figsize=(8, 3.5))
    labels = sorted({month for month, _ in months})
    if labels:
        bottom = [0] * len(labels)
        for account in [*top, "others"]:
            values = [
                months[(month, account)]
                if account != "others"
                else sum(v for (m, a), v in months.items() if m == month and a not in top)
                for month in labels
            ]
            if any(values):
                axes.bar(range(len(labels)), values, bottom=bottom, label=account)
                bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        step = max(1, len(labels) // 12)
        axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right")
        axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    else:
        axes.text(0.5, 0.5, "no dated documents", ha="center", va="center", transform=axes.transAxes)
    axes.set_title("Documents per month by account")
    _save(figure, path)


def _lengths(release: Path, path: Path) -> None:
    paragraph_lengths: list[int] = []
    document_lengths = [
        row["n_chars"] for row in iter_rows(release / "documents.parquet", columns=["n_chars"])
    ]
    parquet = pq.ParquetFile(release / "paragraphs.parquet")
    for index in range(parquet.num_row_groups):
        group = parquet.read_row_group(index, columns=["kind", "text"])
        body = pc.is_in(group.column("kind"), value_set=pc.cast(["body", "list_item"], "string"))
        paragraph_lengths.extend(pc.utf8_length(pc.filter(group.column("text"), body)).to_pylist())
    figure, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    for axes, values, title in (
        (left, paragraph_lengths, "Characters per body paragraph"),
        (right, document_lengths, "Body characters per document"),
    ):
        if values:
            axes.hist(values, bins=30, color="#55A868")
        axes.set_title(title)
        axes.set_ylabel("count")
    _save(figure, path)


def write_plots(release: Path) -> list[Path]:
    """Write the PNG plots into `<release>/plots/`; return their paths."""
    _style()
    folder = release / PLOTS_DIR
    folder.mkdir(exist_ok=True)
    formats = Counter(
        row["capture_format"] for row in iter_rows(release / "documents.parquet", ["capture_format"])
    )
    reasons = Counter(row["reason_code"] for row in iter_rows(release / "rejects.parquet", ["reason_code"]))
    _per_month(release, folder / "documents_per_month.png")
    _lengths(release, folder / "lengths.png")
    _bar(formats, "Documents per capture format", folder / "capture_formats.png", "no documents")
    _bar(reasons, "Rejected inputs per reason", folder / "rejects.png", "no rejects")
    return [folder / name for name in PLOT_FILES]
