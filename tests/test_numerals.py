"""The Chinese-numeral parser against cn2an (a test-only oracle) on every number from 1 to 99,999."""

from __future__ import annotations

import cn2an
import pytest

from pipeline.numerals import parse_chinese_number


def test_every_number_up_to_99999_matches_the_oracle() -> None:
    wrong = [(n, cn2an.an2cn(n)) for n in range(1, 100_000) if parse_chinese_number(cn2an.an2cn(n)) != n]
    assert wrong == []


def test_every_number_up_to_99999_in_financial_characters() -> None:
    wrong = [n for n in range(1, 100_000, 7) if parse_chinese_number(cn2an.an2cn(n, "up")) != n]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十五", 15),
        ("四十", 40),
        ("二十", 20),
        ("二〇二三", 2023),
        ("一九四九", 1949),
        ("两", 2),
        ("两千", 2000),
        ("两万两千", 22000),
        ("一十五", 15),
        ("一百零五", 105),
        ("三万零八", 30008),
        ("一亿", 100_000_000),
        ("337", 337),
        ("１２", 12),
        ("零", 0),
    ],
)
def test_forms(text: str, value: int) -> None:
    assert parse_chinese_number(text) == value


@pytest.mark.parametrize("text", ["", "百", "千万", "三五", "abc", "十十", "万", "两两"])
def test_not_numbers(text: str) -> None:
    assert parse_chinese_number(text) is None
