"""The release of the real shared corpus describes itself truly: its composition by issuer, counted here
independently from `documents.parquet` with pandas, is what the datasheet, card and datapackage say."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.fields import FIELDS

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
