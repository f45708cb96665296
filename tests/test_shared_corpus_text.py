"""The build of the whole shared corpus (`../shared/corpus`): no markup in paragraph text, no long row rejected.

Skipped where the shared corpus is not beside the project. The corpus is built once per session (conftest's `shared_release`, about 30 s).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SHARED_CORPUS

from pipeline.containers import container_kind
from pipeline.models import RawUnit
from pipeline.settings import load_settings
from pipeline.stages.ingest import ingest_file

SHARED = SHARED_CORPUS
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SHARED.is_dir(), reason=f"the shared corpus is not at {SHARED}"),
]

# HTML element names, written out here (not imported) so the test does not share a mistake with the reader.
ELEMENTS = (
    "a|abbr|address|article|aside|b|big|blockquote|body|br|caption|center|cite|code|col|colgroup|dd|del|div|dl|"
    "dt|em|figcaption|figure|font|footer|h[1-6]|head|header|hr|html|i|iframe|img|ins|kbd|li|link|main|mark|meta|"
    "nav|ol|p|pre|q|s|script|section|small|span|strike|strong|style|sub|sup|table|tbody|td|tfoot|th|thead|tr|"
    "tt|u|ul"
)
TAG = re.compile(rf"<(?P<close>/?)(?P<name>{ELEMENTS})(?P<attributes>\s[^<>]*)?\s*/?>", re.IGNORECASE)
VOID = frozenset({"br", "hr", "img", "col", "link", "meta"})
# Markdown syntax a reader would see rendered, never as characters: an inline link or image with an address, a
# bold run (`**x**`, `__x__`: the markers touch the text, as CommonMark requires), a line opening with `#` and a
# space, a code span.
MARKDOWN = {
    "link or image": re.compile(r"!?\[[^\[\]\n]*\]\([^()\s]+\)"),
    "bold": re.compile(r"\*\*(?![\s*])[^*\n]+?(?<![\s*])\*\*|__(?![\s_])[^_\n]+?(?<![\s_])__"),
    "heading": re.compile(r"^#{1,6} ", re.MULTILINE),
    "code span": re.compile(r"`[^`\n]+`"),
}


def html_tags(text: str) -> list[str]:
    """The HTML markup in `text`: a tag naming an HTML element that is void (`<br>`), carries attributes, closes
    an element (`</p>`), or opens one that a closing tag later closes. An opening tag alone, without attributes,
    is the text naming a tag (`分析CSS文件和<style>标签`: a page that escaped it, shown as written); `a<b` or
    `<stdin>` name no element."""
    found = []
    for match in TAG.finditer(text):
        name = match["name"].lower()
        closes = re.search(rf"</{name}\s*>", text[match.end() :], re.IGNORECASE)
        if name in VOID or match["attributes"] or match["close"] or closes:
            found.append(match.group(0))
    return found


def test_html_tags_are_told_from_text() -> None:
    assert html_tags('甲<br/>乙 <span style="x">丙</span> <p>丁</p> </div>') == [
        "<br/>",
        '<span style="x">',
        "</span>",
        "<p>",
        "</p>",
        "</div>",
    ]
    assert html_tags("分析CSS文件和<style>标签 a<b <stdin> vector<unsigned char> <u") == []


@pytest.fixture(scope="module")
def release(shared_release: Path) -> Path:
    return shared_release  # built once per session (conftest), shared with the composition tests


def test_no_paragraph_text_holds_markup(release: Path) -> None:
    documents = {
        row["doc_id"]: row["source_file"]
        for row in pq.read_table(release / "documents.parquet", columns=["doc_id", "source_file"]).to_pylist()
    }
    paragraphs = pq.read_table(
        release / "paragraphs.parquet", columns=["doc_id", "paragraph_index", "kind", "text"]
    ).to_pylist()
    assert len(paragraphs) > 10_000
    problems = []
    for row in paragraphs:
        if row["kind"] == "code":
            continue  # code is not markup: its text is the code as written
        where = f"{documents[row['doc_id']]}#{row['paragraph_index']}"
        problems += [f"{where}: HTML {tag}" for tag in html_tags(row["text"])]
        for what, pattern in MARKDOWN.items():
            problems += [f"{where}: {what} {m.group(0)[:60]!r}" for m in pattern.finditer(row["text"])]
    assert problems == []


def _container_rows() -> Iterator[tuple[str, int, str]]:
    """(file, row, text) of every row of every container in the shared corpus, as ingest reads it."""
    settings = load_settings(ROOT / "params.yaml")
    for path in sorted(SHARED.rglob("*")):
        relative = path.relative_to(SHARED).as_posix()
        if not path.is_file() or container_kind(relative) is None:
            continue
        for unit in ingest_file(relative, path.read_bytes(), settings):
            if isinstance(unit, RawUnit) and unit.source_row is not None:
                yield relative, unit.source_row, unit.raw_text


def test_every_container_row_with_200_characters_is_a_document(release: Path) -> None:
    rows = [(file, row) for file, row, text in _container_rows() if len(text.strip()) >= 200]
    assert len(rows) > 100  # the RSS items and the CSV rows
    documents = {
        (row["source_file"], row["source_row"])
        for row in pq.read_table(
            release / "documents.parquet", columns=["source_file", "source_row"]
        ).to_pylist()
    }
    assert [row for row in rows if row not in documents] == []
