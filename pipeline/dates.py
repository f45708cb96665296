"""Dates as captures print them, and the one parse of such a date to a calendar day.

A format's header rule keeps its own line (`《人民日报》（2026年05月14日 第 01 版）`, `发表于 2024-03-05`) but
builds the date in it from the forms below, and `parse_date` reads whatever those forms matched: a date form
added or widened here is matched and parsed alike everywhere. Timestamps (a feed's, a page's Unix seconds) are
read as the calendar day in China, where the articles are published.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from pipeline.numerals import parse_chinese_number


def _date(year_month: str, month_day: str, day_end: str = "", gap: str = "", named: bool = False) -> str:
    """Year, month and day with the given separators; `gap` may stand around each separator."""
    year, month, day = (r"\d{4}", r"\d{1,2}", r"\d{1,2}")
    if named:
        year, month, day = (rf"(?P<year>{year})", rf"(?P<month>{month})", rf"(?P<day>{day})")
    return f"{year}{gap}{year_month}{gap}{month}{gap}{month_day}{gap}{day}{day_end}"


ISO_DATE = _date("-", "-")  # 2024-03-05, also unpadded (2024-3-5)
CHINESE_DATE = _date("年", "月", "日")  # 2026年5月14日, 2026年05月14日
DATE = _date("[-/.年]", "[-/.月]", "日?")  # any of the above, or 2025/02/28, 2025.02.28
SPACED_DATE = _date("[-/.年]", "[-/.月]", "日?", gap=r"\s*")  # the same with spaces (`2026 年 1 月 26日`)
HOUR_MINUTE = r"\d{1,2}:\d{2}"  # 09:30
CLOCK = rf"{HOUR_MINUTE}(?::\d{{2}})?"  # 09:30 or 09:30:15
CHINESE_CLOCK = r"\d{1,2}[:时]\d{2}分?(?::\d{2})?"  # 9时30分, 09:30 or 09:30:15
# Official documents date their signature in Chinese numerals, the year digit by digit: 二〇一九年一月八日.
_NUMERAL_DIGITS = "〇○零一二三四五六七八九"
NUMERAL_DATE = rf"[{_NUMERAL_DIGITS}]{{4}}年[一二三四五六七八九十]{{1,2}}月[一二三四五六七八九十]{{1,3}}日"
# What `parse_date` reads: the first date in the value, in any form above.
_PARSED = re.compile(
    _date("[-/.年]", "[-/.月]", "日?", gap=r"\s*", named=True)
    + rf"|(?P<numerals>(?P<nyear>[{_NUMERAL_DIGITS}]{{4}})年(?P<nmonth>[一二三四五六七八九十]{{1,2}})月"
    + r"(?P<nday>[一二三四五六七八九十]{1,3})日)"
)
# A release date in params.yaml: YYYY-MM-DD exactly (`date.fromisoformat` also takes 20261124 and 2026-W47-2).
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# China has one time zone and no daylight saving time.
CHINA_TIME = dt.timezone(dt.timedelta(hours=8))


def parse_date(value: str | None) -> dt.date | None:
    """A calendar date from `2023-12-23`, `2023/12/23` or `2023年12月23日`; None if absent or impossible."""
    found = _PARSED.search(value) if value else None
    return _day(found) if found is not None else None


def find_date(value: str) -> str | None:
    """The first date printed in `value`, as printed, if it is a real calendar day."""
    found = _PARSED.search(value)
    return found.group(0) if found is not None and _day(found) is not None else None


def _day(found: re.Match[str]) -> dt.date | None:
    if found["numerals"]:
        parts = (parse_chinese_number(found["nyear"]), parse_chinese_number(found["nmonth"]))
        year, month, day = (*parts, parse_chinese_number(found["nday"]))
        if year is None or month is None or day is None:
            return None
    else:
        year, month, day = int(found["year"]), int(found["month"]), int(found["day"])
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def is_iso_day(value: str) -> bool:
    """Whether `value` is a day written YYYY-MM-DD (and a real one)."""
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return _ISO_DAY.fullmatch(value) is not None


def day_in_china(moment: dt.datetime) -> str:
    """The calendar day (YYYY-MM-DD) of a moment in China; a moment without a time zone is taken as printed."""
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone(CHINA_TIME).date().isoformat()


def unix_day(seconds: int) -> str:
    """The calendar day in China of a Unix time (WeChat pages keep the publication time so)."""
    return day_in_china(dt.datetime.fromtimestamp(seconds, tz=CHINA_TIME))


def feed_day(value: str) -> str:
    """An RSS (RFC 822) or Atom (ISO 8601) timestamp as the calendar day in China, else the value as given."""
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return day_in_china(moment)
