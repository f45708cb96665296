"""Streaming Parquet writers with the dictionary's explicit Arrow schema (never inferred from a first batch)."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.arrow import arrow_schema

BATCH_ROWS = 2_000
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "2.0",
}


class TableWriter:
    """Buffers rows of one table and writes them as Parquet row groups of `BATCH_ROWS` rows."""

    def __init__(self, table: str, path: Path) -> None:
        self.table = table
        self.schema = arrow_schema(table)
        self.path = path
        self.rows = 0
        self._buffer: list[dict[str, Any]] = []
        self._writer = pq.ParquetWriter(path, self.schema, **PARQUET_OPTIONS)

    def write(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        if len(self._buffer) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_batch(pa.RecordBatch.from_pylist(self._buffer, schema=self.schema))
            self.rows += len(self._buffer)
            self._buffer.clear()

    def close(self) -> None:
        self._flush()
        if self.rows == 0:
            # An empty table is still a valid file with the full schema.
            self._writer.write_table(self.schema.empty_table())
        self._writer.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def iter_rows(path: Path, columns: list[str] | None = None) -> Any:
    """Stream rows of a Parquet file as dicts, one record batch at a time."""
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
        yield from batch.to_pylist()


def row_count(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows
