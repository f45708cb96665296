"""Tables: HTML data tables (saved page, inline HTML in markdown, a container cell) and markdown pipe tables become
one `table` paragraph (rows by newline, cells by tab) and rows of `tables`; layout tables are unwrapped; a
container row's other columns are `container_fields`. Exact records from small fixtures in the shapes of the real
captures."""

from __future__ import annotations

import json

import hypothesis.strategies as st
import lxml.html
from hypothesis import given

from pipeline.formats import FORMATS
from pipeline.html import Cell, grid_text, is_layout_table, read_page, table_grid, table_markup
from pipeline.markdown import read_inline
from pipeline.models import DocumentBundle, RawUnit
from pipeline.parser import parse_text, span_text
from pipeline.process import process
from pipeline.settings import Settings
from pipeline.stages.ingest import ingest_file

TABLE_COLUMNS = ("paragraph_index", "row_index", "cell_index", "text", "is_header", "row_span", "col_span")


def _bundles(name: str, data: bytes) -> list[DocumentBundle]:
    units = list(ingest_file(name, data, Settings()))
    assert all(isinstance(unit, RawUnit) for unit in units), units
    bundles = [process(unit) for unit in units]
    assert all(isinstance(bundle, DocumentBundle) for bundle in bundles), bundles
    return bundles  # type: ignore[return-value]


def _paragraphs(bundle: DocumentBundle) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in bundle.paragraphs]


def _cells(bundle: DocumentBundle) -> list[tuple[object, ...]]:
    return [tuple(getattr(cell, column) for column in TABLE_COLUMNS) for cell in bundle.tables]


def _spans_rebuild_text(bundle: DocumentBundle) -> None:
    raw = bundle.raw_texts[0].raw_text
    markdown = FORMATS[bundle.document.capture_format].markdown
    for p in bundle.paragraphs:
        assert span_text(raw, p.char_start, p.char_end, markdown, p.kind) == p.text


# --- a CSV row: an HTML table in the text cell, and columns in no role ----------------------------------------

# The shape of ../shared/corpus/gov_report_csv: the portal's furniture and header lines, then the report (read as
# gov_portal_text, one paragraph per line); here one line holds a table the exporter left as HTML.
GOV_REPORT_CSV = (
    "province,year,title,source_url,publish_date,full_text,batch\n"
    '江苏省,2026,2026年江苏省政府工作报告,https://example.gov.cn/gzbg/1.html,2026-02-09,"下载\n打印\n全屏\n收藏\n'
    "【字号：\n加大\n还原\n减小\n】\n2026年江苏省政府工作报告\n来源：新华日报\n时间：2026-02-09\n各位代表：\n"
    "现在，我代表省人民政府向大会报告工作，请予审议。\n"
    '主要预期目标如下：<table class=""t""><tr><th>指标</th><th>目标</th></tr>'
    "<tr><td>地区生产总值增长</td><td>5%左右</td></tr><tr><td>城镇新增就业</td><td>120万人以上</td></tr></table>\n"
    '各位代表，让我们紧密团结，奋力谱写新篇章！",\n'
    ",2025,无正文的一行,,,,\n"
)


def test_csv_row_with_an_html_table_and_extra_columns() -> None:
    units = list(ingest_file("gov_report_csv/report.csv", GOV_REPORT_CSV.encode(), Settings()))
    unit = units[0]
    assert isinstance(unit, RawUnit)
    (bundle,) = [process(unit)]
    assert isinstance(bundle, DocumentBundle)
    assert (bundle.document.container, bundle.document.capture_format) == ("csv", "gov_portal_text")
    assert bundle.document.title == "2026年江苏省政府工作报告"
    # province, year and batch fill no role; the empty batch cell is left out; keys sorted, compact JSON
    assert bundle.document.container_fields == '{"province":"江苏省","year":"2026"}'
    assert json.loads(bundle.document.container_fields) == {"province": "江苏省", "year": "2026"}
    assert _paragraphs(bundle) == [
        ("body", "各位代表："),
        ("body", "现在，我代表省人民政府向大会报告工作，请予审议。"),
        ("body", "主要预期目标如下："),
        ("table", "指标\t目标\n地区生产总值增长\t5%左右\n城镇新增就业\t120万人以上"),
        ("body", "各位代表，让我们紧密团结，奋力谱写新篇章！"),
    ]
    assert _cells(bundle) == [
        (3, 0, 0, "指标", True, 1, 1),
        (3, 0, 1, "目标", True, 1, 1),
        (3, 1, 0, "地区生产总值增长", False, 1, 1),
        (3, 1, 1, "5%左右", False, 1, 1),
        (3, 2, 0, "城镇新增就业", False, 1, 1),
        (3, 2, 1, "120万人以上", False, 1, 1),
    ]
    table = bundle.paragraphs[3]
    raw = bundle.raw_texts[0].raw_text
    # the table paragraph's span is the table's markup as captured
    assert raw[table.char_start : table.char_end].startswith('<table class="t">')
    assert raw[table.char_start : table.char_end].endswith("</table>")
    _spans_rebuild_text(bundle)
    # the second row has no text: its reject is unchanged; a row without extra columns has null there
    assert units[1].reason_code == "empty_row"  # type: ignore[union-attr]


def test_container_fields_are_null_without_other_columns_and_for_files() -> None:
    data = "title,content\n标题一,正文第一段。\n".encode()
    (bundle,) = _bundles("plain.csv", data)
    assert bundle.document.container_fields is None
    (single,) = _bundles("article.txt", "标题\n\n正文第一段。\n".encode())
    assert single.document.container_fields is None


def test_container_fields_of_jsonl_are_text_in_sorted_order_and_nfc() -> None:
    row = {
        "text": "正文。",
        "title": "标题",
        "zeta": 3,
        "Alpha": ["a", 1],
        "cafe\u0301": None,
        "e\u0301": 1.5,
    }
    (bundle,) = _bundles("rows.jsonl", (json.dumps(row, ensure_ascii=False) + "\n").encode())
    # null cells are left out, numbers and lists as text, keys NFC and sorted by code point
    assert bundle.document.container_fields == '{"Alpha":"[\\"a\\",1]","zeta":"3","\u00e9":"1.5"}'


# --- markdown: a pipe table, and an HTML table a converter left inline ---------------------------------------

# html2text ends every row with two spaces (a hard break); the lines are written so here
HTML2TEXT = "\n".join(
    [
        "# 漏洞通告",
        "",
        "## 时间线",
        "",
        "下表列出处置经过。",
        "",
        "日期| 行动  ",
        "---|---  ",
        "2021-11-18| 向 **Zabbix** 维护人员发送安全公告。  ",
        "2021-11-22| 供应商证实了我们的发现\\|复现。  ",
        "",
        "以上为全部经过。",
        "",
    ]
)


def test_markdown_pipe_table_is_one_table_paragraph_with_header_cells() -> None:
    doc = parse_text(HTML2TEXT, FORMATS["wechat_html2text"])
    assert [(p["kind"], p["text"]) for p in doc.paragraphs] == [
        ("body", "下表列出处置经过。"),
        (
            "table",
            "日期\t行动\n2021-11-18\t向 Zabbix 维护人员发送安全公告。\n2021-11-22\t供应商证实了我们的发现|复现。",
        ),
        ("body", "以上为全部经过。"),
    ]
    assert [tuple(row[c] for c in TABLE_COLUMNS) for row in doc.tables] == [
        (1, 0, 0, "日期", True, 1, 1),
        (1, 0, 1, "行动", True, 1, 1),
        (1, 1, 0, "2021-11-18", False, 1, 1),
        (1, 1, 1, "向 Zabbix 维护人员发送安全公告。", False, 1, 1),
        (1, 2, 0, "2021-11-22", False, 1, 1),
        (1, 2, 1, "供应商证实了我们的发现|复现。", False, 1, 1),
    ]
    table = doc.paragraphs[1]
    span = HTML2TEXT[table["char_start"] : table["char_end"]]
    assert span.startswith("日期| 行动") and "---|---" in span and span.endswith("发现\\|复现。")
    assert "table_markup" not in [d.reason for d in doc.dropped]  # the `---|---` line is the table's own
    assert span_text(HTML2TEXT, table["char_start"], table["char_end"], True, "table") == table["text"]


MP2MARKDOWN = (
    "# 代表履职数据\n\n"
    "本季度代表履职情况如下。\n\n"
    '<table><tbody><tr><td colspan="2"><strong>代表</strong></td><td>建议数</td></tr>'
    "<tr><td>张三</td><td>区人大</td><td>3</td></tr><tr><td></td><td>　</td><td></td></tr>"
    "<tr><td>李四</td><td></td><td>5</td></tr></tbody></table>\n\n"
    "数据来源：区人大常委会。\n"
)


