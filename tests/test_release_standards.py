"""The release's metadata standards, checked by their own validators, and read back by every reader."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from pipeline.fields import FIELDS, TABLES
from pipeline.loading import load
from pipeline.outputs import MARKER

BIN = Path(sys.executable).parent


def test_frictionless_validate_passes(fixture_release: Path) -> None:
    result = subprocess.run(
        [str(BIN / "frictionless"), "validate", "datapackage.json"],
        cwd=fixture_release,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    package = json.loads((fixture_release / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in package["resources"]}
    assert names == set(TABLES) | {f"{t}-parquet" for t in TABLES}


def test_frictionless_catches_a_tampered_file(fixture_release: Path, tmp_path: Path) -> None:
    copy = tmp_path / "release"
    subprocess.run(["cp", "-r", str(fixture_release), str(copy)], check=True)
    with (copy / "csv" / "related.csv").open("a", encoding="utf-8") as handle:
        handle.write("0123456789abcdef,0,要闻,伪造,1,2\r\n")
    result = subprocess.run(
        [str(BIN / "frictionless"), "validate", "datapackage.json"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "foreign-key" in result.stdout or "hash-count" in result.stdout


def test_mlcroissant_validates_and_loads_records(fixture_release: Path) -> None:
    result = subprocess.run(
        [str(BIN / "mlcroissant"), "validate", "--jsonld", "croissant.json"],
        cwd=fixture_release,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    import mlcroissant as mlc

    dataset = mlc.Dataset(jsonld=str(fixture_release / "croissant.json"))
    records = list(dataset.records(record_set="documents"))
    assert len(records) == pq.read_metadata(fixture_release / "documents.parquet").num_rows
    titles = {r["documents/title"].decode() for r in records if r["documents/title"]}
    assert "市人大常委会开展营商环境条例执法检查" in titles
    metadata = json.loads((fixture_release / "croissant.json").read_text(encoding="utf-8"))
    for key in (
        "rai:dataCollection",
        "rai:dataLimitations",
        "rai:dataBiases",
        "rai:personalSensitiveInformation",
    ):
        assert metadata[key]
    assert metadata["citeAs"].startswith("@misc{renda_corpus_0_1_0,")


def test_dataset_card_and_citation(fixture_release: Path) -> None:
    card = (fixture_release / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---\n")[1])
    assert [c["config_name"] for c in front["configs"]] == list(TABLES)
    for config in front["configs"]:
        assert (fixture_release / config["data_files"][0]["path"]).is_file()
    citation = yaml.safe_load((fixture_release / "CITATION.cff").read_text(encoding="utf-8"))
    assert (citation["cff-version"], citation["type"], citation["version"]) == ("1.2.0", "dataset", "0.1.0")


def test_manifest_and_checksums_cover_every_file(fixture_release: Path) -> None:
    manifest = json.loads((fixture_release / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(fixture_release).as_posix() for p in fixture_release.rglob("*") if p.is_file()}
    # the output marker is the folder's bookkeeping (written last), not part of the release's content
    on_disk -= {MARKER}
    assert {f["path"] for f in manifest["files"]} == on_disk - {"manifest.json", "SHA256SUMS"}
    for entry in manifest["files"]:
        data = (fixture_release / entry["path"]).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (entry["sha256"], entry["bytes"])
    sums = dict(
        reversed(line.split("  ", 1)) for line in (fixture_release / "SHA256SUMS").read_text().splitlines()
    )
    assert set(sums) == on_disk - {"SHA256SUMS"}
    assert manifest["version"] == "0.1.0" and manifest["dependencies"]["pyarrow"]
    assert len(manifest["documents"]) == manifest["tables"]["documents"]
    changelog = (fixture_release / "CHANGELOG.md").read_text(encoding="utf-8")
    tables = manifest["tables"]
    assert f"First release: {tables['documents']} documents, {tables['rejects']} rejects.\n" in changelog
    assert len(manifest["rejects"]) == tables["rejects"]
    for name in ("documents_per_month", "lengths", "capture_formats", "rejects"):
        assert (fixture_release / "plots" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"(plots/{name}.png)" in (fixture_release / "DATASHEET.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table", sorted(TABLES))
def test_readers_agree_on_rows_and_types(fixture_release: Path, table: str) -> None:
    path = fixture_release / f"{table}.parquet"
    arrow = pq.read_table(path)
    frame = pd.read_parquet(path)
    polars_frame = pl.read_parquet(path)
    duck = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
    counts = {arrow.num_rows, len(frame), polars_frame.height, duck.aggregate("count(*)").fetchall()[0][0]}
    assert len(counts) == 1
    assert list(frame.columns) == polars_frame.columns == duck.columns == list(TABLES[table].columns)
    expected_duck = {
        "float64": "DOUBLE",
        "list<int32>": "INTEGER[]",
        "list<int64>": "BIGINT[]",
        "string": "VARCHAR",
        "int32": "INTEGER",
        "int64": "BIGINT",
        "date": "DATE",
        "bool": "BOOLEAN",
        "list<string>": "VARCHAR[]",
        "list<string?>": "VARCHAR[]",
    }
    assert [str(t) for t in duck.types] == [expected_duck[FIELDS[c].type] for c in TABLES[table].columns]
    expected_polars = {
        "float64": pl.Float64,
        "list<int32>": pl.List(pl.Int32),
        "list<int64>": pl.List(pl.Int64),
        "string": pl.String,
        "int32": pl.Int32,
        "int64": pl.Int64,
        "date": pl.Date,
        "bool": pl.Boolean,
        "list<string>": pl.List(pl.String),
        "list<string?>": pl.List(pl.String),
    }
    assert list(polars_frame.schema.values()) == [
        expected_polars[FIELDS[c].type] for c in TABLES[table].columns
    ]


@pytest.mark.parametrize("table", sorted(TABLES))
def test_csv_round_trips_with_utf8_sig(fixture_release: Path, table: str) -> None:
    frame = pd.read_csv(
        fixture_release / "csv" / f"{table}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    parquet = pq.read_table(fixture_release / f"{table}.parquet").to_pylist()
    assert len(frame) == len(parquet)
    assert list(frame.columns) == list(TABLES[table].columns)
    for row, original in zip(frame.to_dict("records"), parquet, strict=True):
        for column, value in original.items():
            if FIELDS[column].type.startswith("list"):
                assert json.loads(row[column]) == value
            elif value is None:
                assert row[column] == ""
            elif isinstance(value, bool):
                assert row[column] == ("true" if value else "false")
            else:
                assert row[column] == (value.isoformat() if hasattr(value, "isoformat") else str(value))


def test_csv_opens_in_excel_friendly_encoding(fixture_release: Path) -> None:
    raw = (fixture_release / "csv" / "paragraphs.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with (fixture_release / "csv" / "paragraphs.csv").open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[0] == "doc_id"


def test_load_gives_sensible_dtypes(fixture_release: Path) -> None:
    documents = load("documents", fixture_release)
    assert str(documents["published_date"].dtype).startswith("datetime64")
    assert isinstance(documents["capture_format"].dtype, pd.CategoricalDtype)
    assert list(documents["capture_format"].cat.categories) == list(FIELDS["capture_format"].allowed)
    assert isinstance(documents["authors"].iloc[0], list)
    assert documents["title"].dtype == pd.StringDtype()
    assert documents["source_row"].dtype == pd.Int32Dtype()
    traditional = documents[documents["script"] == "traditional"]
    assert traditional["title_simplified"].tolist() == ["立法会财务委员会会议纪要"]


def test_csv_cells_are_verbatim_and_the_datasheet_counts_spreadsheet_hazards(tmp_path: Path) -> None:
    from pipeline.stages.release import EXCEL_CELL_LIMIT, CsvNotes, write_csv
    from pipeline.tables import TableWriter

    long_text = "长" * (EXCEL_CELL_LIMIT + 1)
    rows = [
        {
            "source_file": "a.txt",
            "source_row": None,
            "stage": "ingest",
            "reason_code": "excluded",
            "detail": "=1+1",
        },
        {
            "source_file": "b.txt",
            "source_row": None,
            "stage": "ingest",
            "reason_code": "too_large",
            "detail": long_text,
        },
        {
            "source_file": "c.txt",
            "source_row": None,
            "stage": "ingest",
            "reason_code": "excluded",
            "detail": "ok",
        },
    ]
    with TableWriter("rejects", tmp_path / "rejects.parquet") as writer:
        for row in rows:
            writer.write(row)
    notes = CsvNotes()
    write_csv(tmp_path / "rejects.parquet", tmp_path / "rejects.csv", notes)
    import pandas as pd

    read = pd.read_csv(tmp_path / "rejects.csv", encoding="utf-8-sig", dtype=str)
    assert list(read["detail"]) == ["=1+1", long_text, "ok"]  # verbatim: no quote, prefix or cut
    assert dict(notes.over_limit) == {"rejects.detail": 1}
    assert dict(notes.formula_like) == {"rejects.detail": 1}
    from pipeline.publish.datasheet import csv_section

    section = csv_section(notes.over_limit, notes.formula_like)
    assert "Excel's cell limit; Excel cuts the rest): 1 (`rejects.detail` 1)" in section
    assert "may take for a formula: 1 (`rejects.detail` 1)" in section


def test_the_manifest_lists_the_documents_of_the_digests_sorted_on_disk(
    fixture_release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import tables
    from pipeline.stages.release import DocumentDigests

    table = pq.read_table(fixture_release / "documents.parquet").to_pylist()
    held = {
        row["doc_id"]: {
            "record_sha256": row["record_sha256"],
            "source": row["source_file"]
            + (f"#row{row['source_row']}" if row["source_row"] is not None else ""),
        }
        for row in table
    }
    runs: list[int] = []
    original = tables._write_run
    monkeypatch.setattr(
        tables, "_write_run", lambda groups, *args: runs.append(len(groups)) or original(groups, *args)
    )
    monkeypatch.setattr(tables, "SORT_RUN_ROWS", 1)  # a run per row group: merged, never held whole
    monkeypatch.setattr(tables, "MERGE_ROWS", 1)
    one_a_group = tmp_path / "documents.parquet"  # the fixture's documents, a row group each
    pq.write_table(pq.read_table(fixture_release / "documents.parquet"), one_a_group, row_group_size=1)
    digests = DocumentDigests.read(one_a_group)
    assert len(digests) == len(held) > 1
    assert list(digests.items()) == sorted(held.items())
    assert runs == [1] * len(held)
    assert vars(digests).keys() == {"path", "count"}  # no per-document state between listings
    manifest = json.loads((fixture_release / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["documents"].items()) == sorted(held.items())


def test_the_datasheet_date_range_counts_what_the_dates_list_would(fixture_release: Path) -> None:
    from pipeline.publish.datasheet import date_range

    days = [row["published_date"] for row in pq.read_table(fixture_release / "documents.parquet").to_pylist()]
    dated = [day for day in days if day is not None]
    assert 0 < len(dated) < len(days)  # the fixture has both
    assert date_range(iter(days)) == (len(dated), min(dated), max(dated))
    assert date_range(iter([None])) == (0, None, None)
    datasheet = (fixture_release / "DATASHEET.md").read_text(encoding="utf-8")
    assert f"{min(dated)} to {max(dated)} ({len(dated)} of {len(days)} documents show a date)" in datasheet


def _tricky_table(table: str, rows: int, seed: int) -> pa.Table:
    """Rows of `table` with every column type of the release and cells the CSV writer must quote or keep."""
    import datetime as dt
    import random

    from pipeline.arrow import arrow_schema

    rng = random.Random(seed)
    texts = [
        "a,b",
        'say "hi"',
        "line\nbreak",
        "cr\rhere",
        "crlf\r\n",
        "=1+1",
        "-x",
        "@a",
        "+",
        " 空格 ",
        "中文",
        "x",
    ]

    def value(kind: pa.DataType) -> object:
        if pa.types.is_string(kind):
            return rng.choice(texts)
        if pa.types.is_integer(kind):
            return rng.choice([0, 7, -3, 2**31 - 1, -(2**31)])
        if pa.types.is_boolean(kind):
            return rng.random() < 0.5
        if pa.types.is_date32(kind):
            return dt.date(rng.choice([999, 2024, 9999]), 1, rng.randint(1, 28))
        if pa.types.is_floating(kind):
            return rng.choice([0.1, 1e16, -2.5, 3.0, 1 / 3])
        if pa.types.is_list(kind):
            return [value(kind.value_type) for _ in range(rng.randint(0, 3))]
        raise AssertionError(f"no test value for {kind}")

    schema = arrow_schema(table)
    columns = {
        f.name: [None if f.nullable and rng.random() < 0.2 else value(f.type) for _ in range(rows)]
        for f in schema
    }
    return pa.table(columns, schema=schema)


@pytest.mark.parametrize("table", ["documents", "figures", "terms", "rejects"])
@pytest.mark.parametrize(("chunk_rows", "chunk_bytes", "most_rows"), [(7, 1 << 20, 7), (2_000, 400, 19)])
def test_csv_is_byte_for_byte_what_the_csv_module_writes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    table: str,
    chunk_rows: int,
    chunk_bytes: int,
    most_rows: int,
) -> None:
    """The Arrow-formatted CSV (`write_csv`) against csv.writer over `csv_cell` of each value, across row groups
    and chunks (bounded by rows, or by the bytes of their Arrow data), with quotes, commas, line breaks, nulls,
    negative numbers, floats, lists and dates; and the spreadsheet-hazard counts against counting the cells one
    by one."""
    from pipeline.stages import release
    from pipeline.stages.release import EXCEL_CELL_LIMIT, FORMULA_PREFIXES, CsvNotes, csv_cell, write_csv

    monkeypatch.setattr(release, "CSV_CHUNK", chunk_rows)
    monkeypatch.setattr(release, "CSV_CHUNK_BYTES", chunk_bytes)
    chunks: list[int] = []
    formatted = release.csv_text
    monkeypatch.setattr(release, "csv_text", lambda cells: chunks.append(len(cells[0])) or formatted(cells))
    data = _tricky_table(table, 50, seed=len(table))
    pq.write_table(data, tmp_path / f"{table}.parquet", row_group_size=20)
    notes = CsvNotes()
    write_csv(tmp_path / f"{table}.parquet", tmp_path / "arrow.csv", notes)
    assert sum(chunks) == 50 and max(chunks) <= most_rows

    columns = list(TABLES[table].columns)
    expected_notes = CsvNotes()
    with (tmp_path / "python.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        for row in data.to_pylist():
            cells = [csv_cell(row[column]) for column in columns]
            for column, cell in zip(columns, cells, strict=True):
                if len(cell) > EXCEL_CELL_LIMIT:
                    expected_notes.over_limit[f"{table}.{column}"] += 1
                if cell.startswith(FORMULA_PREFIXES):
                    expected_notes.formula_like[f"{table}.{column}"] += 1
            writer.writerow(cells)
    written = (tmp_path / "arrow.csv").read_bytes()
    assert b'"' in written and b"\r\n" in written
    assert written == (tmp_path / "python.csv").read_bytes()
    assert notes.formula_like and notes == expected_notes


def test_release_files_are_hashed_once_unless_they_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The release lists its files three times; a file that did not change is hashed once, one rewritten
    between two listings is hashed again (its new bytes are what the listing says)."""
    from pipeline.stages import release

    hashed: list[str] = []
    original = release.sha256_file
    monkeypatch.setattr(release, "sha256_file", lambda path: hashed.append(path.name) or original(path))
    (tmp_path / "a.csv").write_bytes(b"one")
    (tmp_path / "b.json").write_bytes(b"two")
    digests: release.Digests = {}
    first = release._entries(tmp_path, {"a": 1}, set(), digests)
    assert first["a.csv"] == {
        "path": "a.csv",
        "sha256": hashlib.sha256(b"one").hexdigest(),
        "bytes": 3,
        "table": "a",
        "rows": 1,
    }
    (tmp_path / "b.json").write_bytes(b"changed")
    second = release._entries(tmp_path, {"a": 1}, set(), digests)
    assert second["a.csv"] == first["a.csv"]
    assert second["b.json"]["sha256"] == hashlib.sha256(b"changed").hexdigest()
    assert sorted(hashed) == ["a.csv", "b.json", "b.json"]


