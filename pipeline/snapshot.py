"""Raw inputs as pinned snapshots: `sources/<name>.yaml` says where captures come from, `renda snapshot` fetches them.

A research dataset is only as reproducible as its raw inputs. As OWID keeps every input as a snapshot with its
URL and checksum, a source here is data: a git repository at a commit, or files over HTTP(S) each with its
SHA-256. Nothing is fetched unpinned: an HTTP file without `sha256` is an error in the definition, and a git
source names a 40-hex commit (its tree pins every byte; listed files may add their SHA-256 too).

`renda snapshot SOURCES` writes every enabled source's files to the snapshot folder (`snapshot.folder`,
`data/snapshots/<name>/<path>`) and one line per file to the origins file (source name, origin URL, origin path,
commit, SHA-256). `ingest` reads the snapshot folder after the raw folder, its files shown as
`snapshots/<name>/<path>`, and joins the origins into the `sources` table; the issuer registry takes a source's
`issuer:` as the default issuer of its files. The folder is kept apart from the hand-placed captures of
`data/raw` (which git tracks) so DVC can own it as an output and archive it with `dvc push`.

The folder is built beside itself and moved into place only when every file of every source verified; a
mismatch is one line naming the definition, the file and both hashes, and writes nothing.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.errors import RendaError

SNAPSHOT_FOLDER = "snapshots"
SHA256 = r"^[0-9a-f]{64}$"
COMMIT = r"^[0-9a-f]{40}$"
GIT_TIMEOUT = 600  # seconds one git command may take


def _safe_path(value: str) -> str:
    """A relative POSIX path of plain names: it becomes a path under data/raw, so nothing may climb out."""
    path = PurePosixPath(value)
    if (
        not value
        or path.is_absolute()
        or "\\" in value
        or any(part in ("", ".", "..") for part in value.split("/"))
        or "\0" in value
    ):
        raise ValueError(f"{value!r} is not a relative path of plain names")
    return value


def _quoted(value: object) -> object:
    """YAML reads an unquoted all-digit hash as a number: say so instead of 'not a string'."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a hash is text: write it in quotes (YAML read it as a number)")
    return value


Hash = Annotated[str, BeforeValidator(_quoted)]


class PinnedFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    sha256: Hash | None = Field(default=None, pattern=SHA256)

    @field_validator("path")
    @classmethod
    def _plain(cls, value: str) -> str:
        return _safe_path(value)


class HttpSource(BaseModel):
    """Files under one base URL, each pinned by its SHA-256."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(pattern=r"^https?://[^\s?#]+/$")
    files: tuple[PinnedFile, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _pinned(self) -> HttpSource:
        unpinned = [f.path for f in self.files if f.sha256 is None]
        if unpinned:
            raise ValueError(f"{unpinned[0]}: an HTTP file needs its sha256 (nothing is fetched unpinned)")
        return self


class GitSource(BaseModel):
    """Files of a git repository at one commit: listed ones, and those matching glob patterns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repository: str = Field(min_length=1)
    commit: Hash = Field(pattern=COMMIT)
    files: tuple[PinnedFile, ...] = ()
    patterns: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _selects(self) -> GitSource:
        if not self.files and not self.patterns:
            raise ValueError("a git source lists files or patterns (or both)")
        return self


class SourceDefinition(BaseModel):
    """One `sources/<name>.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=1)
    publisher: str | None = None
    license: str = Field(min_length=1)
    enabled: bool = True
    http: HttpSource | None = None
    git: GitSource | None = None
    # The default issuer of the source's files (validated by pipeline.issuers).
    issuer: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> SourceDefinition:
        if (self.http is None) == (self.git is None):
            raise ValueError("give exactly one of http: or git:")
        return self


def read_definition(path: Path) -> SourceDefinition:
    """A source definition, or one line naming the file and the first problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RendaError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise RendaError(f"{path}: not valid YAML ({type(error).__name__})") from None
    try:
        return SourceDefinition.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise RendaError(f"{path}: {where + ': ' if where else ''}{message}") from None