def test_inline_html_table_in_markdown_keeps_spans_and_empty_cells() -> None:
    doc = parse_text(MP2MARKDOWN, FORMATS["wechatmp2markdown"])
    assert [(p["kind"], p["text"]) for p in doc.paragraphs] == [
        ("body", "本季度代表履职情况如下。"),
        ("table", "代表\t建议数\n张三\t区人大\t3\n李四\t\t5"),
        ("body", "数据来源：区人大常委会。"),
    ]
    assert [tuple(row[c] for c in TABLE_COLUMNS) for row in doc.tables] == [
        (1, 0, 0, "代表", False, 1, 2),
        (1, 0, 1, "建议数", False, 1, 1),
        (1, 1, 0, "张三", False, 1, 1),
        (1, 1, 1, "区人大", False, 1, 1),
        (1, 1, 2, "3", False, 1, 1),
        (1, 2, 0, "李四", False, 1, 1),
        (1, 2, 1, None, False, 1, 1),  # an empty cell keeps its place, text null
        (1, 2, 2, "5", False, 1, 1),
    ]


# --- saved pages: a data table, and a portal's layout table ---------------------------------------------------

DATA_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>市人大常委会审议预算调整方案_市人大</title>
</head><body><div class="nav"><a href="/">首页</a></div><div id="content">
<h1>市人大常委会审议预算调整方案</h1>
<p>会议审议了市政府关于预算调整方案的报告，调整情况见下表。</p>
<table border="1"><thead><tr><th>项目</th><th>调整前_亿元</th><th>调整后</th></tr></thead>
<tbody><tr><td rowspan="2">一般公共预算</td><td>120.5</td><td>*126.0*</td></tr>
<tr><td>&lt;30&gt;</td><td>32 [注]</td></tr></tbody></table>
<p>会议决定批准该调整方案。</p></div></body></html>"""


def test_saved_page_data_table_becomes_canonical_html_and_cells() -> None:
    page = read_page(DATA_PAGE)
    assert page.text == (
        "# 市人大常委会审议预算调整方案\n\n"
        "会议审议了市政府关于预算调整方案的报告，调整情况见下表。\n\n"
        "<table><tr><th>项目</th><th>调整前\\_亿元</th><th>调整后</th></tr>"
        '<tr><td rowspan="2">一般公共预算</td><td>120.5</td><td>\\*126.0\\*</td></tr>'
        "<tr><td>&lt;30&gt;</td><td>32 \\[注\\]</td></tr></table>\n\n"
        "会议决定批准该调整方案。"
    )
    (bundle,) = _bundles("portal/page.html", DATA_PAGE.encode())
    assert _paragraphs(bundle) == [
        ("body", "会议审议了市政府关于预算调整方案的报告，调整情况见下表。"),
        ("table", "项目\t调整前_亿元\t调整后\n一般公共预算\t120.5\t*126.0*\n<30>\t32 [注]"),
        ("body", "会议决定批准该调整方案。"),
    ]
    assert _cells(bundle) == [
        (1, 0, 0, "项目", True, 1, 1),
        (1, 0, 1, "调整前_亿元", True, 1, 1),
        (1, 0, 2, "调整后", True, 1, 1),
        (1, 1, 0, "一般公共预算", False, 2, 1),
        (1, 1, 1, "120.5", False, 1, 1),
        (1, 1, 2, "*126.0*", False, 1, 1),
        (1, 2, 0, "<30>", False, 1, 1),
        (1, 2, 1, "32 [注]", False, 1, 1),
    ]
    _spans_rebuild_text(bundle)


LAYOUT_PAGE = """<html><head><title>区人大代表开展集中视察活动 - 山河区人大</title></head><body>
<table width="950" border="0"><tr><td><img src="/top.gif"></td></tr></table>
<table width="950"><tr><td width="170"><a href="/">首页</a><br><a href="/dt">人大动态</a></td>
<td valign="top"><table width="100%"><tr><td>
<p>3月12日，区人大常委会组织部分市、区人大代表，对全区重点项目建设情况开展集中视察。代表们先后来到产业园区和城市更新项目现场，详细了解项目进展。</p>
<p>代表们认为，全区重点项目推进有力、成效明显。同时建议进一步优化营商环境，加强要素保障，推动项目早日建成投产。</p>
</td></tr></table></td></tr></table></body></html>"""


def test_layout_table_of_a_portal_page_is_unwrapped_into_paragraphs() -> None:
    (bundle,) = _bundles("portal/layout.html", LAYOUT_PAGE.encode())
    assert _paragraphs(bundle) == [
        (
            "body",
            "3月12日，区人大常委会组织部分市、区人大代表，对全区重点项目建设情况开展集中视察。"
            "代表们先后来到产业园区和城市更新项目现场，详细了解项目进展。",
        ),
        (
            "body",
            "代表们认为，全区重点项目推进有力、成效明显。同时建议进一步优化营商环境，加强要素保障，推动项目早日建成投产。",
        ),
    ]
    assert bundle.tables == []
    assert "<table" not in bundle.raw_texts[0].raw_text


def _table(markup: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(markup, create_parent="div").find(".//table")


def test_layout_rule() -> None:
    # data: two short cells; a Word table keeps <p> in its cells and is still data
    assert not is_layout_table(_table("<table><tr><td>指标</td><td>5%</td></tr></table>"))
    assert not is_layout_table(_table("<table><tr><td><p>指标</p></td><td><p>5%</p></td></tr></table>"))
    # layout: one cell with text; a cell holding a list, a heading or a table; running text in a cell
    assert is_layout_table(_table("<table><tr><td>全文</td><td> </td></tr></table>"))
    assert is_layout_table(_table("<table><tr><td><ul><li>a</li></ul></td><td>b</td></tr></table>"))
    assert is_layout_table(_table("<table><tr><td><h2>标题</h2></td><td>b</td></tr></table>"))
    assert is_layout_table(
        _table("<table><tr><td>a</td><td><table><tr><td>x</td></tr></table></td></tr></table>")
    )
    prose = "这是一个很长的句子，用来说明单元格里是正文而不是数据。" * 4
    assert is_layout_table(_table(f"<table><tr><td>{prose}</td><td>b</td></tr></table>"))


def test_nested_table_is_flattened_into_its_cell_and_spans_are_bounded() -> None:
    grid = table_grid(
        _table(
            '<table><tr><th colspan="x">名称</th><td rowspan="99999">值</td></tr>'
            "<tr><td>甲<table><tr><td>内1</td><td>内2</td></tr></table></td><td>1</td></tr></table>"
        )
    )
    assert grid == (
        (Cell("名称", is_header=True), Cell("值")),
        (Cell("甲内1内2"), Cell("1")),
    )


_CELL_TEXT = (
    st.text(alphabet=st.sampled_from(list("表格数据ab1 *_[]`\\<>&|#-")), min_size=1, max_size=12)
    .map(lambda text: " ".join(text.split()))
    .filter(bool)
)


@given(
    st.lists(_CELL_TEXT, min_size=2, max_size=4),
    st.lists(st.lists(_CELL_TEXT, min_size=1, max_size=4), max_size=3),
)
def test_canonical_table_markup_reads_back_as_the_same_cells(
    header: list[str], rows: list[list[str]]
) -> None:
    """Whatever a saved page's data cell says, the markup written into the raw text reads back as that text
    (two cells at least: a table of one cell is layout)."""
    grid = (
        tuple(Cell(text, is_header=True) for text in header),
        *(tuple(Cell(text) for text in row) for row in rows),
    )
    inline = read_inline(table_markup(grid))
    assert inline.grid == grid
    assert inline.text == grid_text(grid)


_PIPE_CELL = st.text(alphabet=st.sampled_from(list("数据表ab12 .%")), min_size=1, max_size=8).map(
    lambda text: " ".join(text.split())
)


@given(
    st.integers(min_value=2, max_value=4).flatmap(
        lambda width: st.lists(st.lists(_PIPE_CELL, min_size=width, max_size=width), min_size=2, max_size=5)
    )
)
def test_pipe_table_text_is_its_cells_and_its_span_rebuilds_it(rows: list[list[str]]) -> None:
    """Any pipe table below a paragraph: one table paragraph, the first row header cells, the text the cells'
    (rows whose cells are all empty left out), and span_text gives the text back from the raw span."""
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * len(rows[0]))
    text = "# 标题\n\n表格如下。\n\n" + "\n".join(lines) + "\n\n表格之后的正文。\n"
    doc = parse_text(text, FORMATS["generic"])
    tables = [p for p in doc.paragraphs if p["kind"] == "table"]
    kept = [row for row in rows if any(row)]
    if not kept:
        assert tables == [] and doc.tables == []
        return
    (table,) = tables
    assert table["text"] == "\n".join("\t".join(row) for row in kept)
    assert span_text(text, table["char_start"], table["char_end"], True, "table") == table["text"]
    cells = [(c["row_index"], c["cell_index"], c["text"], c["is_header"]) for c in doc.tables]
    assert cells == [
        (r, i, cell or None, bool(any(rows[0])) and r == 0)
        for r, row in enumerate(kept)
        for i, cell in enumerate(row)
    ]
