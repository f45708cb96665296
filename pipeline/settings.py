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
    description: str = (
        "Articles published by Chinese People's Congress (人大) and government bodies on their official "
        "accounts, rebuilt from raw text captures into validated, sectioned records: documents, sections with "
        "headings, paragraphs with lead sentences, credits, related articles, raw texts and rejects."
    )
    version: str = "0.1.0"
    # The release date is set by the maintainer for each version (never read from a clock).
    released: str = "2026-11-24"
    license: str = "CC-BY-4.0"
    license_url: str = "https://creativecommons.org/licenses/by/4.0/"
    license_note: str = (
        "The licence covers the dataset's structure, metadata and annotations; article texts remain with "
        "their publishers and are included for research."
    )
    creators: list[str] = Field(default_factory=lambda: ["renda-corpus maintainers"])
    homepage: str = "https://renda-corpus.invalid/"
    keywords: list[str] = Field(
        default_factory=lambda: [
            "Chinese politics",
            "people's congress",
            "official accounts",
            "WeChat",
            "NLP",
        ]
    )


class DistributionSettings(_Section):
    # Where published release folders live: `<base_url>/manifest.json` and the files it lists.
    base_url: str = "https://renda-corpus.invalid/releases/latest/"


DEFAULT_EXCLUDE = ["README*", "*/README*", "LICENSE*", "*/LICENSE*", "MANIFEST*", "*/MANIFEST*"]


class IngestSettings(_Section):
    # Glob patterns (relative to the raw folder) of files that are not captures; each becomes a reject row.
    exclude: list[str] = Field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    # Container columns by role (text, title, date, url, account), when the names are not recognised.
    columns: dict[Literal["text", "title", "date", "url", "account"], str] = Field(default_factory=dict)


class DuplicateParams(_Section):
    # MinHash near-duplicates: permutations, character shingle size, Jaccard threshold, hash seed.
    num_perm: int = Field(default=128, ge=16, le=1024)
    shingle: int = Field(default=5, ge=2, le=20)
    threshold: float = Field(default=0.8, gt=0, le=1)
    seed: int = 1


class EnrichSettings(_Section):
    duplicates: DuplicateParams = Field(default_factory=DuplicateParams)


class ReleaseSettings(_Section):
    # Parser scores on the dev gold set (written by `make evaluate`), quoted in the datasheet when present.
    evaluation: Path | None = None
    # The previous version's manifest (kept under releases/): CHANGELOG.md is a data diff against it.
    previous_manifest: Path | None = None
    # dvc.lock of the run that builds this release: its upstream stages' hash goes into the manifest.
    dvc_lock: Path | None = None


class Settings(_Section):
    dataset: DatasetSettings = Field(default_factory=DatasetSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    distribution: DistributionSettings = Field(default_factory=DistributionSettings)
    enrich: EnrichSettings = Field(default_factory=EnrichSettings)
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
