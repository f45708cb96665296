"""Release plots: the series they draw (calendar months with zeros, log bins) and byte-stable PNGs."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.publish.plots import (
    PLOT_FILES,
    log_bins,
    median_low,
    month_range,
    monthly_by_group,
    monthly_series,
)

D = dt.date


def test_monthly_series_shows_empty_months_as_zero() -> None:
    dates = [D(2024, 1, 15), D(2024, 1, 31), D(2024, 4, 2)]
    assert monthly_series(dates) == [
        (D(2024, 1, 1), 2),
        (D(2024, 2, 1), 0),
        (D(2024, 3, 1), 0),
        (D(2024, 4, 1), 1),
    ]


def test_monthly_series_crosses_years_and_may_be_empty() -> None:
    assert monthly_series([D(2024, 2, 1), D(2023, 12, 31)]) == [
        (D(2023, 12, 1), 1),
        (D(2024, 1, 1), 0),
        (D(2024, 2, 1), 1),
    ]
    assert monthly_series([]) == []
    assert month_range(D(2024, 11, 30), D(2025, 1, 1)) == [D(2024, 11, 1), D(2024, 12, 1), D(2025, 1, 1)]


def test_monthly_by_group_keeps_top_groups_and_pools_the_rest() -> None:
    rows = [
        (D(2024, 1, 3), "甲"),
        (D(2024, 1, 9), "甲"),
        (D(2024, 3, 1), "甲"),
        (D(2024, 3, 2), "乙"),
        (D(2024, 3, 5), "丙"),
        (D(2024, 1, 6), "丁"),
        (D(2024, 1, 7), "丁"),
    ]
    months, series = monthly_by_group(rows, top=2)
    assert months == [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)]
    # by total, then name; the two groups of one document each are pooled as "others"
    assert series == {"甲": [2, 0, 1], "丁": [2, 0, 0], "others": [0, 0, 2]}
    assert monthly_by_group([], top=2) == ([], {})
    assert list(monthly_by_group(rows, top=4)[1]) == ["甲", "丁", "丙", "乙"]  # nobody left for "others"


def test_log_bins_span_whole_decades() -> None:
    edges = log_bins([5, 40, 233_123], per_decade=2)
    assert edges == pytest.approx(
        [
            10**0,
            10**0.5,
            10**1,
            10**1.5,
            10**2,
            10**2.5,
            10**3,
            10**3.5,
            10**4,
            10**4.5,
            10**5,
            10**5.5,
            10**6,
        ]
    )
    assert log_bins([100], per_decade=1) == pytest.approx([100, 1000])
    assert log_bins([0, 0]) == []


RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]


def test_plots_are_byte_identical_across_two_builds(tmp_path: Path) -> None:
    """Two `renda build` processes over captures with a gap of months give the same PNG bytes."""
    from conftest import FIXTURES

    raw = tmp_path / "raw"
    for relative in ("freewechat_text/sample.txt", "generic/notice.txt", "containers/gov_reports.csv"):
        (raw / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / relative, raw / relative)
    outputs = [tmp_path / "one", tmp_path / "two"]
    for out in outputs:
        result = subprocess.run(
            [*RENDA, "build", str(raw), "--out", str(out), "--jobs", "1"],
            capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    for name in PLOT_FILES:
        first, second = (out / "plots" / name for out in outputs)
        assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert first.read_bytes() == second.read_bytes(), name


def test_drawn_axes_are_dates_integers_and_log() -> None:
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from pipeline.publish.plots import log_histogram, month_bars

    figure, (months_axes, lengths_axes) = plt.subplots(1, 2)
    months = [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)]
    month_bars(months_axes, months, {"甲": [3, 0, 1]})
    starts = sorted(patch.get_x() for patch in months_axes.patches)
    assert starts == [mdates.date2num(month) for month in (months[0], months[2])]  # February: no bar …
    assert [patch.get_height() for patch in months_axes.patches] == [3, 1]
    low, high = months_axes.get_xlim()  # … but its place on the axis, a visible zero
    assert low < mdates.date2num(months[0]) and high > mdates.date2num(D(2024, 4, 1))
    assert months_axes.get_ylabel() == "Documents"
    assert all(float(tick).is_integer() for tick in months_axes.yaxis.get_majorticklocs())
    log_histogram(lengths_axes, Counter([3, 40, 41, 500, 233_123, 0]), "Characters per thing", "Things")
    assert lengths_axes.get_xscale() == "log"
    assert (lengths_axes.get_xlabel(), lengths_axes.get_ylabel()) == ("Characters (log scale)", "Things")
    assert lengths_axes.get_title() == "Characters per thing\n(n = 6, median 40; 1 empty not shown)"
    assert sum(patch.get_height() for patch in lengths_axes.patches) == 5
    assert all(float(tick).is_integer() for tick in lengths_axes.yaxis.get_majorticklocs())
    plt.close(figure)


def test_month_bars_leave_out_zero_bars_without_changing_a_pixel(tmp_path: Path) -> None:
    """`month_bars` draws no bar for a month without documents; the PNG is the same bytes as drawing every
    group's bar of every month, zeros included (as it did before), with zero bars on top of the tallest month
    (a sticky edge of the y axis), a group silent for a year and one without any document."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from pipeline.publish.plots import _save, _style, month_bars, month_range, next_month

    def every_bar(axes: Any, months: list[D], series: dict[str, list[int]]) -> None:
        bottom = [0] * len(months)
        for group, values in series.items():
            axes.bar(months, values, width=dt.timedelta(days=27), bottom=bottom, align="edge", label=group)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_xlim(months[0] - dt.timedelta(days=15), next_month(months[-1]) + dt.timedelta(days=15))
        locator = mdates.AutoDateLocator(minticks=3, maxticks=12)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("Documents")

    months = month_range(D(2019, 1, 1), D(2024, 12, 1))
    series = {
        "甲": [(3 * i) % 7 if i % 5 else 0 for i in range(len(months))],
        "乙": [0 if i < 12 else i % 3 for i in range(len(months))],
        "丙": [9 if i == 40 else 0 for i in range(len(months))],
        "丁": [0] * len(months),  # no documents in these months (the recent panel of an older account)
        "others": [1 if i % 11 == 0 else 0 for i in range(len(months))],
    }
    _style()
    for name, draw in (("every", every_bar), ("shown", month_bars)):
        figure, axes = plt.subplots(figsize=(9, 3.8))
        draw(axes, months, series)
        axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1), title="account")
        _save(figure, tmp_path / f"{name}.png")
    assert (tmp_path / "every.png").read_bytes() == (tmp_path / "shown.png").read_bytes()


@given(st.lists(st.integers(min_value=0, max_value=300_000), min_size=1, max_size=60))
def test_the_median_of_counted_lengths_is_the_median_of_the_listed_ones(values: list[int]) -> None:
    assert median_low(Counter(values)) == statistics.median_low(values)


def test_a_histogram_of_counted_lengths_draws_the_bars_of_the_listed_ones() -> None:
    import matplotlib.pyplot as plt

    from pipeline.publish.plots import log_histogram

    values = [1, 1, 2, 9, 10, 10, 10, 99, 100, 101, 5_000, 5_000, 40_000, 0, 0, 7]
    figure, axes = plt.subplots()
    log_histogram(axes, Counter(values), "Lengths", "Paragraphs")
    counts, _ = np.histogram([v for v in values if v > 0], bins=log_bins(values))
    assert [patch.get_height() for patch in axes.patches] == counts.tolist()
    assert axes.get_title() == "Lengths\n(n = 16, median 10; 2 empty not shown)"
    plt.close(figure)
