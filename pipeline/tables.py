"""Streaming Parquet writers with the dictionary's explicit Arrow schema (never inferred from a first batch)."""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from pipeline.arrow import arrow_schema

# Rows of a row group. A stage holds about one row group of each table it reads or writes, so its peak memory
# stops growing once a corpus fills whole row groups: at 2,000 rows (and 4 million characters) a corpus of 1,000
# documents did not fill one of `documents` or of `raw_texts`, and the largest stage peaked at 259 MB there and
# 295 MB at 20,000 synthetic documents (+14 %); at 1,000 rows and 1 million characters, 270 and 281 MB (+4 %),
# for Parquet files 2 % larger.
BATCH_ROWS = 1_000
# A row group is also closed at this many characters of text, so tables of whole texts stay small in memory.
BATCH_CHARS = 1_000_000
# zstd at its default level: measured on the validated tables of 16 copies of the shared corpus, level 9 wrote
# them in 2.08 CPU s and 24.4 MB, level 3 in 0.68 s and 28.0 MB (level 1: 0.46 s, 33.8 MB). Every stage that
# writes tables writes them whole on each run (the +1 % rebuild too), and the release's Parquet files are these
# bytes: 15 % larger files for a third of the compression time.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "2.0",
}


def text_columns(schema: pa.Schema) -> tuple[str, ...]:
    """The columns of a schema whose values are text."""
    return tuple(f.name for f in schema if pa.types.is_string(f.type))


def text_chars(row: dict[str, Any], columns: tuple[str, ...]) -> int:
    """The characters of text in a row (`columns`: its table's `text_columns`), as a row group counts them
    against `BATCH_CHARS`."""
    return sum(len(row.get(column) or "") for column in columns)


class TableWriter:
    """Buffers rows of one table and writes them as Parquet row groups of `BATCH_ROWS` rows.

    `columns` (default: all) writes the table as a stage hands it on, before a later stage adds the rest."""

    def __init__(self, table: str, path: Path, columns: tuple[str, ...] | None = None) -> None:
        self.table = table
        self.schema = arrow_schema(table, columns)
        self.path = path
        self.rows = 0
        # The row group being filled: rows given as dicts (not yet converted), after Arrow pieces given whole.
        self._buffer: list[dict[str, Any]] = []
        self._pieces: list[pa.RecordBatch] = []
        self._pending = 0  # rows in the pieces and the buffer
        self._buffer_chars = 0  # characters of text in them
        # The columns whose values are text, for counting a row group's characters: looking only at them, not
        # at the type of every value of every row, was 0.8 of validate's 9 CPU s on 400,000 rows.
        self._text_columns = text_columns(self.schema)
        self._writer = pq.ParquetWriter(path, self.schema, **PARQUET_OPTIONS)

    def write(self, row: dict[str, Any]) -> None:
        self._buffer.append(row)
        self._pending += 1
        self._buffer_chars += text_chars(row, self._text_columns)
        if self._pending >= BATCH_ROWS or self._buffer_chars >= BATCH_CHARS:
            self._flush()

    def write_batch(self, batch: pa.RecordBatch, chars: Sequence[int] | None = None) -> None:
        """Rows already in Arrow (of this writer's schema): the same row groups as writing them one by one, cut
        where `write` would cut them, without a Python object per row. `chars` is each row's `text_chars`, when
        the caller knows them (counting them here costs Arrow calls per batch, much for a batch of a few
        rows)."""
        if batch.num_rows == 0:
            return
        if batch.schema != self.schema:
            raise ValueError(f"{self.table}: a batch of another schema ({batch.schema.names})")
        if chars is None:
            chars = self._batch_chars(batch)
        self._convert_buffer()
        start = 0
        while start < batch.num_rows:
            cut = self._cut(chars, start)
            if cut is None:  # the rest fits: `write` would not flush within it
                self._pieces.append(batch.slice(start) if start else batch)
                self._pending += batch.num_rows - start
                self._buffer_chars += sum(chars[start:])
                return
            self._pieces.append(batch.slice(start, cut - start))
            self._pending += cut - start
            self._flush()
            start = cut

    def _cut(self, chars: Sequence[int], start: int) -> int | None:
        """Where `write`, given the rows from `start` on, would flush: the end of the row that fills the row
        group (by rows or by characters), or None if none does."""
        total = self._buffer_chars
        room = BATCH_ROWS - self._pending
        if len(chars) - start < room and total + sum(chars[start:]) < BATCH_CHARS:
            return None
        for offset, count in enumerate(chars[start:]):
            total += count
            if offset + 1 >= room or total >= BATCH_CHARS:
                return start + offset + 1
        return None

    def _batch_chars(self, batch: pa.RecordBatch) -> list[int]:
        counts = np.zeros(batch.num_rows, dtype=np.int64)
        for column in self._text_columns:
            counts += pc.utf8_length(batch.column(column)).fill_null(0).to_numpy(zero_copy_only=False)
        return counts.tolist()

    def _convert_buffer(self) -> None:
        if self._buffer:
            self._pieces.append(pa.RecordBatch.from_pylist(self._buffer, schema=self.schema))
            self._buffer.clear()

    def _flush(self) -> None:
        if self._pending:
            self._convert_buffer()
            pieces = self._pieces
            batch = (
                pieces[0]
                if len(pieces) == 1
                else pa.Table.from_batches(pieces).combine_chunks().to_batches()[0]
            )
            self._writer.write_batch(batch)
            self.rows += self._pending
            self._pieces = []
            self._pending = 0
            self._buffer_chars = 0
            release_unused()

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
    """Stream rows of a Parquet file as dicts: one row group read at a time, converted 500 rows at a time.

    Measured on 16 copies of the shared corpus: peak RSS of the release stage 446 MB with
    `ParquetFile.iter_batches`, flat with this (row groups are bounded by `BATCH_CHARS`).
    """
    parquet = pq.ParquetFile(path)
    for index in range(parquet.num_row_groups):
        group = parquet.read_row_group(index, columns=columns)
        for batch in group.to_batches(max_chunksize=500):
            yield from batch.to_pylist()
        del group
        release_unused()


