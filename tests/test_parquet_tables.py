"""`pipeline.tables`: Parquet written and read a row group at a time, so no stage holds a whole table."""

from __future__ import annotations

import math
from pathlib import Path

import hypothesis.strategies as st
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings

from pipeline import tables
from pipeline.tables import TableWriter, iter_rows, text_chars, text_columns


def _reject(index: int, detail: str = "d") -> dict[str, object]:
    return {
        "source_file": f"f{index}.txt",
        "source_row": index,
        "stage": "ingest",
        "reason_code": "blank_file",
        "detail": detail,
    }


@pytest.mark.parametrize("rows", [0, 1, 6, 7, 8, 30])
def test_a_writer_given_n_rows_writes_ceil_n_over_the_batch_row_groups(
    rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "BATCH_ROWS", 7)
    path = tmp_path / "rejects.parquet"
    with TableWriter("rejects", path) as writer:
        for index in range(rows):
            writer.write(_reject(index))
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_rows == rows
    assert metadata.num_row_groups == max(1, math.ceil(rows / 7))  # an empty table is one empty group
    assert [row["source_row"] for row in iter_rows(path)] == list(range(rows))


def test_a_row_group_also_closes_at_the_character_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "BATCH_CHARS", 100)
    path = tmp_path / "rejects.parquet"
    with TableWriter("rejects", path) as writer:
        for index in range(10):
            writer.write(_reject(index, "字" * 40))  # each row about 60 characters of text
    sizes = [pq.ParquetFile(path).metadata.row_group(i).num_rows for i in range(5)]
    assert sizes == [2, 2, 2, 2, 2]


def test_rows_are_read_one_row_group_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "BATCH_ROWS", 5)
    path = tmp_path / "rejects.parquet"
    with TableWriter("rejects", path) as writer:
        for index in range(23):
            writer.write(_reject(index))
    read: list[int] = []
    original = pq.ParquetFile.read_row_group

    def counted(self: pq.ParquetFile, index: int, *args: object, **kwargs: object) -> object:
        read.append(index)
        return original(self, index, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", counted)
    rows = iter_rows(path, ["source_row"])
    assert next(rows) == {"source_row": 0}
    assert read == [0]  # the first row needs the first group only
    assert [row["source_row"] for row in rows] == list(range(1, 23))
    assert read == [0, 1, 2, 3, 4]


# Keys with ties inside a row group, across row groups and across runs, and keys whose UTF-8 bytes and code
# points must give the same order (ASCII, a Latin letter, CJK, a character outside the BMP).
SORT_KEYS = list("ba中béa𝔸baz中aéba0b𝔸ab")  # one key a character


def _sorted_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tables, "BATCH_ROWS", 3)
    path = tmp_path / "rejects.parquet"
    with TableWriter("rejects", path) as writer:
        for index, key in enumerate(SORT_KEYS):
            writer.write({**_reject(index), "source_file": key})
    return path


@pytest.mark.parametrize(("run_rows", "merge_rows"), [(1, 1), (4, 2), (6, 5), (7, 3), (100, 256)])
def test_iter_sorted_is_a_stable_sort_of_the_whole_table_held_a_run_at_a_time(
    run_rows: int, merge_rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _sorted_fixture(tmp_path, monkeypatch)
    runs: list[int] = []
    original = tables._write_run

    def counted(groups: list, *args: object) -> Path:
        runs.append(sum(group.num_rows for group in groups))
        return original(groups, *args)

    monkeypatch.setattr(tables, "_write_run", counted)
    rows = list(tables.iter_sorted(path, "source_file", ["source_file", "source_row"], run_rows, merge_rows))
    # exactly what sorting every row at once (Python's sort is stable) gives: equal keys in file order
    expected = sorted(
        ({"source_file": key, "source_row": index} for index, key in enumerate(SORT_KEYS)),
        key=lambda row: row["source_file"],
    )
    assert rows == expected
    assert [row["source_row"] for row in rows if row["source_file"] == "a"] == [1, 5, 8, 11, 14, 18]
    # whole row groups of 3 until a run holds run_rows: never the table, unless it fits in one run
    assert sum(runs) == len(SORT_KEYS)
    assert max(runs) <= max(3, run_rows + 2)
    assert (len(runs) > 1) == (run_rows < len(SORT_KEYS))


def test_iter_sorted_reads_the_module_bounds_when_called_and_needs_the_key_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _sorted_fixture(tmp_path, monkeypatch)
    monkeypatch.setattr(tables, "SORT_RUN_ROWS", 3)
    runs: list[int] = []
    original = tables._write_run
    monkeypatch.setattr(
        tables, "_write_run", lambda groups, *args: runs.append(len(groups)) or original(groups, *args)
    )
    keys = [row["source_file"] for row in tables.iter_sorted(path, "source_file", ["source_file"])]
    assert keys == sorted(SORT_KEYS)
    assert runs == [1] * 7  # one row group of 3 a run
    with pytest.raises(ValueError, match="not among the columns"):
        list(tables.iter_sorted(path, "source_file", ["source_row"]))


def test_iter_sorted_of_an_empty_table_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "rejects.parquet"
    with TableWriter("rejects", path):
        pass
    assert list(tables.iter_sorted(path, "source_file", ["source_file"])) == []


@given(
    details=st.lists(st.integers(min_value=0, max_value=70), min_size=0, max_size=40),
    cuts=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=12),
    as_dicts=st.lists(st.booleans(), min_size=1, max_size=12),
)
@settings(max_examples=60, deadline=None)
def test_rows_given_in_arrow_make_the_same_file_as_rows_given_one_by_one(
    details: list[int], cuts: list[int], as_dicts: list[bool]
) -> None:
    """`write_batch` cuts row groups where `write` does (at `BATCH_ROWS` rows or `BATCH_CHARS` characters, also
    inside a batch and mixed with rows given as dicts): the same bytes."""
    import tempfile

    import pyarrow as pa

    from pipeline.arrow import arrow_schema

    rows = [_reject(index, "字" * length if length else "") for index, length in enumerate(details)]
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "BATCH_ROWS", 7)
        patch.setattr(
            tables, "BATCH_CHARS", 400
        )  # 7 rows of 23 to 93 characters: either bound may close a group
        one_by_one, batched = Path(folder) / "a.parquet", Path(folder) / "b.parquet"
        with TableWriter("rejects", one_by_one) as writer:
            for row in rows:
                writer.write(row)
        with TableWriter("rejects", batched) as writer:
            start, step = 0, 0
            while start < len(rows):
                piece = rows[start : start + cuts[step % len(cuts)]]
                if as_dicts[step % len(as_dicts)]:
                    for row in piece:
                        writer.write(row)
                else:  # each row's characters given by the caller on every other batch, else counted
                    schema = arrow_schema("rejects")
                    chars = [text_chars(row, text_columns(schema)) for row in piece] if step % 2 else None
                    writer.write_batch(pa.RecordBatch.from_pylist(piece, schema=schema), chars)
                start, step = start + len(piece), step + 1
        assert batched.read_bytes() == one_by_one.read_bytes()


def test_a_batch_of_another_schema_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa

    with (
        TableWriter("rejects", tmp_path / "rejects.parquet") as writer,
        pytest.raises(ValueError, match="rejects: a batch of another schema"),
    ):
        writer.write_batch(pa.RecordBatch.from_pylist([{"source_file": "f.txt"}]))


def test_a_batch_closes_a_row_group_at_exactly_the_character_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa

    from pipeline.arrow import arrow_schema

    monkeypatch.setattr(tables, "BATCH_CHARS", 400)
    rows = [_reject(index, "字" * 78) for index in range(10)]  # 100 characters of text each
    path = tmp_path / "rejects.parquet"
    with TableWriter("rejects", path) as writer:
        writer.write_batch(pa.RecordBatch.from_pylist(rows, schema=arrow_schema("rejects")))
    metadata = pq.ParquetFile(path).metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [4, 4, 2]
