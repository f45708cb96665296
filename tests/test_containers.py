"""Tabular containers: one document per row, columns recognised or overridden, bad rows rejected alone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXTURES
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pipeline import codec, containers
from pipeline.containers import ContainerRow, row_bytes
from pipeline.models import DocumentBundle, RawUnit, Reject
from pipeline.process import process
from pipeline.settings import IngestSettings, Settings
from pipeline.stages.ingest import doc_id_for, ingest_file

CSV = FIXTURES / "containers" / "gov_reports.csv"
JSONL = FIXTURES / "containers" / "articles.jsonl"


def _units(name: str, data: bytes, settings: Settings | None = None) -> list[RawUnit | Reject]:
    return list(ingest_file(name, data, settings or Settings()))


def _kind(unit: RawUnit | Reject) -> str:
    return "reject" if isinstance(unit, Reject) else "document"


def _bundle(unit: RawUnit) -> DocumentBundle:
    bundle = process(unit)
    assert isinstance(bundle, DocumentBundle), bundle
    return bundle


def test_csv_rows_become_documents_and_empty_rows_rejects() -> None:
    data = CSV.read_bytes()
    units = _units("reports/gov_reports.csv", data)
    assert [_kind(u) for u in units] == ["document", "reject"]
    document, reject = units
    assert (document.source_row, document.container, document.capture_format) == (
        0,
        "csv",
        "gov_portal_text",
    )
    assert document.meta == {
        "title": "2025年山河省政府工作报告",
        "date": "2025-01-26",
        "url": "https://gov.example/report-2025",
    }
    assert document.encoding == "utf-8-sig"
    assert reject == Reject(
        source_file="reports/gov_reports.csv",
        source_row=1,
        stage="ingest",
        reason_code="empty_row",
        detail="text column 'full_text' has no text (blank, null or a missing marker such as nan)",
    )


def test_gov_portal_row_parses_exactly() -> None:
    (document, _) = _units("gov_reports.csv", CSV.read_bytes())
    bundle = _bundle(document)
    fields = bundle.document
    assert {
        k: getattr(fields, k)
        for k in (
            "title",
            "account",
            "published_date",
            "source",
            "authors",
            "author_positions",
            "editors",
            "url",
            "n_paragraphs",
            "n_sections",
        )
    } == {
        "title": "2025年山河省政府工作报告",
        "account": None,
        "published_date": dt.date(2025, 1, 25),  # the date printed in the text wins over the column (01-26)
        "source": "山河日报",
        "authors": ["林远"],
        "author_positions": ["山河省人民政府省长"],
        "editors": ["陈静"],
        "url": "https://gov.example/report-2025",
        "n_paragraphs": 6,
        "n_sections": 3,
    }
    assert [(s.heading, s.level) for s in bundle.sections] == [
        (None, 0),
        ("一、2024年工作回顾", 1),
        ("二、2025年工作安排", 1),
    ]
    assert [(p.text, p.lead_sentence) for p in bundle.paragraphs] == [
        ("各位代表：", None),
        ("现在，我代表省人民政府向大会报告工作，请予审议。", None),
        ("过去一年，全省经济稳中有进。", None),
        ("促进消费扩容升级。实施消费提振行动。", "促进消费扩容升级。"),
        ("持续扩大有效投资。新开工重大项目120个。", "持续扩大有效投资。"),
        ("各位代表！让我们团结奋斗，再创佳绩！", None),
    ]
    raw = document.raw_text
    for paragraph in bundle.paragraphs:
        assert raw[paragraph.char_start : paragraph.char_end] == paragraph.text


def test_container_doc_id_is_the_rows_own_content() -> None:
    (document, _) = _units("gov_reports.csv", CSV.read_bytes())
    (moved, _) = _units("elsewhere/copy.csv", CSV.read_bytes())
    assert document.doc_id == moved.doc_id
    assert document.raw_sha256 != document.doc_id


def test_jsonl_bad_lines_are_rejected_one_by_one() -> None:
    units = _units("articles.jsonl", JSONL.read_bytes())
    assert [(_kind(u), u.source_row, getattr(u, "reason_code", None)) for u in units] == [
        ("document", 0, None),
        ("reject", 1, "malformed_row"),
        ("reject", 2, "empty_row"),
        ("reject", 3, "malformed_row"),
    ]
    assert units[0].meta == {"title": "区人大常委会召开主任会议", "date": "2024-06-03"}
    bundle = _bundle(units[0])
    assert [p.text for p in bundle.paragraphs] == [
        "区人大常委会召开主任会议，研究下次常委会会议议程。",
        "会议决定于下月召开常委会会议。",
    ]
    assert bundle.document.title == "区人大常委会召开主任会议"
    assert bundle.document.published_date == dt.date(2024, 6, 3)


def test_parquet_and_json_containers(tmp_path: Path) -> None:
    rows = [
        {"标题": "第一篇", "正文": "第一段正文。\n\n第二段正文。", "发布时间": "2024-01-02"},
        {"标题": "第二篇", "正文": "只有一段正文。", "发布时间": None},
    ]
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows), sink)
    parquet_units = _units("t.parquet", sink.getvalue().to_pybytes())
    assert [(u.source_row, u.container, u.meta.get("title")) for u in parquet_units] == [
        (0, "parquet", "第一篇"),
        (1, "parquet", "第二篇"),
    ]
    assert parquet_units[0].doc_id == doc_id_for(row_bytes(rows[0]))
    json_units = _units("t.json", json.dumps(rows, ensure_ascii=False).encode())
    assert [u.raw_text for u in json_units] == [u.raw_text for u in parquet_units]


def test_no_text_column_rejects_the_file_and_override_fixes_it() -> None:
    data = "编号\t稿件\n1\t一段足够长的正文内容。\n".encode()
    (reject,) = _units("x.tsv", data)
    assert (reject.reason_code, reject.source_row) == ("no_text_column", None)
    assert "ingest.columns.text" in reject.detail
    settings = Settings(ingest=IngestSettings(columns={"text": "稿件"}))
    (document,) = _units("x.tsv", data, settings)
    assert document.raw_text == "一段足够长的正文内容。"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.csv", b"title,text\n", "empty_container"),
        ("bad.parquet", b"PAR1 not really", "malformed_container"),
        ("bad.json", b"{not json", "malformed_container"),
    ],
)
def test_broken_containers_are_file_rejects(name: str, data: bytes, reason: str) -> None:
    (reject,) = _units(name, data)
    assert (_kind(reject), reject.reason_code, reject.source_row) == ("reject", reason, None)


def test_a_malformed_csv_row_is_one_reject_and_reading_goes_on() -> None:
    text = "\n".join(
        [
            "title,full_text",
            "甲,第一篇正文足够长。",
            '乙,"第二篇"坏引号',  # a stray quote inside one line
            "丙,第三篇正文足够长。",
            '丁,"没有闭合的引号',  # an unclosed quote would swallow every following line
            "戊,第五篇正文足够长。",
            '己,"跨行的\n正文"',
        ]
    )
    units = _units("rows.csv", (text + "\n").encode())
    assert [(_kind(u), u.source_row) for u in units] == [
        ("document", 0),
        ("reject", 1),
        ("document", 2),
        ("reject", 3),
        ("document", 4),
        ("document", 5),
    ]
    assert [u.raw_text for u in units if isinstance(u, RawUnit)] == [
        "第一篇正文足够长。",
        "第三篇正文足够长。",
        "第五篇正文足够长。",
        "跨行的\n正文",
    ]
    assert units[1].reason_code == units[3].reason_code == "malformed_row"
    assert units[1].detail == "CSV record at line 3: ',' expected after '\"'"
    assert units[3].detail.startswith("CSV record at line 5: ")


def test_an_unclosed_quote_at_the_end_is_a_row_reject() -> None:
    (reject,) = _units("bad.csv", b'a,text\n1,"unclosed\n')
    assert (reject.reason_code, reject.source_row) == ("malformed_row", 0)
    assert reject.detail == "CSV record at line 2: unexpected end of data"


@pytest.mark.parametrize("missing", ["nan", "NaN", "None", "null", "  ", "N/A"])
def test_missing_markers_in_the_text_column_are_empty_rows(missing: str) -> None:
    data = f"title,text\n标题,{missing}\n".encode()
    (reject,) = _units("x.csv", data)
    assert (reject.reason_code, reject.source_row) == ("empty_row", 0)


def test_non_text_cells_are_json_never_repr(tmp_path: Path) -> None:
    table = pa.table(
        {
            "text": ["第一篇正文足够长。", None, "第三篇正文。"],
            "title": [b"\xe6\xa0\x87\xe9\xa2\x98", b"x", b"\xff\xfe"],
            "account": [["北京人大", "首都"], [], None],
            "date": [dt.date(2024, 3, 1), None, dt.date(2024, 3, 2)],
        }
    )
    path = tmp_path / "rows.parquet"
    pq.write_table(table, path)
    units = _units("rows.parquet", path.read_bytes())
    assert [_kind(u) for u in units] == ["document", "reject", "document"]
    assert units[0].meta == {"title": "标题", "date": "2024-03-01", "account": '["北京人大","首都"]'}
    assert units[2].meta == {"title": '{"base64":"//4="}', "date": "2024-03-02"}
    assert units[1].reason_code == "empty_row"
    dumped = [u.model_dump() for u in units]
    assert "b'" not in json.dumps(dumped, ensure_ascii=False)  # no Python bytes repr anywhere


def _csv_rows_held(text: str, delimiter: str) -> list[ContainerRow]:
    """The CSV reader as it was before it streamed (every physical line held as a string first): the
    reference the streaming reader must agree with, row for row and message for message."""
    csv.field_size_limit(containers.MAX_CSV_FIELD)
    lines = list(io.StringIO(text, newline=""))
    if not lines:
        raise containers.ContainerError("malformed_container", "no header row")
    header = next(csv.reader(lines[:1], delimiter=delimiter, strict=True))
    rows: list[ContainerRow] = []
    index = restarts = 0
    position = 1
    while position < len(lines):
        if restarts > containers.MAX_CSV_RESTARTS:
            rows.append(
                ContainerRow(
                    index,
                    {},
                    f"more than {containers.MAX_CSV_RESTARTS} broken multi-line records; lines {position + 1} "
                    f"to {len(lines)} are not read",
                )
            )
            return rows
        start = position
        reader = csv.reader((lines[i] for i in range(start, len(lines))), delimiter=delimiter, strict=True)
        while True:
            record_start = start + reader.line_num
            try:
                values = next(reader)
            except StopIteration:
                return rows
            except csv.Error as error:
                rows.append(ContainerRow(index, {}, f"CSV record at line {record_start + 1}: {error}"))
                index += 1
                if start + reader.line_num > record_start + 1:
                    position = record_start + 1
                    restarts += 1
                    break
                continue
            if not values:
                continue
            if len(values) != len(header):
                rows.append(ContainerRow(index, {}, f"{len(values)} cells, the header has {len(header)}"))
            else:
                rows.append(ContainerRow(index, dict(zip(header, values, strict=True))))
            index += 1
    return rows


# Bodies of CSV texts with everything that moves the reader: quotes, delimiters, every line break, blank lines.
_CSV_PIECES = st.lists(
    st.sampled_from(['"', ",", "\t", "\n", "\r", "\r\n", "a", "正文", " ", '""']), max_size=40
)


@given(body=_CSV_PIECES, header=st.sampled_from(["title,text", "title\ttext", "text"]))
@hypothesis_settings(max_examples=400, deadline=None)
def test_the_streaming_csv_reader_reads_what_the_held_lines_read(body: list[str], header: str) -> None:
    text = header + "\n" + "".join(body)
    for delimiter in (",", "\t"):
        assert list(containers._csv_rows(text, delimiter)) == _csv_rows_held(text, delimiter)


def test_the_streaming_csv_reader_stops_after_as_many_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(containers, "MAX_CSV_RESTARTS", 2)
    text = "title,text\n" + "".join(f'{i},"unclosed\n{i},ok\n' for i in range(6))
    rows = list(containers._csv_rows(text, ","))
    assert rows == _csv_rows_held(text, ",")
    assert rows[-1].error == "more than 2 broken multi-line records; lines 7 to 13 are not read"


def test_a_csv_of_many_rows_ingests_to_the_same_units_as_the_held_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = ["title,date,text"]
    for index in range(3000):
        if index % 997 == 5:
            lines.append(f'坏{index},2024-01-02,"没有闭合的引号')  # swallows lines up to the next quote
        elif index % 389 == 7:
            lines.append(f"多{index},2024-01-02,正文,多一格")
        elif index % 211 == 3:
            lines.append(f'跨{index},2024-01-02,"跨行的\r\n正文第{index}号。"')
        else:
            lines.append(f"题{index},2024-01-{index % 28 + 1:02d},人大常委会审议报告第{index}号。")
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    streamed = [codec.encode(u) for u in _units("many/rows.csv", data)]
    monkeypatch.setattr(
        containers, "_csv_rows", lambda text, delimiter: iter(_csv_rows_held(text, delimiter))
    )
    held = [codec.encode(u) for u in _units("many/rows.csv", data)]
    assert len(streamed) == 3000
    assert streamed == held
