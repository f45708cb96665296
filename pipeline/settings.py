"""Run settings from params.yaml (the DVC params file), validated so a typo is an error, not a default.

Everything that can be wrong in the settings is found when they are loaded, before any stage runs: value
ranges, formats (a version, a date, a URL), cross-field constraints (the near-duplicate threshold and number
of permutations must give an LSH index), and every file they name is read and checked. Relative paths are
resolved against the folder of the params file, so the same params give the same release from any folder.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from pipeline.cache import open_cache
from pipeline.dates import is_iso_day
from pipeline.errors import RendaError
from pipeline.issuers import Type as IssuerType


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _http_url(value: str) -> str:
    if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _iso_date(value: str) -> str:
    if not is_iso_day(value):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]


def _date_as_text(value: object) -> object:
    """YAML reads an unquoted 2026-11-24 as a date: take it as the same text."""
    return value.isoformat() if isinstance(value, dt.date) else value


IsoDate = Annotated[str, BeforeValidator(_date_as_text), AfterValidator(_iso_date)]
NonEmpty = Annotated[str, Field(min_length=1)]
# Semantic version (https://semver.org): the changelog and the download cache use it as a path component.
VERSION_PATTERN = r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"


class DatasetSettings(_Section):
    """What the release says the dataset is. These defaults are the one place for its name, title, description,
    licence and creators: a build without params.yaml (the tests, `Settings()`, an installed wheel) describes the
    same dataset, and a change here is a code change, which rebuilds the release. params.yaml sets only what a
    maintainer sets for each version (`version`, `released`)."""

    name: str = Field(default="renda-corpus", pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = "renda-corpus: Chinese People's Congress and government official-account articles"
    # What the dataset is for; the release appends what it actually holds (counts by issuer and scope).
    description: str = (
        "A corpus for the study of articles by Chinese People's Congresses (人大) and governments on their "
        "official accounts, rebuilt from raw text captures into validated, sectioned records: documents with "
        "their issuer and scope, sections with headings, paragraphs with lead sentences, credits, related "
        "articles, raw texts and rejects."
    )
    version: str = Field(default="0.1.0", pattern=VERSION_PATTERN)
    # The release date is set by the maintainer for each version (never read from a clock).
    released: IsoDate = "2026-11-24"
    license: str = "CC-BY-4.0"
    license_url: HttpUrl = "https://creativecommons.org/licenses/by/4.0/"
    license_note: str = (
        "The licence covers the dataset's structure, metadata and annotations; article texts remain with "
        "their publishers and are included for research."
    )
    creators: list[str] = Field(default_factory=lambda: ["renda-corpus maintainers"])
    homepage: HttpUrl = "https://renda-corpus.invalid/"
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
    # Where a published release folder is served: `<base_url>/manifest.json` and the files it lists. Empty
    # until a maintainer publishes one: a download without a URL then says so instead of trying a dead host.
    base_url: HttpUrl = ""


DEFAULT_EXCLUDE = ["README*", "*/README*", "LICENSE*", "*/LICENSE*", "MANIFEST*", "*/MANIFEST*"]


class LimitSettings(_Section):
    """Bounds on one input, checked before its memory is spent; a unit over a bound is a `too_large` reject.

    The defaults fit a 24 GB machine with room: the largest real capture seen is 1.6 MB and 233,123 characters.
    """

    # Bytes of one raw file (checked from its size before it is read).
    max_file_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    # Decoded bytes of a Parquet container: from its metadata before any page is read, then counted as it decodes.
    max_container_bytes: int = Field(default=2 * 1024 * 1024 * 1024, ge=1024)
    # How many times its own size a Parquet container may decode to (above 64 MiB): more is a decompression bomb.
    max_inflation: int = Field(default=200, ge=10)
    # Characters of one document's text (a file, or one container cell).
    max_document_chars: int = Field(default=16 * 1024 * 1024, ge=1000)
    # Lines of one document's text: the parser's work grows with them.
    max_document_lines: int = Field(default=100_000, ge=100)
    # Nesting depth of a JSON/JSONL container value.
    max_json_depth: int = Field(default=64, ge=2, le=500)


class IngestSettings(_Section):
    # Glob patterns (relative to the raw folder) of files that are not captures; each becomes a reject row.
    exclude: list[NonEmpty] = Field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    # Container columns by role (text, title, date, url, account), when the names are not recognised.
    columns: dict[Literal["text", "title", "date", "url", "account"], NonEmpty] = Field(default_factory=dict)
    limits: LimitSettings = Field(default_factory=LimitSettings)


class DuplicateParams(_Section):
    # MinHash near-duplicates: permutations, character shingle size, Jaccard threshold, hash seed.
    num_perm: int = Field(default=128, ge=16, le=1024)
    shingle: int = Field(default=5, ge=2, le=20)
    threshold: float = Field(default=0.8, gt=0, lt=1)
    # datasketch's MinHash seeds a numpy generator: 0 … 2**32 - 1.
    seed: int = Field(default=1, ge=0, le=2**32 - 1)


class EnrichSettings(_Section):
    duplicates: DuplicateParams = Field(default_factory=DuplicateParams)


class TemplateSettings(_Section):
    """How `renda templates` learns page furniture: a line that recurs at the head or tail of at least
    `min_documents` distinct documents of one origin (a container file or a folder) of at least
    `min_origin_documents` documents, and the share `min_share` of them."""

    # Distinct documents of one origin a line must recur in (at the same end) to be furniture.
    min_documents: int = Field(default=3, ge=2)
    # Share of the origin's distinct documents the line must recur in (0: the count alone decides).
    min_share: float = Field(default=0.25, ge=0, le=1)
    # Origins with fewer distinct documents learn nothing (too few to tell furniture from coincidence).
    min_origin_documents: int = Field(default=4, ge=2)
    # Longer lines are prose, never furniture: they are not counted (characters of the trimmed line).
    max_line_chars: int = Field(default=40, ge=2)
    # How many non-blank lines from each end of a document are counted, and where the parser drops them.
    window: int = Field(default=12, ge=1)

    @model_validator(mode="after")
    def _origin_holds_k(self) -> TemplateSettings:
        if self.min_origin_documents < self.min_documents:
            raise ValueError(
                f"min_origin_documents ({self.min_origin_documents}) is below min_documents "
                f"({self.min_documents}): no line could recur often enough"
            )
        return self


class ReleaseSettings(_Section):
    # Parser scores on the dev gold set (written by `make evaluate`), quoted in the datasheet when present.
    evaluation: Path | None = None
    # The previous version's manifest (kept under releases/): CHANGELOG.md is a data diff against it.
    previous_manifest: Path | None = None
    # dvc.lock of the run that builds this release: its upstream stages' hash goes into the manifest.
    dvc_lock: Path | None = None
    # Write a release whose tables differ from previous_manifest's under the same dataset.version: for
    # development builds only (`--allow-same-version`); a published version must name one content.
    allow_same_version: bool = False


class SnapshotSettings(_Section):
    # Folder of source definitions (sources/*.yaml) that `renda snapshot` fetches.
    sources: Path | None = None
    # Where the fetched files go (<folder>/<name>/…); ingest reads it after the raw folder as `snapshots/…`.
    folder: Path | None = None
    # The origin of every fetched file, written by `renda snapshot` and joined into `sources` by ingest.
    origins: Path | None = None


class IssuerSettings(_Section):
    # Folder of the curated issuer registry (issuers/*.yaml): account or site name → type, level, region.
    registry: Path | None = None
    # Issuer types the dataset is about; documents of other issuers are kept with in_scope = false.
    in_scope: list[IssuerType] = Field(
        default_factory=lambda: ["people_congress", "government"], min_length=1
    )


class ExecutionSettings(_Section):
    # Processes for the per-file and per-document work of ingest, templates, parse and enrich: 0 = one per
    # core, 1 = this process only. The outputs are byte-identical for every value (results are written in input
    # order).
    jobs: int = Field(default=0, ge=0, le=512)
    # Address of an existing Dask scheduler (tcp://host:8786) to run that work on instead; null: local.
    scheduler: str | None = None
    # Folder of the per-document cache of ingest, templates, parse, validate and enrich (`pipeline.cache`);
    # null: no cache. Outputs are byte-identical with a cold, warm or no cache, so no stage lists it as a
    # dependency.
    cache: Path | None = None


class Settings(_Section):
    dataset: DatasetSettings = Field(default_factory=DatasetSettings)
    execution: ExecutionSettings = Field(default_factory=ExecutionSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    distribution: DistributionSettings = Field(default_factory=DistributionSettings)
    templates: TemplateSettings = Field(default_factory=TemplateSettings)
    enrich: EnrichSettings = Field(default_factory=EnrichSettings)
    snapshot: SnapshotSettings = Field(default_factory=SnapshotSettings)
    issuers: IssuerSettings = Field(default_factory=IssuerSettings)
    release: ReleaseSettings = Field(default_factory=ReleaseSettings)


PATH_SETTINGS: dict[str, tuple[str, ...]] = {
    "execution": ("cache",),
    "release": ("evaluation", "previous_manifest", "dvc_lock"),
    "snapshot": ("sources", "folder", "origins"),
    "issuers": ("registry",),
}


def _resolve_paths(data: Any, base: Path) -> Any:
    """Paths in the settings relative to the params file's folder (absolute paths stay as they are)."""
    for section, keys in PATH_SETTINGS.items():
        values = data.get(section) if isinstance(data, dict) else None
        if isinstance(values, dict):
            for key in keys:
                value = values.get(key)
                if isinstance(value, str) and value and not Path(value).is_absolute():
                    values[key] = str(base / value)
    return data


