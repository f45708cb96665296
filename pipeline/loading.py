"""`pipeline.load(table)`: one release table as a pandas DataFrame with sensible dtypes.

Strings are pandas strings, dates are datetime64, integers are nullable integers, list columns hold Python
lists, and closed or low-cardinality columns (capture_format, kind, role, account, …) are categories. The
table comes from a local release folder, or is downloaded (and verified) from the configured base URL.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import RendaError
from pipeline.fields import FIELDS, TABLES

LOCAL_RELEASE = Path("data/release")

_PANDAS_TYPES = {
    pa.string(): pd.StringDtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.float64(): pd.Float64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def to_dataframe(table: str, arrow: pa.Table) -> pd.DataFrame:
    frame = arrow.to_pandas(types_mapper=_PANDAS_TYPES.get, date_as_object=False)
    for column in frame.columns:
        spec = FIELDS[column]
        if spec.type.startswith("list"):
            frame[column] = pd.Series(arrow.column(column).to_pylist(), index=frame.index, dtype=object)
        elif spec.allowed is not None:
            # the full vocabulary, so the dtype is the same in every release
            frame[column] = frame[column].astype(pd.CategoricalDtype(list(spec.allowed)))
        elif spec.is_category:
            frame[column] = frame[column].astype("category")
    return frame


def load(
    table: str,
    release: str | Path | None = None,
    columns: list[str] | None = None,
    base_url: str | None = None,
) -> pd.DataFrame:
    """Read `table` from `release` (a folder), else ./data/release, else download it from `base_url`
    (default: `distribution.base_url` in params.yaml) into the cache."""
    if table not in TABLES:
        raise RendaError(f"unknown table {table!r}; known: {', '.join(TABLES)}")
    folder = Path(release) if release is not None else LOCAL_RELEASE
    path = folder / f"{table}.parquet"
    if not path.is_file():
        if release is not None:
            raise RendaError(f"{path}: not found")
        from pipeline.remote import default_cache, download
        from pipeline.settings import Settings, load_settings

        settings = load_settings(Path("params.yaml")) if Path("params.yaml").is_file() else Settings()
        url = base_url or settings.distribution.base_url
        target = default_cache() / "loaded"
        download(url, target, tables=[table])
        path = target / f"{table}.parquet"
    return to_dataframe(table, pq.read_table(path, columns=columns))