def test_the_datasheet_written_chunk_by_chunk_is_the_datasheet_text(
    fixture_release: Path, tmp_path: Path
) -> None:
    from pipeline.provenance import code_tree_id, package_version
    from pipeline.publish.datasheet import datasheet_chunks, render_datasheet, write_datasheet
    from pipeline.settings import Settings

    provenance = {"package_version": package_version(), "code_tree": code_tree_id()}
    written = tmp_path / "DATASHEET.md"
    write_datasheet(written, fixture_release, Settings(), provenance)
    held = render_datasheet(fixture_release, Settings(), provenance)
    assert written.read_text(encoding="utf-8") == held
    sources = pq.read_table(fixture_release / "sources.parquet").num_rows
    chunks = list(datasheet_chunks(fixture_release, Settings(), provenance))
    assert len(chunks) == 1 + sources + 1 > 3  # the sections, a row per raw file, the last line ending
    assert held.endswith(chunks[-2] + "\n") and chunks[-2].startswith("\n| `")
    # the release's own datasheet (its description ends with the composition) differs from these settings' only
    # in that description: its provenance table is the same rows
    release_text = (fixture_release / "DATASHEET.md").read_text(encoding="utf-8")
    assert release_text.endswith(held[held.index("## Provenance") :])


def test_body_paragraph_lengths_count_body_and_list_items_by_characters(tmp_path: Path) -> None:
    """The histogram the lengths plot and the datasheet share: characters (not bytes) of body paragraphs and
    list items only, across row groups."""
    from pipeline.publish.composition import body_paragraph_lengths

    table = pa.table(
        {
            "kind": ["body", "caption", "list_item", "body", "code", "body"],
            "text": ["人大常委会", "图片说明文字", "一、", "abc", "x = 1", "常委会"],
        }
    )
    pq.write_table(table, tmp_path / "paragraphs.parquet", row_group_size=2)
    assert pq.ParquetFile(tmp_path / "paragraphs.parquet").num_row_groups == 3
    assert body_paragraph_lengths(tmp_path) == {5: 1, 2: 1, 3: 2}