# Rows of one sorted run of `iter_sorted` (held in Arrow while it is sorted), and rows of each run turned into
# Python objects at once while the runs are merged. The release's manifest lists every document in doc_id order:
# sorting the whole column in memory raised the release's peak RSS with the corpus (see README, *Memory*).
SORT_RUN_ROWS = 20_000
MERGE_ROWS = 256


def iter_sorted(
    path: Path, key: str, columns: list[str], run_rows: int | None = None, merge_rows: int | None = None
) -> Iterator[dict[str, Any]]:
    """Rows of a Parquet file as dicts in ascending `key` order, equal keys in file order: what a stable sort
    of the whole table gives, without holding the table.

    An external merge sort: runs of about `run_rows` rows (whole row groups) are sorted by Arrow and written to
    a temporary folder as Arrow IPC files of `merge_rows`-row batches, then merged by `heapq.merge`, which
    reads one batch of each run at a time and takes an earlier run's row first on a tie. Memory is one run, or
    `merge_rows` rows of each run, not the table. Arrow orders strings by their UTF-8 bytes, which is Python's
    order of code points, so the runs and the merge agree. `key` must have no nulls (Python compares no None).
    `run_rows` and `merge_rows` default to `SORT_RUN_ROWS` and `MERGE_ROWS` as they are when called.
    """
    if key not in columns:
        raise ValueError(f"iter_sorted: key {key!r} is not among the columns read")
    run_rows = SORT_RUN_ROWS if run_rows is None else run_rows
    merge_rows = MERGE_ROWS if merge_rows is None else merge_rows
    parquet = pq.ParquetFile(path)
    with tempfile.TemporaryDirectory(prefix="renda-sort-") as folder:
        runs: list[Path] = []
        pending: list[pa.Table] = []
        for index in range(parquet.num_row_groups):
            pending.append(parquet.read_row_group(index, columns=columns))
            if sum(group.num_rows for group in pending) >= run_rows:
                runs.append(_write_run(pending, key, Path(folder) / f"{len(runs)}.arrow", merge_rows))
        if pending:
            runs.append(_write_run(pending, key, Path(folder) / f"{len(runs)}.arrow", merge_rows))
        yield from heapq.merge(*(_run_rows(run) for run in runs), key=itemgetter(key))


def _write_run(groups: list[pa.Table], key: str, path: Path, batch_rows: int) -> Path:
    """One run of `iter_sorted`: row groups stably sorted by `key`, as an Arrow IPC file of `batch_rows`-row
    batches. `groups` is emptied and Arrow's freed memory handed back, so the next run starts from nothing."""
    table = pa.concat_tables(groups)
    groups.clear()
    ordered = table.take(pc.sort_indices(table, sort_keys=[(key, "ascending")]))
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, ordered.schema) as writer:
        writer.write_table(ordered, max_chunksize=max(1, batch_rows))
    del table, ordered
    release_unused()
    return path


def _run_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of one run, read a batch at a time (read, not memory-mapped: mapped pages count as RSS)."""
    with pa.OSFile(str(path), "rb") as source:
        reader = ipc.open_file(source)
        for index in range(reader.num_record_batches):
            yield from reader.get_batch(index).to_pylist()


def release_unused() -> None:
    """Hand the memory Arrow freed back to the system. Arrow's allocator keeps freed pages for reuse, and a
    table read a row group at a time (each up to `BATCH_CHARS` of text) would otherwise leave its process
    holding several row groups' worth: measured on 20,000 synthetic documents, reading `raw_texts` peaked at
    192 MB without this and 145 MB with it (2,000 documents: 133 and 131 MB)."""
    pa.default_memory_pool().release_unused()


def return_freed_memory() -> None:
    """`release_unused`, and glibc's heap trimmed (`malloc_trim`): what C++ and Python freed outside Arrow's
    pool, above all a Parquet footer (thrift objects for every column of every row group, about 17 MB for the
    2,182 row groups of `paragraphs` at 100,000 synthetic documents), otherwise stays in the process. Called
    between the release's steps, not per row group: trimming walks the whole heap. A no-op without glibc."""
    release_unused()
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = _find_malloc_trim()
    if _malloc_trim is not False:
        _malloc_trim(0)


_malloc_trim: Any = None


def _find_malloc_trim() -> Any:
    """glibc's `malloc_trim`, or False where there is none (macOS, musl, Windows)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", False) if name else False
    except OSError:
        return False


def row_count(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows
