"""One dictionary feeds models, Arrow schemas, JSON Schemas and the datasheet: check they agree."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT
from pydantic import ValidationError

from pipeline.arrow import arrow_schema
from pipeline.fields import FIELDS, TABLES
from pipeline.models import MODELS
from pipeline.publish.datasheet import field_table
from pipeline.schemas import render_schema, stale_schemas

ISSUE_CONTRACT = {
    "documents": "doc_id source_file source_row capture_format raw_sha256 account published_date column title "
    "authors author_positions editors source n_sections n_paragraphs n_chars",
    "sections": "doc_id section_index heading level",
    "paragraphs": "doc_id section_index paragraph_index kind text lead_sentence char_start char_end",
    "related": "doc_id item_index column title",
    "rejects": "source_file source_row stage reason_code detail",
}


@pytest.mark.parametrize("table", sorted(ISSUE_CONTRACT))
def test_public_columns_are_present(table: str) -> None:
    assert set(ISSUE_CONTRACT[table].split()) <= set(TABLES[table].columns)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_models_arrow_and_datasheet_follow_the_dictionary(table: str) -> None:
    columns = list(TABLES[table].columns)
    assert list(MODELS[table].model_fields) == columns
    schema = arrow_schema(table)
    assert schema.names == columns
    for field in schema:
        assert field.metadata[b"description"].decode() == FIELDS[field.name].description
    rendered = field_table(table)
    for column in columns:
        assert f"| `{column}` |" in rendered


def test_committed_json_schemas_match_models() -> None:
    assert stale_schemas(ROOT / "schemas") == []


def test_stale_schema_is_detected(tmp_path) -> None:
    (tmp_path / "documents.json").write_text(render_schema("documents").replace("doc_id", "doc_key"))
    assert "documents" in stale_schemas(tmp_path)


def test_every_field_is_described_in_both_languages() -> None:
    for field in FIELDS.values():
        assert len(field.description) > 20 and field.description_zh


def _related(**overrides):
    row = {
        "doc_id": "0123456789abcdef",
        "item_index": 0,
        "column": "要闻",
        "title": "标题",
        "char_start": 1,
        "char_end": 5,
    }
    return {**row, **overrides}


def test_models_are_strict_and_closed() -> None:
    model = MODELS["related"]
    assert model.model_validate(_related()).title == "标题"
    with pytest.raises(ValidationError):
        model.model_validate(_related(extra_column=1))
    with pytest.raises(ValidationError):
        model.model_validate(_related(item_index="0"))  # no silent coercion
    with pytest.raises(ValidationError):
        model.model_validate(_related(doc_id="XYZ"))
    with pytest.raises(ValidationError):
        model.model_validate(_related(title=""))  # empty strings are not allowed: empty CSV cell means null
    with pytest.raises(ValidationError):
        MODELS["paragraphs"].model_validate(
            {
                "doc_id": "0123456789abcdef",
                "section_index": 0,
                "paragraph_index": 0,
                "kind": "footnote",
                "text": "x",
                "lead_sentence": None,
                "char_start": 0,
                "char_end": 1,
            }
        )


def test_documents_date_is_a_date() -> None:
    assert MODELS["documents"].model_fields["published_date"].annotation == dt.date | None


def test_readme_names_every_table_and_column() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table, spec in TABLES.items():
        assert f"`{table}`" in readme, table
        for column in spec.columns:
            assert f"`{column}`" in readme, f"{table}.{column} is not in README.md"


def test_the_written_out_traditional_labels_are_what_opencc_gives() -> None:
    """`rules.TRADITIONAL_LABELS` is written out so that no process loads three opencc dictionaries at start;
    it must stay what opencc's s2t, s2tw and s2hk make of every credit label."""
    from pipeline import rules
    from pipeline.script import traditional_variants

    labels = [label for labels in rules.CREDIT_ROLE_LABELS.values() for label in labels]
    assert {label: set(rules.TRADITIONAL_LABELS.get(label, ())) for label in labels} == {
        label: traditional_variants(label) for label in labels
    }
    assert set(rules.TRADITIONAL_LABELS) <= set(labels)