def test_datasheet_from_what_the_release_computed_is_the_datasheet_read_from_the_tables(
    fixture_release: Path, tmp_path: Path
) -> None:
    """The release passes its row counts and paragraph length histogram to the datasheet instead of reading
    the tables again; the text is the same as when the datasheet reads them itself, and it uses what it is
    given (a different histogram changes the lengths line)."""
    from collections import Counter

    from pipeline.provenance import code_tree_id, package_version
    from pipeline.publish.composition import body_paragraph_lengths
    from pipeline.publish.datasheet import write_datasheet
    from pipeline.settings import Settings
    from pipeline.tables import row_count

    provenance = {"package_version": package_version(), "code_tree": code_tree_id()}
    read_itself, given, other = tmp_path / "a.md", tmp_path / "b.md", tmp_path / "c.md"
    write_datasheet(read_itself, fixture_release, Settings(), provenance)
    rows = {table: row_count(fixture_release / f"{table}.parquet") for table in TABLES}
    lengths = body_paragraph_lengths(fixture_release)
    write_datasheet(given, fixture_release, Settings(), provenance, paragraph_lengths=lengths, rows=rows)
    assert given.read_text(encoding="utf-8") == read_itself.read_text(encoding="utf-8")
    write_datasheet(
        other, fixture_release, Settings(), provenance, paragraph_lengths=Counter({7: 4}), rows=rows
    )
    assert "Body paragraphs: 4; characters per paragraph: 10th percentile 7, median 7" in other.read_text(
        encoding="utf-8"
    )


def test_write_csv_returns_the_rows_it_wrote(tmp_path: Path) -> None:
    from pipeline.stages import release

    notes = release.CsvNotes()
    table = pa.table({column: ["x", "y", "z"] for column in TABLES["templates"].columns})
    pq.write_table(table, tmp_path / "templates.parquet")
    assert release.write_csv(tmp_path / "templates.parquet", tmp_path / "templates.csv", notes) == 3
    assert (tmp_path / "templates.csv").read_bytes().count(b"\r\n") == 4  # the header and three rows
