"""Chinese numerals → integers: `十五` → 15, `四十` → 40, `二十` → 20, `二〇二三` → 2023, `两` → 2.

Written here because the usual packages get political formulations wrong at run time (`两个确立`,
`一府一委两院`). Two forms are read: positional (`一万零五百`, `十五`, `两千`, with 十/百/千/万/亿) and digit by digit
(`二〇二三`, as years are written). `cn2an` is only used in the tests, as an oracle for 1–99,999.
"""

from __future__ import annotations

import re

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(LARGE_UNITS)
NUMERAL_RUN = re.compile(f"[{NUMERAL_CHARS}]+|[0-9０-９]+")


def _small(text: str) -> int | None:
    """A numeral below 10,000: `三千零五`, `十五`, `二十`, `一百一十`."""
    if not text:
        return 0
    total = 0
    digit: int | None = None
    for char in text:
        if char in DIGITS:
            if digit is not None and DIGITS[char] != 0 and digit != 0:
                return None  # two digits in a row without a unit: not positional
            digit = DIGITS[char]
        elif char in SMALL_UNITS:
            unit = SMALL_UNITS[char]
            if digit is None:
                if unit != 10 or total:  # a bare 百 or 千 is not a number; a bare 十 is ten (十五)
                    return None
                digit = 1
            total += digit * unit
            digit = None
        else:
            return None
    return total + (digit or 0)


def _digit_by_digit(text: str) -> int | None:
    if len(text) < 2 or any(char not in DIGITS or char == "两" for char in text):
        return None
    return int("".join(str(DIGITS[char]) for char in text))


def parse_chinese_number(text: str) -> int | None:
    """The integer a Chinese (or Arabic, full- or half-width) numeral writes; None if it is not one."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    if all(char in DIGITS for char in text) and len(text) > 1 and "十" not in text:
        # `二〇二三` is a digit string; `三五` (three or five) is not a number either way
        return _digit_by_digit(text) if any(DIGITS[c] == 0 for c in text) or len(text) >= 3 else None
    total = 0
    rest = text
    for unit_char, unit in sorted(LARGE_UNITS.items(), key=lambda item: -item[1]):
        if unit_char in rest:
            head, rest = rest.split(unit_char, 1)
            value = _small(head) if head else None
            if value is None or value == 0:
                return None
            total += value * unit
    tail = _small(rest)
    if tail is None:
        return None
    value = total + tail
    if value == 0 and not all(DIGITS.get(c) == 0 for c in text):
        return None
    return value