def _read_json_object(path: Path, what: str, required: tuple[str, ...]) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RendaError(f"{path}: {what} not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RendaError(f"{path}: {what} is not readable JSON ({type(error).__name__})") from None
    missing = [key for key in required if not isinstance(data, dict) or key not in data]
    if missing:
        raise RendaError(f"{path}: {what} has no {', '.join(missing)}")
    return data


def check_referenced_files(settings: Settings) -> None:
    """Read every file the settings name, so a bad one fails now with one line, not stages later."""
    from pipeline.issuers import load_registry

    load_registry(settings.issuers.registry, settings.snapshot.sources)
    release = settings.release
    if release.previous_manifest is not None:
        manifest = _read_json_object(
            release.previous_manifest, "release.previous_manifest", ("version", "files", "documents")
        )
        if not isinstance(manifest["documents"], dict) or not isinstance(manifest["files"], list):
            raise RendaError(
                f"{release.previous_manifest}: release.previous_manifest is not a release manifest"
            )
    if release.evaluation is not None and release.evaluation.exists():
        _read_json_object(
            release.evaluation, "release.evaluation", ("documents", "fields", "headings", "leakage")
        )
    if release.dvc_lock is not None and release.dvc_lock.exists():
        # absent on the very first `dvc repro`; when present it must be a dvc.lock
        try:
            lock = yaml.safe_load(release.dvc_lock.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise RendaError(
                f"{release.dvc_lock}: release.dvc_lock is not readable YAML ({type(error).__name__})"
            ) from None
        if not isinstance(lock, dict) or not isinstance(lock.get("stages", {}), dict):
            raise RendaError(f"{release.dvc_lock}: release.dvc_lock is not a dvc.lock (no stages mapping)")


def check_duplicate_index(settings: Settings) -> None:
    """The near-duplicate threshold and permutations must give an LSH index (datasketch needs ≥ 2 bands).
    Runs where a run starts (`renda build`, `renda ingest`) and in `enrich`, not in every stage."""
    duplicate_bands(settings)


# The bands datasketch's `MinHashLSH` chose for (threshold, num_perm), by the datasketch and SciPy versions that
# chose them (its band optimisation integrates with SciPy): the default settings with the locked versions, so a
# build with them, cold cache or none, never imports datasketch and SciPy (0.55 CPU s) to ask again. Any other
# settings or versions ask datasketch; a test checks every entry of the installed versions against it.
KNOWN_BANDS: dict[tuple[str, str, float, int], tuple[tuple[int, int], ...]] = {
    ("2.0.0", "1.17.1", 0.8, 128): tuple((13 * band, 13 * (band + 1)) for band in range(9)),
}


def _known_bands(threshold: float, num_perm: int) -> tuple[tuple[int, int], ...] | None:
    """`KNOWN_BANDS` for the settings and the installed datasketch and SciPy, or None."""
    try:
        versions = (metadata.version("datasketch"), metadata.version("scipy"))
    except metadata.PackageNotFoundError:
        return None
    return KNOWN_BANDS.get((*versions, threshold, num_perm))


def duplicate_bands(settings: Settings) -> tuple[tuple[int, int], ...]:
    """The LSH bands (hash value ranges) datasketch's `MinHashLSH` chooses for the duplicate settings; a
    RendaError when they give no index.

    It asks datasketch itself rather than copying its band optimisation. Importing datasketch imports SciPy
    (about 0.6 CPU s, paid by ingest and enrich on every run, the +1 % rebuild too), so the bands of the default
    settings with the locked versions are known (`KNOWN_BANDS`), and with a cache folder other bands are stored
    there under the code id (which holds datasketch's version) and the two settings, and a rebuild reads them
    without the import.
    """
    params = settings.enrich.duplicates
    known = _known_bands(params.threshold, params.num_perm)
    if known is not None:
        return known
    cache = open_cache(settings.execution.cache, "lsh-bands")
    key = cache.key(f"threshold={params.threshold!r} num_perm={params.num_perm}") if cache else ""
    payload = cache.get(key) if cache else None
    if payload is not None:
        try:
            return tuple((int(start), int(end)) for start, end in json.loads(payload))
        except (ValueError, TypeError):
            pass  # an entry that does not load is computed again and replaced
    from datasketch import MinHashLSH

    try:
        lsh = MinHashLSH(threshold=params.threshold, num_perm=params.num_perm)
    except ValueError as error:
        raise RendaError(
            f"enrich.duplicates: threshold {params.threshold} with num_perm {params.num_perm} gives no LSH index "
            f"({error}); lower the threshold or raise num_perm"
        ) from None
    bands = tuple((int(start), int(end)) for start, end in lsh.hashranges)
    if cache is not None:
        cache.put(key, json.dumps(bands).encode("utf-8"))
        cache.write_pending()  # worker processes look them up while this stage runs
    return bands


def load_settings(path: Path | None) -> Settings:
    """Settings from a params.yaml; defaults when `path` is None. Every problem is one line naming the file."""
    if path is None:
        return Settings()
    if path.is_dir():
        raise RendaError(f"{path}: is a folder; --params takes a params.yaml file")
    if not path.is_file():
        raise RendaError(f"{path}: params file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise RendaError(f"{path}: not a mapping of settings")
        settings = Settings.model_validate(_resolve_paths(data, path.resolve().parent))
    except UnicodeDecodeError:
        raise RendaError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise RendaError(f"{path}: not valid YAML ({error.__class__.__name__})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RendaError(f"{path}: {where}: {first['msg']}") from None
    except ValueError as error:  # YAML's own value conversions, e.g. a date with month 13
        raise RendaError(f"{path}: not valid YAML ({error})") from None
    try:
        check_referenced_files(settings)
    except RendaError as error:
        raise RendaError(f"{path}: {error}") from None
    return settings


def with_jobs(
    settings: Settings, jobs: int | None, scheduler: str | None = None, cache: Path | None = None
) -> Settings:
    """The settings with `execution.jobs` / `execution.scheduler` / `execution.cache` from the command line
    (None: as in params)."""
    if jobs is not None and jobs < 0:
        raise RendaError(f"--jobs {jobs}: give 0 (one process per core) or a positive number")
    execution = settings.execution.model_copy(
        update={
            "jobs": settings.execution.jobs if jobs is None else jobs,
            "scheduler": scheduler or settings.execution.scheduler,
            "cache": cache or settings.execution.cache,
        }
    )
    return settings.model_copy(update={"execution": execution})