def definitions(folder: Path) -> list[tuple[str, SourceDefinition]]:
    """(name, definition) of every `*.yaml` in the folder, by name; the name is the file's stem."""
    if not folder.is_dir():
        raise RendaError(f"{folder}: sources folder not found")
    found = []
    for path in sorted(folder.glob("*.yaml")):
        name = path.stem
        if not name or name.startswith(".") or "/" in name:
            raise RendaError(f"{path}: a source name is a plain file name")
        found.append((name, read_definition(path)))
    return found


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(root: Path, relative: str, data: bytes) -> None:
    target = root.joinpath(*relative.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _git(*args: str, cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise RendaError("git: not found on PATH (needed for git sources)") from None
    except subprocess.TimeoutExpired:
        raise RendaError(f"git {args[0]}: took longer than {GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").split())[:300]
        raise RendaError(f"git {args[0]}: {message or f'exit code {done.returncode}'}")
    return done.stdout


def _fetch_git(where: Path, name: str, source: GitSource, out: Path) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="renda-snapshot-") as work:
        clone = Path(work)
        try:
            _git("init", "--quiet", cwd=clone)
            _git("fetch", "--quiet", "--depth", "1", source.repository, source.commit, cwd=clone)
        except RendaError as error:
            raise RendaError(f"{where}: {source.repository} at {source.commit}: {error}") from None
        listed = _git("ls-tree", "-r", "-z", "--name-only", source.commit, cwd=clone).decode("utf-8")
        tree = [path for path in listed.split("\0") if path]
        wanted: dict[str, str | None] = {}
        present = set(tree)
        for pinned in source.files:
            if pinned.path not in present:
                raise RendaError(f"{where}: {pinned.path}: not in {source.repository} at {source.commit}")
            wanted[pinned.path] = pinned.sha256
        for pattern in source.patterns:
            matched = [path for path in tree if fnmatch.fnmatchcase(path, pattern)]
            if not matched:
                raise RendaError(f"{where}: pattern {pattern!r} matches no file at {source.commit}")
            for path in matched:
                wanted.setdefault(path, None)
        origins = []
        for path in sorted(wanted):
            _safe_path(path)
            data = _git("cat-file", "blob", f"{source.commit}:{path}", cwd=clone)
            _check(where, path, wanted[path], data)
            relative = f"{SNAPSHOT_FOLDER}/{name}/{path}"
            _write(out, f"{name}/{path}", data)
            origins.append(_origin(relative, name, source.repository, path, source.commit, data))
        return origins


def _fetch_http(where: Path, name: str, source: HttpSource, out: Path) -> list[dict[str, Any]]:
    import pooch

    pooch.get_logger().setLevel("WARNING")
    origins = []
    with tempfile.TemporaryDirectory(prefix="renda-snapshot-") as work:
        for pinned in sorted(source.files, key=lambda f: f.path):
            url = source.base_url + pinned.path
            try:
                fetched = pooch.retrieve(
                    url, known_hash=f"sha256:{pinned.sha256}", fname=_sha256(url.encode()), path=work
                )
            except ValueError as error:  # pooch's hash mismatch
                got_hash = re.search(r"but got ([0-9a-f]{64})", str(error))
                got = got_hash[1] if got_hash else "of the download"
                raise RendaError(
                    f"{where}: {pinned.path}: SHA-256 {got} does not match the pinned {pinned.sha256}; "
                    "nothing written"
                ) from None
            except Exception as error:  # requests' HTTP and connection errors
                line = " ".join(f"{type(error).__name__}: {error}".split())[:300]
                raise RendaError(f"{where}: {url}: download failed ({line})") from None
            data = Path(fetched).read_bytes()
            _check(where, pinned.path, pinned.sha256, data)
            _write(out, f"{name}/{pinned.path}", data)
            origins.append(
                _origin(f"{SNAPSHOT_FOLDER}/{name}/{pinned.path}", name, url, pinned.path, None, data)
            )
    return origins


def _check(where: Path, path: str, expected: str | None, data: bytes) -> None:
    if expected is not None and _sha256(data) != expected:
        raise RendaError(
            f"{where}: {path}: SHA-256 {_sha256(data)} does not match the pinned {expected}; nothing written"
        )


def _origin(relative: str, name: str, url: str, path: str, commit: str | None, data: bytes) -> dict[str, Any]:
    return {
        "source_file": relative,
        "origin_source": name,
        "origin_url": url,
        "origin_path": path,
        "origin_commit": commit,
        "raw_sha256": _sha256(data),
    }


def snapshot(sources: Path, folder: Path, origins_file: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Fetch every enabled source into `folder/<name>/`; return the origin rows and notes on skipped sources.

    All or nothing: files go to a folder beside `folder` and replace it only when every source verified. An
    existing folder is replaced only if the origins file (our record of it) exists, or it is empty.
    """
    found = definitions(sources)
    if folder.exists() and not folder.is_dir():
        raise RendaError(f"{folder}: is a file; the snapshot folder must be a folder")
    if folder.is_dir() and any(folder.iterdir()) and not origins_file.is_file():
        raise RendaError(
            f"{folder}: holds files that no snapshot wrote ({origins_file} is missing); move them, then rerun"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.parent / f".{folder.name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir()
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    try:
        for name, definition in found:
            where = sources / f"{name}.yaml"
            if not definition.enabled:
                notes.append(f"{where}: disabled (enabled: false); not fetched")
                continue
            if definition.git is not None:
                rows += _fetch_git(where, name, definition.git, partial)
            elif definition.http is not None:
                rows += _fetch_http(where, name, definition.http, partial)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(partial, folder)
    finally:
        if partial.exists():
            shutil.rmtree(partial)
    origins_file.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    temporary = origins_file.with_name(f".{origins_file.name}.partial")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, origins_file)
    return rows, notes


def read_origins(path: Path | None) -> dict[str, dict[str, Any]]:
    """The origins file as {source_file: row}; empty when there is none (a build without snapshots)."""
    if path is None or not path.is_file():
        return {}
    origins = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            row = json.loads(line)
            origins[row["source_file"]] = row
        except (json.JSONDecodeError, KeyError, TypeError):
            raise RendaError(f"{path}: line {number} is not an origin record") from None
    return origins
