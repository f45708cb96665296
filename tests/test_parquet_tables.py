"""`pipeline.tables`: Parquet written and read a row group at a time, so no stage holds a whole table."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import tables
from pipeline.tables import TableWriter, iter_rows


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
