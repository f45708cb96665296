"""Research layers: exact rows on the example capture, offsets that slice back, near-duplicate clusters."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import EXAMPLE, FIXTURES
from hypothesis import given
from hypothesis import strategies as st

from pipeline.build import build
from pipeline.formats import detect_format
from pipeline.layers import Paragraph
from pipeline.layers.citations import citation_kind, citations
from pipeline.layers.duplicates import DuplicateSettings, clusters, signature
from pipeline.layers.officials import mentions, title_byline
from pipeline.layers.terms import numbers_of, quoted
from pipeline.parser import document_fields, parse_text
from pipeline.settings import Settings
from pipeline.stages.enrich import layer_rows

EXAMPLE_TERMS = [
    ("国之大者", []), ("1+3", [1, 3]), ("五态", [5]), ("展翅腾飞看怀柔", []), ("看北京首先要从政治上看", []),
    ("两个确立", [2]), ("四个意识", [4]), ("四个自信", [4]), ("两个维护", [2]), ("五子", [5]),
    ("一府一委两院", [1, 1, 2]), ("四个机关", [4]), ("我为群众办实事", []),
]  # fmt: skip


@pytest.fixture(scope="module")
def example_layers() -> tuple[str, dict]:
    text = EXAMPLE.read_text(encoding="utf-8")
    doc = parse_text(text, detect_format(text))
    document = {"doc_id": "0" * 16, **document_fields(doc)}
    paragraphs = [
        Paragraph(p["paragraph_index"], p["text"], p["char_start"], p["char_end"]) for p in doc.paragraphs
    ]
    credits = [{**c, "doc_id": "0" * 16} for c in doc.credits]
    return text, {"rows": layer_rows(document, paragraphs, text, credits), "paragraphs": paragraphs}


def test_example_terms(example_layers) -> None:
    text, layers = example_layers
    terms = layers["rows"]["terms"]
    assert [(t["term"], t["numbers"]) for t in terms] == EXAMPLE_TERMS
    assert [t["is_numbered"] for t in terms] == [bool(numbers) for _, numbers in EXAMPLE_TERMS]
    occurrences = layers["rows"]["term_occurrences"]
    assert len(occurrences) == 19 and sum(t["n_occurrences"] for t in terms) == 19
    by_index = {p.paragraph_index: p for p in layers["paragraphs"]}
    for row in occurrences + terms:
        assert by_index[row["paragraph_index"]].text[row["text_start"] : row["text_end"]] == row["term"]
        assert text[row["raw_start"] : row["raw_end"]] == row["term"]


def test_example_citations(example_layers) -> None:
    text, layers = example_layers
    rows = layers["rows"]["citations"]
    assert [(r["cited_title"], r["citation_kind"]) for r in rows] == [
        ("怀柔区委关于新时代加强和改进人大工作的意见", "opinion"),
        ("区委关于建立区政府向区人大常委会报告国有资产管理情况制度的意见", "opinion"),
        ("怀柔区预算审查监督办法", "regulation"),
        ("区人大常委会讨论、决定重大事项的规定", "regulation"),
    ]
    for row in rows:
        assert text[row["raw_start"] : row["raw_end"]] == row["cited_title"]


def test_example_figures(example_layers) -> None:
    text, layers = example_layers
    rows = layers["rows"]["figures"]
    assert sorted((r["amount"], r["unit"]) for r in rows) == [
        (13.0, "部"),
        (15.0, "个"),
        (16.0, "个"),
        (17.0, "项"),
        (84.0, "个"),
        (337.0, "人次"),
    ]
    assert [r["figure_text"] for r in rows] == [
        "13部法规",
        "审议报告15个",
        "决议17项",
        "国家机关工作人员337人次",
        "16个代表之家",
        "84个代表联络站",
    ]
    for row in rows:
        assert text[row["raw_start"] : row["raw_end"]] == row["figure_text"]


def test_example_officials(example_layers) -> None:
    text, layers = example_layers
    rows = layers["rows"]["officials"]
    assert [(r["found_in"], r["name"], r["official_position"]) for r in rows] == [
        ("title", "郭延红", "怀柔区委书记"),
        ("credit", "郭延红", "中共北京市怀柔区委书记"),
    ]
    assert "郭延红" in text[rows[1]["raw_start"] : rows[1]["raw_end"]]


@pytest.mark.parametrize(
    ("term", "numbers"),
    [
        ("两个确立", [2]),
        ("四个全面", [4]),
        ("五位一体", [5, 1]),
        ("十四五", [14, 5]),
        ("一些问题", []),
        ("高质量发展", []),
        ("三个代表", [3]),
        ("二十大", [20]),
    ],
)
def test_numbered_formulations(term: str, numbers: list[int]) -> None:
    assert numbers_of(term) == numbers


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("中华人民共和国立法法", "law"),
        ("北京市人民代表大会常务委员会议事规则", "regulation"),
        ("关于加强…的意见", "opinion"),
        ("“十四五”规划纲要", "plan"),
        ("关于…的决定", "decision"),
        ("北京人大", "other"),
        ("人民日报", "publication"),
        ("政府工作报告", "report"),
    ],
)
def test_citation_kinds(title: str, kind: str) -> None:
    assert citation_kind(title) == kind


def test_nested_titles_and_other_quotes() -> None:
    text = "会议审议了《关于〈北京市人大代表工作条例〉的决定》，提出「两个结合」和『三个务必』。"
    paragraph = Paragraph(0, text, 0, len(text))
    assert [t for t, _, _ in citations(paragraph)] == ["关于〈北京市人大代表工作条例〉的决定"]
    assert [(t, s) for t, s, _, _ in quoted(paragraph)] == [("两个结合", "「」"), ("三个务必", "『』")]


def test_official_mentions() -> None:
    assert title_byline("平谷区委书记唐海龙:推动人民代表大会制度在平谷形成生动实践") == (
        "平谷区委书记",
        "唐海龙",
    )
    assert [(p, n) for p, n, _, _ in mentions("市委常委会召开会议，市委书记蔡奇主持会议。")] == [
        ("市委书记", "蔡奇")
    ]
    assert list(mentions("区委书记同志们要高度重视")) == []


snippets = st.lists(
    st.sampled_from(
        [
            "“两个确立”",
            "《某某条例》",
            "建成16个代表之家",
            "区委书记张三表示",
            "。",
            "，",
            "正文",
            "‘四个意识’",
            "337人次",
            "12%",
            "「一府一委两院」",
        ]
    ),
    max_size=12,
)


@given(snippets)
def test_layer_offsets_slice_back(parts: list[str]) -> None:
    text = "".join(parts)
    paragraph = Paragraph(0, text, 5, 5 + len(text))
    raw = "HEAD\n" + text
    rows = layer_rows({"doc_id": "0" * 16, "title": None}, [paragraph], raw, [])
    for row in rows["term_occurrences"] + rows["citations"]:
        value = row.get("term") or row["cited_title"]
        assert text[row["text_start"] : row["text_end"]] == value
        assert raw[row["raw_start"] : row["raw_end"]] == value
    for row in rows["figures"]:
        assert text[row["text_start"] : row["text_end"]] == row["figure_text"]
    for row in rows["officials"]:
        assert row["name"] in text[row["text_start"] : row["text_end"]]


def test_near_duplicates_cluster_with_earliest_canonical() -> None:
    base = "区人大常委会召开会议，听取和审议关于代表建议办理情况的报告，会议强调要提高办理质量。" * 3
    texts = {
        "b" * 16: base,
        "a" * 16: base + "（转载）",
        "c" * 16: "完全不同的另一篇文章内容，讨论预算审查监督工作。" * 3,
    }
    settings = DuplicateSettings()
    signatures = {doc_id: signature(text, settings) for doc_id, text in texts.items()}
    dates = {"a" * 16: dt.date(2024, 1, 2), "b" * 16: dt.date(2024, 1, 1), "c" * 16: None}
    canonical = clusters(signatures, dates, settings)
    assert canonical == {"a" * 16: "b" * 16, "b" * 16: "b" * 16, "c" * 16: "c" * 16}
    assert clusters(dict(reversed(list(signatures.items()))), dates, settings) == canonical  # order-free


def test_enrich_in_a_build_marks_reposts_and_duplicates(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(EXAMPLE, raw / "original.txt")
    (raw / "copy.txt").write_bytes(
        EXAMPLE.read_bytes().replace("北京人大 2023-12-23".encode(), "某转载号 2024-01-05".encode())
    )
    text = (FIXTURES / "wechat_html2text" / "sample.md").read_text(encoding="utf-8")
    repost = text.replace(
        "收录于合集",
        "收录于合集\n\n以下文章来源于山河人大 ，作者李四\n\n**山河人大** .\n\n做人民满意的人大\n\n2024-02-03 3 min read",
    )
    (raw / "repost.md").write_text(repost, encoding="utf-8")
    out = tmp_path / "release"
    build(raw, out, Settings())
    documents = {d["source_file"]: d for d in pq.read_table(out / "documents.parquet").to_pylist()}
    original, copy = documents["original.txt"], documents["copy.txt"]
    assert original["dup_cluster"] == copy["dup_cluster"] == original["doc_id"]
    assert (original["is_canonical"], copy["is_canonical"]) == (True, False)
    assert documents["repost.md"]["repost_of"] == "山河人大"
    assert documents["repost.md"]["published_date"] == dt.date(2024, 2, 3)
    assert documents["repost.md"]["authors"] == ["李四"]
    for table in ("terms", "term_occurrences", "citations", "figures", "officials"):
        assert pq.read_metadata(out / f"{table}.parquet").num_rows > 0, table
