"""renda-corpus: rebuild, download and load the dataset of Chinese People's Congress and government articles.

Public face: `load(table)` for a pandas DataFrame, `download(base_url, dest)` for a verified release,
`__version__`. The pipeline itself runs through `renda` (see `pipeline.cli`) or `dvc repro`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.provenance import package_version

__version__ = package_version()

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd


def load(table: str, release: str | Path | None = None, **options: Any) -> pd.DataFrame:
    from pipeline.loading import load as _load

    return _load(table, release, **options)


def download(base_url: str, dest: str | Path, **options: Any) -> list[Path]:
    from pathlib import Path

    from pipeline.remote import download as _download

    return _download(base_url, Path(dest), **options)


__all__ = ["__version__", "download", "load"]
