"""Meta lines (date, credits and page controls on one line) and control-only lines, read exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.metaline import Credit, MetaLine, is_control_line, read_meta_line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "2019年06月15日08:18\u00a0\u00a0来源：人民网-文化频道",
            MetaLine("2019年06月15日", (Credit("来源", "人民网-文化频道", 18, 29),)),
        ),
        (
            "发布日期：2016-11-22 浏览次数： 信息来源：省发改委",
            MetaLine("2016-11-22", (Credit("信息来源", "省发改委", 22, 31),)),
        ),
        (
            "时间：2019-09-18 06:23 来源： 山西日报 打印 字体： 放大 正常 缩小 分享",
            MetaLine("2019-09-18", (Credit("来源", "山西日报", 20, 28),)),
        ),
        ("2023-02-24 15:15:00来源: 新华社", MetaLine("2023-02-24", (Credit("来源", "新华社", 19, 26),))),
        (
            "来源：本站原创\u00a0\u00a0作者：医技药剂党支部",
            MetaLine(None, (Credit("来源", "本站原创", 0, 7), Credit("作者", "医技药剂党支部", 9, 19))),
        ),
        ("发布日期: 2012-06-24 字号: [大] [中] [小] [打印]", MetaLine("2012-06-24", ())),
        ("来源于：东区办事处", MetaLine(None, (Credit("来源于", "东区办事处", 0, 9),))),
        ("2018年3月20日", MetaLine("2018年3月20日", ())),
        # Fields of a header bar separated by `|`: a value ends at the mark, an empty one is nothing, a control
        # word keeps its counter.
        ("来源: | 发布时间: 2018-05-17 | 浏览次数: 2168", MetaLine("2018-05-17", ())),
        ("来源：新华社 | 发布时间：2018-05-17", MetaLine("2018-05-17", (Credit("来源", "新华社", 0, 6),))),
        (
            "作者：张三｜编辑：李四",
            MetaLine(None, (Credit("作者", "张三", 0, 5), Credit("编辑", "李四", 6, 11))),
        ),
    ],
)
def test_meta_lines_are_read_whatever_the_order_of_their_parts(line: str, expected: MetaLine) -> None:
    assert read_meta_line(line) == expected
    for credit in expected.credits:
        assert line[credit.start : credit.end].endswith(credit.value)


@pytest.mark.parametrize(
    "line",
    [
        "2019年3月5日，李克强作政府工作报告。",  # a sentence that starts with a date
        "新华社 2020-01-03 18:13 字号 超大 大 标准 小",  # an unlabelled name: not read as a credit
        "会议于2019年3月5日在北京召开",
        "来源",
        "2019年2月30日",  # no such day
        "2018-05-17 | 2168",  # a number that counts nothing a control word names
    ],
)
def test_anything_else_is_not_a_meta_line(line: str) -> None:
    assert read_meta_line(line) is None


@pytest.mark.parametrize(
    ("line", "controls"),
    [
        ("【纠错】", True),
        ("+1", True),
        ("【1】【2】【3】【4】", True),
        ("[打印] [关闭]", True),
        ("字号：大 中 小", True),
        ("调整字体", True),
        ("图集", False),
        ("【详细】", False),
        ("第一条", False),
        ("大会在北京举行", False),
    ],
)
def test_control_lines(line: str, controls: bool) -> None:
    assert is_control_line(line) is controls


@given(st.text(alphabet="的是在了人大会议代表委员，。、", min_size=1, max_size=60))
def test_prose_without_a_date_or_label_is_never_a_meta_line(text: str) -> None:
    assert read_meta_line(text) is None


def test_other_header_labels_make_a_meta_line_but_no_credit() -> None:
    assert read_meta_line("发布日期：2019-09-23 14:34:05  所属分类：头条") == MetaLine("2019-09-23", ())
    assert read_meta_line("所属分类：头条") == MetaLine(None, ())
    assert is_control_line("标签：")
