"""Scales and big numbers in the layers (issue 13, hostile probe): 万亿/亿/万 scale right in terms and figures,
amounts are in the base unit, and no numeral overflows the stored types."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.arrow import arrow_schema
from pipeline.layers import Paragraph
from pipeline.layers.figures import MAX_EXACT_AMOUNT, figures
from pipeline.layers.terms import numbers_of
from pipeline.models import MODELS
from pipeline.stages.enrich import layer_rows
from pipeline.tables import TableWriter

DOC_ID = "0" * 16


def _rows(text: str) -> dict[str, list[dict]]:
    paragraph = Paragraph(0, text, 5, 5 + len(text))
    return layer_rows({"doc_id": DOC_ID, "title": None}, [paragraph], "HEAD\n" + text, [])


def _figures(text: str) -> list[tuple[float, str, str]]:
    return [(r["amount"], r["unit"], r["figure_text"]) for r in _rows(text)["figures"]]


@pytest.mark.parametrize(
    ("term", "numbers"),
    [
        ("一万亿", [10**12]),  # was [10000]
        ("三千五百万亿", [35 * 10**14]),  # was [35000000]
        ("两万三千亿", [23 * 10**11]),  # was [23000]
        ("五千亿", [5 * 10**11]),
        ("十亿", [10**9]),
        ("21亿", [2_100_000_000]),  # was [21]
        ("1.5万亿", [1_500_000_000_000]),  # was [1, 5]
        ("1.23456万", []),  # not a whole number: no count
        ("一万亿亿亿", []),  # 10^28 does not fit int64: dropped, not overflowed
        ("一万亿亿", []),  # 10^20 neither
        ("9999999999999999", [9_999_999_999_999_999]),  # the longest Arabic term (16 characters) fits
        ("十四五", [14, 5]),
        ("1+3", [1, 3]),
    ],
)
def test_term_numbers_scale_and_stay_in_int64(term: str, numbers: list[int]) -> None:
    assert numbers_of(term) == numbers


def test_terms_with_huge_numerals_build_an_arrow_table(tmp_path: Path) -> None:
    """The probe's paragraph: before, 五千亿 aborted enrich (int32 list) — now int64, and the 30 digits give []."""
    rows = _rows("会议提出“五千亿”目标，另有“123456789012345678901234567890”和“一万亿亿亿”两种写法。")
    terms = rows["terms"]
    assert [(t["term"], t["numbers"], t["is_numbered"]) for t in terms] == [
        ("五千亿", [500_000_000_000], True),
        ("123456789012345678901234567890", [], False),
        ("一万亿亿亿", [], False),
    ]
    schema = arrow_schema("terms")
    assert schema.field("numbers").type == pa.list_(pa.field("item", pa.int64(), nullable=False))
    table = pa.Table.from_pylist(terms, schema=schema)
    assert table.column("numbers").to_pylist() == [[500_000_000_000], [], []]
    # and through the real writer, after the model validation enrich applies
    path = tmp_path / "terms.parquet"
    with TableWriter("terms", path) as writer:
        for row in terms:
            writer.write(MODELS["terms"].model_validate(row).model_dump())
    assert pq.read_table(path).column("numbers").to_pylist() == [[500_000_000_000], [], []]


def test_largest_int64_number_is_kept_and_writes() -> None:
    """2^63 − 1 is the bound: a term just at it keeps its number and Arrow takes it."""
    assert numbers_of("9223372036854775807") == []  # 19 characters: longer than a formulation, not numbered
    rows = _rows("“九百二十二亿亿”")  # 9.22 × 10^18 < 2^63 − 1 ≈ 9.223 × 10^18
    assert rows["terms"][0]["numbers"] == [9_220_000_000_000_000_000]
    pa.Table.from_pylist(rows["terms"], schema=arrow_schema("terms"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "全年经济总量达14.2万亿元。",
            [(14_200_000_000_000.0, "元", "经济总量达14.2万亿元")],
        ),  # was 142000 亿元
        ("投资2000亿元。", [(200_000_000_000.0, "元", "投资2000亿元")]),
        ("规模达1.5万亿元。", [(1_500_000_000_000.0, "元", "规模达1.5万亿元")]),
        ("筹集21亿元。", [(2_100_000_000.0, "元", "筹集21亿元")]),
        ("吸纳62.6万人。", [(626_000.0, "人", "吸纳62.6万人")]),
        ("补助5千元。", [(5_000.0, "元", "补助5千元")]),  # was (5.0, 千元)
        ("安排3千万元。", [(30_000_000.0, "元", "安排3千万元")]),
        ("预算5萬元。", [(50_000.0, "元", "预算5萬元")]),  # traditional 萬 scales too
        ("覆盖3亿人次。", [(300_000_000.0, "人次", "覆盖3亿人次")]),
        ("长5千米。", [(5.0, "公里", "5千米")]),  # kilometres are a unit (公里), not a scaled 米
    ],
)
def test_figure_amounts_are_in_the_base_unit(text: str, expected: list[tuple[float, str, str]]) -> None:
    assert _figures(text) == expected


def test_full_width_percent_is_percent() -> None:
    assert [(a, u) for a, u, _ in _figures("优良率超84％，增长5.5%。")] == [(84.0, "%"), (5.5, "%")]


def test_amounts_are_exact_integers_up_to_10_to_the_15() -> None:
    """float64 is exact for whole numbers up to 2^53; government figures (10^15 元 is 1000万亿元) stay below."""
    rows = _figures("合计999.999999999999万亿元，另有1000万亿元，9007199254740992元。")
    assert [(int(a), u) for a, u, _ in rows] == [
        (999_999_999_999_999, "元"),
        (10**15, "元"),
        (2**53, "元"),
    ]
    assert all(a == int(a) for a, _, _ in rows)


def test_amounts_beyond_exact_float64_are_not_recorded() -> None:
    """An 18-digit identity number before 个, or 10^20 元, would be stored rounded: they are left out."""
    assert MAX_EXACT_AMOUNT == 2**53
    assert _figures("编号110101199003071234个，又9007199254740993元，共1亿亿亿元，另有16个代表之家。") == [
        (16.0, "个", "16个代表之家")
    ]
    huge = "1" + "0" * 400 + "元"  # float() of it would be inf
    assert _figures(huge) == []


def test_figure_rows_build_an_arrow_table() -> None:
    rows = _rows("全年经济总量达14.2万亿元，投资2000亿元，增长5％。")["figures"]
    table = pa.Table.from_pylist(rows, schema=arrow_schema("figures"))
    assert table.column("amount").to_pylist() == [14_200_000_000_000.0, 200_000_000_000.0, 5.0]
    assert table.column("unit").to_pylist() == ["元", "元", "%"]


def test_figure_text_keeps_the_printed_form_and_its_counted_thing() -> None:
    """figure_text slices the paragraph, printed scale (万亿, ％) included, so the printed unit is recoverable;
    a thing read before the number starts the span even when a word of change (达) was trimmed off it
    (before: the span started len(达) characters late, `济总量达14.2万亿元`)."""
    text = "全年经济总量达14.2万亿元，优良率超84％。"
    paragraph = Paragraph(0, text, 0, len(text))
    found = list(figures(paragraph))
    assert [(f.counted, text[f.text_start : f.text_end]) for f in found] == [
        ("经济总量", "经济总量达14.2万亿元"),
        ("优良率", "优良率超84％"),
    ]
