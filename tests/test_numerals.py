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


@pytest.mark.parametrize(
    "text", ["", "百", "千万", "三五", "abc", "十十", "万", "两两", "万亿", "亿", "零万", "一万万"]
)
def test_not_numbers(text: str) -> None:
    assert parse_chinese_number(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一万亿", 10**12),
        ("三千五百万亿", 35 * 10**14),
        ("两万三千亿", 23 * 10**11),
        ("五千亿", 5 * 10**11),
        ("十亿", 10**9),
        ("一亿零五百万", 105_000_000),
        ("一亿五千万", 150_000_000),
        ("一千万", 10**7),
        ("一亿亿", 10**16),
        ("一万亿亿亿", 10**28),  # a Python int: the parser does not bound, callers that store values do
        ("十二亿三千四百五十六万七千八百九十", 1_234_567_890),
    ],
)
def test_large_units_nest(text: str, value: int) -> None:
    """Everything before the last 亿 is multiplied by 10^8: 一万亿 is 10^12, not 10,000 (the probe's case)."""
    assert parse_chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("21亿", 2_100_000_000),
        ("2000亿", 200_000_000_000),
        ("14.2万亿", 14_200_000_000_000),
        ("1.5万亿", 1_500_000_000_000),
        ("62.6万", 626_000),
        ("2千万", 20_000_000),
        ("１．５万", 15_000),
        ("3000000000", 3_000_000_000),
        ("1" + "0" * 40 + "亿", 10**48),  # exact integer arithmetic, no 28-digit decimal rounding
    ],
)
def test_arabic_with_a_chinese_scale(text: str, value: int) -> None:
    assert parse_chinese_number(text) == value


@pytest.mark.parametrize("text", ["1.23456万", "1.5", "2万万", "3亿万"])
def test_arabic_scaled_that_is_not_a_whole_number_or_not_a_scale(text: str) -> None:
    assert parse_chinese_number(text) is None


def test_oracle_agrees_on_large_units() -> None:
    """cn2an reads the big round numbers the same way (it is the oracle for 1–99,999 above)."""
    for value in (10**8, 10**9, 5 * 10**11, 10**12, 23 * 10**11, 1_234_567_890, 105_000_000):
        assert parse_chinese_number(cn2an.an2cn(value)) == value, cn2an.an2cn(value)
