"""Run settings from params.yaml (the DVC params file), validated so a typo is an error, not a default."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import RendaError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatasetSettings(_Section):
    name: str = "renda-corpus"
    title: str = "renda-corpus: Chinese People's Congress and government official-account articles"
    version: str = "0.1.0"
    license: str = "CC-BY-4.0 (metadata and structure); article texts remain with their publishers"


DEFAULT_EXCLUDE = ["README*", "*/README*", "LICENSE*", "*/LICENSE*", "MANIFEST*", "*/MANIFEST*"]


class IngestSettings(_Section):
    # Glob patterns (relative to the raw folder) of files that are not captures; each becomes a reject row.
    exclude: list[str] = Field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    # Container columns by role (text, title, date, url, account), when the names are not recognised.
    columns: dict[Literal["text", "title", "date", "url", "account"], str] = Field(default_factory=dict)


class ReleaseSettings(_Section):
    # Parser scores on the dev gold set (written by `make evaluate`), quoted in the datasheet when present.
    evaluation: Path | None = None


class Settings(_Section):
    dataset: DatasetSettings = Field(default_factory=DatasetSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    release: ReleaseSettings = Field(default_factory=ReleaseSettings)


def load_settings(path: Path | None) -> Settings:
    """Settings from a params.yaml; defaults when `path` is None."""
    if path is None:
        return Settings()
    if not path.is_file():
        raise RendaError(f"{path}: params file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Settings.model_validate(data)
    except yaml.YAMLError as error:
        raise RendaError(f"{path}: not valid YAML ({error.__class__.__name__})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RendaError(f"{path}: {where}: {first['msg']}") from None
