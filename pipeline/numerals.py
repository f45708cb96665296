"""Chinese numerals → integers: `十五` → 15, `四十` → 40, `二〇二三` → 2023, `两` → 2, `一万亿` → 10**12, `21亿` → 2.1e9.

Written here because the usual packages get political formulations wrong at run time (`两个确立`,
`一府一委两院`). Three forms are read: positional (`一万零五百`, `十五`, `两千`, `两万三千亿`, with 十/百/千/万/亿),
digit by digit (`二〇二三`, as years are written), and Arabic digits with a Chinese scale (`21亿`, `1.5万亿`,
`2千万`). The large units nest the way they are printed: everything written before the last 亿 is multiplied by
10^8, so `一万亿` is 10^12 and `三千五百万亿` is 3.5 × 10^15. `cn2an` is only used in the tests, as an oracle
for 1–99,999. Results are Python integers of any size; callers that store them check the range themselves.
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
UNIT_CHARS = "".join(SMALL_UNITS) + "".join(LARGE_UNITS)
ARABIC = "0-9０-９"
# Arabic digits, a decimal part only when a scale follows (`1.5万亿`; a bare `3.5` is not an integer).
ARABIC_SCALED = re.compile(f"(?P<number>[{ARABIC}]+(?:[.．][{ARABIC}]+)?)(?P<scale>[{UNIT_CHARS}]+)")
# One number in a term: Arabic with a scale (`21亿`), a run of Chinese numerals, or plain Arabic digits.
NUMERAL_RUN = re.compile(f"{ARABIC_SCALED.pattern}|[{NUMERAL_CHARS}]+|[{ARABIC}]+")
_WIDE = str.maketrans("０１２３４５６７８９．", "0123456789.")
_TEN_THOUSAND = ("万", "萬")
_HUNDRED_MILLION = ("亿", "億")


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


def _last_index(text: str, chars: tuple[str, ...]) -> int:
    return max(text.rfind(char) for char in chars)


def _below_hundred_million(text: str) -> int | None:
    """A numeral with at most one 万 (`两万三千`, `五百万`): below 10^8."""
    cut = _last_index(text, _TEN_THOUSAND)
    if cut < 0:
        return _small(text)
    head, tail = _small(text[:cut]), _small(text[cut + 1 :])
    if head is None or head == 0 or tail is None:  # `万`, `千万` (bare 千) and `零万` are not numbers
        return None
    return head * 10_000 + tail


def _positional(text: str) -> int | None:
    """A positional numeral: what stands before the last 亿 (itself positional, so `一万亿`, `一亿亿`) × 10^8,
    plus a tail below 10^8."""
    cut = _last_index(text, _HUNDRED_MILLION)
    if cut < 0:
        return _below_hundred_million(text)
    head = _positional(text[:cut]) if cut else None
    tail = _below_hundred_million(text[cut + 1 :])
    if head is None or head == 0 or tail is None:
        return None
    return head * 100_000_000 + tail


def _digit_by_digit(text: str) -> int | None:
    if len(text) < 2 or any(char not in DIGITS or char == "两" for char in text):
        return None
    return int("".join(str(DIGITS[char]) for char in text))


def scale_value(scale: str) -> int | None:
    """What a printed scale multiplies by: `万` → 10^4, `亿` → 10^8, `万亿` → 10^12, `千万` → 10^7."""
    return _positional("一" + scale) if scale else 1


def _arabic_scaled(number: str, scale: str) -> int | None:
    """`21` `亿` → 2,100,000,000; `1.5` `万亿` → 1.5 × 10^12; None when the product is not a whole number."""
    factor = scale_value(scale)
    if factor is None:
        return None
    whole, _, fraction = number.translate(_WIDE).partition(".")
    numerator = int(whole + fraction) * factor  # exact integer arithmetic, whatever the number of digits
    value, remainder = divmod(numerator, 10 ** len(fraction))
    return None if remainder else value


def parse_chinese_number(text: str) -> int | None:
    """The integer a Chinese (or Arabic, full- or half-width, with or without a Chinese scale) numeral writes;
    None if it is not one (or, for `1.23456万`, not a whole number)."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text.translate(_WIDE))
    scaled = ARABIC_SCALED.fullmatch(text)
    if scaled is not None:
        return _arabic_scaled(scaled["number"], scaled["scale"])
    if all(char in DIGITS for char in text) and len(text) > 1:
        # `二〇二三` is a digit string; `三五` (three or five) is not a number either way
        return _digit_by_digit(text) if any(DIGITS[c] == 0 for c in text) or len(text) >= 3 else None
    value = _positional(text)
    if value == 0 and not all(DIGITS.get(c) == 0 for c in text):
        return None
    return value
