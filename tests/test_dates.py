"""The date grammar (`pipeline.dates`): the forms captures print, the parse to a day, timestamps as days in China."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pipeline.dates import (
    CHINESE_DATE,
    CLOCK,
    DATE,
    ISO_DATE,
    SPACED_DATE,
    feed_day,
    find_date,
    is_iso_day,
    parse_date,
    unix_day,
)


@pytest.mark.parametrize(
    ("form", "matches", "misses"),
    [
        (ISO_DATE, ["2024-03-05", "2024-3-5"], ["2024/03/05", "2024年3月5日", "20240305"]),
        (CHINESE_DATE, ["2026年5月14日", "2026年05月14日"], ["2026年5月14", "2026-05-14"]),
        (
            DATE,
            ["2023-02-24", "2025/02/28", "2025.02.28", "2023年2月24日", "2023年2月24"],
            ["2023 年 2 月 24 日"],
        ),
        (SPACED_DATE, ["2026 年 1 月 26日", "2026 - 01 - 26", "2026-01-26"], ["26.01.2026"]),
        (CLOCK, ["9:30", "09:30:15"], ["0930", "9时30分"]),
    ],
)
def test_date_forms(form: str, matches: list[str], misses: list[str]) -> None:
    assert all(re.fullmatch(form, text) for text in matches)
    assert not any(re.fullmatch(form, text) for text in misses)


def test_parse_date_reads_every_form_and_refuses_impossible_days() -> None:
    day = dt.date(2023, 12, 23)
    for printed in (
        "2023-12-23",
        "2023/12/23",
        "2023.12.23",
        "2023年12月23日",
        "发布时间：2023 年 12 月 23 日 10:30",
        "二〇二三年十二月二十三日",  # an official document's signature date, in Chinese numerals
        "二○二三年十二月二十三日",  # with the circle sign for zero
    ):
        assert parse_date(printed) == day
    assert parse_date("2023-02-30") is None
    assert parse_date("二〇二三年二月三十日") is None
    assert parse_date("二〇二三年十三月一日") is None
    assert parse_date("") is None
    assert parse_date(None) is None


def test_find_date_gives_the_date_as_printed() -> None:
    assert find_date("人民网 2023年2月24日 10:30") == "2023年2月24日"
    assert find_date("2023-02-30 and 2023-02-28") is None  # the first date printed decides
    assert find_date("no date") is None
    assert find_date("张扣扣委托辩护人 二〇一九年一月八日") == "二〇一九年一月八日"


def test_release_day_is_written_yyyy_mm_dd() -> None:
    assert is_iso_day("2026-11-24")
    assert not is_iso_day("20261124")  # date.fromisoformat takes it; a release date may not
    assert not is_iso_day("2026-W47-2")
    assert not is_iso_day("2026-02-30")


def test_timestamps_are_days_in_china() -> None:
    assert feed_day("Tue, 05 Mar 2024 20:00:00 GMT") == "2024-03-06"  # 04:00 the next day in Beijing
    assert feed_day("2024-03-05T20:00:00Z") == "2024-03-06"
    assert feed_day("2024-03-05T20:00:00") == "2024-03-05"  # no zone: the day as printed
    assert feed_day("yesterday") == "yesterday"
    assert unix_day(1709668800) == "2024-03-06"  # 2024-03-05 20:00 UTC
