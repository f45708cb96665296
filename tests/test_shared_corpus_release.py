"""The release of the real shared corpus describes itself truly: its composition by issuer, counted here
independently from `documents.parquet` with pandas, is what the datasheet, card and datapackage say."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.fields import FIELDS
from pipeline.html import HTML_ELEMENTS

pytestmark = pytest.mark.slow


def markdown_table(text: str, header: str) -> list[list[str]]:
    """The body rows of the markdown table whose header line starts with `header`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


@pytest.fixture(scope="module")
def documents(shared_release: Path) -> pd.DataFrame:
    return pd.read_parquet(shared_release / "documents.parquet")


@pytest.fixture(scope="module")
def datasheet(shared_release: Path) -> str:
    return (shared_release / "DATASHEET.md").read_text(encoding="utf-8")


def test_every_document_has_an_issuer_type_from_the_vocabulary(documents: pd.DataFrame) -> None:
    assert documents.issuer_type.notna().all()
    assert set(documents.issuer_type) <= set(FIELDS["issuer_type"].allowed or ())
    unresolved = documents[documents.issuer_type == "unknown"]
    assert (unresolved.issuer_evidence == "none").all()
    assert not unresolved.in_scope.any()
    # the registry resolves the accounts it lists: the People's Daily feed items are media, national
    daily = documents[documents.account == "人民日报"]
    assert len(daily) > 500
    assert set(zip(daily.issuer_type, daily.issuer_level, daily.issuer_evidence, strict=True)) == {
        ("media", "national", "registry")
    }


def test_datasheet_composition_matches_counts_computed_here(documents: pd.DataFrame, datasheet: str) -> None:
    by_type = documents.groupby("issuer_type").agg(n=("doc_id", "size"), in_scope=("in_scope", "sum"))
    expected = sorted(
        ([t, str(int(row.in_scope)), str(int(row.n))] for t, row in by_type.iterrows()),
        key=lambda r: (-int(r[2]), r[0]),
    )
    assert markdown_table(datasheet, "| issuer_type | in scope | documents |") == expected

    levels = documents.issuer_level.value_counts()
    assert sorted(markdown_table(datasheet, "| issuer_level | documents |")) == sorted(
        [level, str(n)] for level, n in levels.items()
    )

    regions = documents.dropna(subset=["region_code"]).groupby(["region_code", "region_name"]).size()
    assert sorted(markdown_table(datasheet, "| region_code | region_name | documents |")) == sorted(
        [code, name, str(n)] for (code, name), n in regions.items()
    )

    n_in_scope = int(documents.in_scope.sum())
    n_unknown = int((documents.issuer_type == "unknown").sum())
    assert f"This release: {n_in_scope} of {len(documents)} documents (" in datasheet
    assert f"{n_unknown} documents have an issuer not yet curated" in datasheet


def test_accounts_to_curate_cover_every_unknown_document(documents: pd.DataFrame, datasheet: str) -> None:
    unknown = documents[documents.issuer_type == "unknown"]
    keys = unknown.account.where(
        unknown.account.notna(), "(no account) " + unknown.source_file.str.split("/").str[0] + "/"
    )
    counts = keys.value_counts()
    listed = {row[0]: int(row[1]) for row in markdown_table(datasheet, "| account | documents |")}
    assert all(counts[account] == n for account, n in listed.items())
    rest = re.search(r"…and (\d+) more accounts \((\d+) documents\)", datasheet)
    more_accounts, more_documents = (int(rest[1]), int(rest[2])) if rest else (0, 0)
    assert len(listed) + more_accounts == len(counts)
    assert sum(listed.values()) + more_documents == len(unknown)


def test_card_and_datapackage_state_the_computed_composition(
    shared_release: Path, documents: pd.DataFrame
) -> None:
    n_in_scope = int(documents.in_scope.sum())
    claim = f"This release: {n_in_scope} of {len(documents)} documents"
    package = json.loads((shared_release / "datapackage.json").read_text(encoding="utf-8"))
    croissant = json.loads((shared_release / "croissant.json").read_text(encoding="utf-8"))
    card = (shared_release / "README.md").read_text(encoding="utf-8")
    assert claim in package["description"]
    assert claim in croissant["description"]
    assert claim in card


# Markup a paragraph's text must not hold (outside `code`, which keeps its lines as written): a closing tag or a
# tag with an attribute value naming an HTML element, or any tag of a table or of inline layout. A tag named in
# prose stays text (`<style>标签`, `#include<Windows.h>`, `<host>`): README "Text and offsets".
_ELEMENTS = "|".join(sorted(HTML_ELEMENTS))
LEFT_MARKUP = re.compile(
    rf"</(?:{_ELEMENTS})\s*>|<(?:{_ELEMENTS})\s[^>]*=[^>]*>"
    r"|</?(?:table|thead|tbody|tfoot|tr|td|th|br|p|div|span|section|img|a|strong|b|em|font)\b[^>]*>",
    re.IGNORECASE,
)
ANY_TAG = re.compile(r"<[a-zA-Z/][^>]*>")
PIPE_DELIMITER_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?$", re.MULTILINE)
STRONG = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")


def test_no_paragraph_text_holds_markup_and_every_table_has_its_cells(shared_release: Path) -> None:
    paragraphs = pd.read_parquet(shared_release / "paragraphs.parquet")
    cells = pd.read_parquet(shared_release / "tables.parquet")
    prose = paragraphs[paragraphs.kind != "code"]
    assert not prose.text.str.contains(LEFT_MARKUP).any(), prose.text[
        prose.text.str.contains(LEFT_MARKUP)
    ].head()
    assert not prose.text.str.contains(PIPE_DELIMITER_ROW).any()
    assert not prose.text.str.contains(STRONG).any()
    tables = paragraphs[paragraphs.kind == "table"]
    assert len(tables) >= 100  # the CNNVD reports' inline HTML tables and html2text's pipe tables
    assert not tables.text.str.contains(ANY_TAG).any()
    assert not tables.text.str.contains("|", regex=False).any()
    # every table paragraph has cells, every cell belongs to a table paragraph, and the text is the cells'
    rebuilt = (
        cells.assign(text=cells.text.fillna(""))
        .sort_values(["doc_id", "paragraph_index", "row_index", "cell_index"])
        .groupby(["doc_id", "paragraph_index", "row_index"], sort=True)
        .text.agg("\t".join)
        .groupby(level=["doc_id", "paragraph_index"])
        .agg("\n".join)
    )
    expected = tables.set_index(["doc_id", "paragraph_index"]).text.sort_index()
    assert rebuilt.index.equals(expected.index)
    assert (rebuilt == expected).all()
    assert cells.is_header.any() and (cells.col_span > 1).any()


def test_container_fields_keep_the_gov_reports_other_columns(documents: pd.DataFrame) -> None:
    reports = documents[documents.source_file.str.startswith("gov_report_csv/")]
    assert len(reports) == 20
    fields = reports.container_fields.map(json.loads)
    assert all(set(value) == {"province", "year"} for value in fields)
    assert reports.container_fields.str.fullmatch(r'\{"province":"[^"]+","year":"\d{4}"\}').all()
    assert documents[documents.container.isna()].container_fields.isna().all()
