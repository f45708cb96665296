"""Download a published release over HTTP(S) without trusting the server or its manifest.

The release's `manifest.json` says which files exist, with their SHA-256 and size; `SHA256SUMS` says the same
for every file and for the manifest itself. Both come from the server, so neither is trusted on its own:

- **Paths.** Nothing in the manifest becomes a path unless it is exactly the release layout
  (`<table>.parquet`, `csv/<table>.csv`, the metadata files, `plots/<name>.png`), every component is a plain
  name (no `/`, `\\`, `..`, NUL, drive letter, absolute path), and the resolved target lies inside `--dest`.
  `dataset` and `version` must be plain names too. The cache is content-addressed (`<cache>/sha256/<hex>`), so
  no manifest text reaches its paths at all.
- **Network.** Only http and https; redirects are followed only to the same scheme, host and port; a file is
  read to at most the bytes the manifest declares (a larger Content-Length or body is refused); every read
  waits at most `timeout` seconds and a whole file at most `total_timeout` seconds.
- **Files.** Bytes are written to a temporary file in the target's own folder and moved onto the name with
  `os.replace`, which replaces a symlink instead of writing through it; a folder that resolves outside the
  destination is refused. Temporary files are removed on every exit. A file reaches the cache only once its
  SHA-256 and size match, and `--dest` only from a verified cached copy, after every selected file has been
  fetched and verified (a download refused while fetching leaves nothing new in `--dest`).
- **Checksums.** `SHA256SUMS` is fetched and must agree with the manifest on every selected file and list the
  manifest's own SHA-256. `manifest.json` is written exactly as received (it says what the release holds);
  `--dest` gets a `SHA256SUMS` of exactly the files this download wrote, so `sha256sum -c SHA256SUMS` holds
  there (for a whole release it is the published list, byte for byte).
- **Partial downloads.** When only some files are fetched (some tables, one format), `datapackage.json` and
  `croissant.json` are the release's own, verified, then cut to the files fetched (`pipeline.publish.subset`),
  so both validate; every other file is written as received.

Every refusal is a RendaError: one line naming the URL or the manifest entry and the problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import pooch
import requests

from pipeline.errors import RendaError
from pipeline.fields import TABLES
from pipeline.jsonl import dumps_pretty
from pipeline.publish.subset import subset_croissant, subset_datapackage

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
# Files that describe the release; fetched with the tables when the manifest lists them. The manifest and
# SHA256SUMS are never in its own file list: they are fetched and checked separately.
METADATA_FILES = (
    "DATASHEET.md",
    "README.md",
    "datapackage.json",
    "croissant.json",
    "CITATION.cff",
    "CHANGELOG.md",
)
FORMATS = ("parquet", "csv", "all")
SCHEMES = ("http", "https")
DEFAULT_TIMEOUT = 30.0  # seconds without a byte before a download is abandoned
DEFAULT_TOTAL_TIMEOUT = 600.0  # seconds one file (redirects included) may take at most
MAX_REDIRECTS = 5
# Files with no size declared anywhere still get a bound: a release manifest or checksum list is far smaller.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
MAX_CHECKSUMS_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
CACHE_FOLDER = "sha256"

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+-]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHECKSUM_LINE = re.compile(r"([0-9a-f]{64})  (.+)")


@dataclass(frozen=True)
class Limits:
    """How long and how much one fetch may take; `origin` is the only (scheme, host, port) it may reach."""

    origin: tuple[str, str, int]
    timeout: float
    total_timeout: float


def default_cache() -> Path:
    return Path(pooch.os_cache("renda-corpus"))


# --- names and paths -------------------------------------------------------------------------------------


def unsafe_reason(name: str) -> str | None:
    """Why `name` cannot be one path component, or None when it is a plain name (`0.1.0`, `documents.csv`)."""
    if name == "":
        return "empty"
    if "\x00" in name:
        return "contains NUL"
    if "\\" in name:
        return "contains a backslash"
    if "/" in name:
        return "contains '/'"
    if name in (".", ".."):
        return f"is {name!r}"
    if re.match(r"[A-Za-z]:", name):
        return "starts with a drive letter"
    if len(name) > 255:
        return "longer than 255 characters"
    if not _NAME.fullmatch(name):
        return "has characters other than A-Z a-z 0-9 . _ + -"
    return None


def safe_relative(path: str) -> PurePosixPath | None:
    """`path` as a relative POSIX path of plain components, or None when any component is unsafe."""
    if not isinstance(path, str) or path.startswith("/"):
        return None
    parts = path.split("/")
    if any(unsafe_reason(part) is not None for part in parts):
        return None
    return PurePosixPath(*parts)


def expected_paths(table: str | None) -> str:
    """The release layout's paths for a table entry (or the rule for other entries), for error messages."""
    if table is None:
        return f"one of {', '.join(METADATA_FILES)} or plots/<name>.png"
    return f"{table}.parquet or csv/{table}.csv"


def in_layout(path: str, table: str | None) -> bool:
    """Whether a manifest entry names a file of the release layout: the only files a download writes."""
    if table is not None:
        return path in (f"{table}.parquet", f"csv/{table}.csv")
    if path in METADATA_FILES:
        return True
    folder, _, name = path.partition("/")
    return folder == "plots" and name.endswith(".png") and unsafe_reason(name) is None


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, with every symlink resolved, lies in `root` (itself resolved)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


# --- manifest and checksums ------------------------------------------------------------------------------


def _check_entry(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise RendaError(f"{where}: a file entry is not an object; refused")
    path, table = entry.get("path"), entry.get("table")
    if not isinstance(path, str):
        raise RendaError(f"{where}: a file entry has no path; refused")
    if safe_relative(path) is None:
        raise RendaError(f"{where}: file path {path!r} is not a safe relative path; refused")
    if table is not None and table not in TABLES:
        raise RendaError(f"{where}: file {path!r} names unknown table {str(table)!r}; refused")
    if not in_layout(path, table):
        of = f" of table {table}" if table is not None else ""
        raise RendaError(f"{where}: file {path!r}{of} is not {expected_paths(table)}; refused")
    if not isinstance(entry.get("sha256"), str) or not _SHA256.fullmatch(entry["sha256"]):
        raise RendaError(f"{where}: file {path!r} has no valid sha256; refused")
    size = entry.get("bytes")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise RendaError(f"{where}: file {path!r} has no valid bytes count; refused")
    return entry


def parse_manifest(data: bytes, where: str) -> dict[str, Any]:
    """The manifest, once every field a download turns into a path or a bound has been checked."""
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RendaError(f"{where}: not a release manifest (not JSON)") from None
    if (
        not isinstance(manifest, dict)
        or not isinstance(manifest.get("files"), list)
        or "version" not in manifest
    ):
        raise RendaError(f"{where}: not a release manifest (no files or version)")
    for field in ("dataset", "version"):
        value = manifest.get(field, "renda-corpus")
        reason = unsafe_reason(value) if isinstance(value, str) else "not a string"
        if reason is not None:
            raise RendaError(f"{where}: {field} {value!r} is not a plain name ({reason}); refused")
    if not isinstance(manifest.get("tables", {}), dict):
        raise RendaError(f"{where}: not a release manifest (tables is not an object)")
    seen: set[str] = set()
    for entry in manifest["files"]:
        path = _check_entry(entry, where)["path"]
        if path in seen:
            raise RendaError(f"{where}: file {path!r} is listed twice; refused")
        seen.add(path)
    return manifest


def parse_checksums(data: bytes, where: str) -> dict[str, str]:
    """`SHA256SUMS` as {path: sha256}; `sha256sum` format, one `<hex>  <path>` line per file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RendaError(f"{where}: not a checksum list (not UTF-8)") from None
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _CHECKSUM_LINE.fullmatch(line)
        if match is None:
            raise RendaError(f"{where} line {number}: not '<sha256>  <path>'; refused")
        sums[match.group(2)] = match.group(1)
    return sums


def check_checksums(
    sums: dict[str, str], manifest_bytes: bytes, entries: list[dict[str, Any]], where: str
) -> None:
    """SHA256SUMS must list the manifest received and agree with it on every file to be fetched."""
    if sums.get(MANIFEST) != hashlib.sha256(manifest_bytes).hexdigest():
        raise RendaError(f"{where}: {MANIFEST}'s SHA-256 differs from the manifest received; refused")
    for entry in entries:
        listed = sums.get(entry["path"])
        if listed is None:
            raise RendaError(f"{where}: {entry['path']} is not listed; refused")
        if listed != entry["sha256"]:
            raise RendaError(f"{where}: {entry['path']}'s SHA-256 differs from {MANIFEST}; refused")


def select_files(
    manifest: dict[str, Any], tables: list[str] | None, file_format: str
) -> list[dict[str, Any]]:
    wanted_tables = tables or list(manifest.get("tables", {}))
    unknown = sorted(set(wanted_tables) - set(TABLES))
    if unknown:
        raise RendaError(f"unknown tables: {', '.join(unknown)} (known: {', '.join(TABLES)})")
    if file_format not in FORMATS:
        raise RendaError(f"--format must be one of {', '.join(FORMATS)}")

    def wanted(entry: dict[str, Any]) -> bool:
        table = entry.get("table")
        if table is None:  # metadata and plots come with every download
            return True
        is_parquet = entry["path"].endswith(".parquet")
        return table in wanted_tables and (file_format == "all" or (file_format == "parquet") == is_parquet)

    chosen = [entry for entry in manifest["files"] if wanted(entry)]
    return chosen


# --- HTTP ------------------------------------------------------------------------------------------------


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def no_base_url(option: str) -> RendaError:
    """The one-line error for a download with no URL: the default is empty until a release is published."""
    return RendaError(f"no release URL: pass {option} or set distribution.base_url in params.yaml")


def check_base_url(url: str) -> str:
    """The base URL with a trailing slash; only http(s) URLs of a host, without query or fragment."""
    if not url.strip():
        raise no_base_url("a base URL")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as error:
        raise RendaError(f"{url}: not a valid base URL ({error})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise RendaError(f"{url}: only http:// and https:// base URLs are allowed")
    if not parts.hostname:
        raise RendaError(f"{url}: base URL has no host")
    if parts.query or parts.fragment:
        raise RendaError(f"{url}: base URL must not have a query or fragment")
    return url if url.endswith("/") else url + "/"


def _one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())


def _open(session: requests.Session, url: str, limits: Limits, deadline: float) -> requests.Response:
    """GET `url`, following same-origin redirects only; the response's body is not read yet."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        if time.monotonic() > deadline:
            raise RendaError(f"{url}: took longer than {limits.total_timeout:g} s; timed out, nothing kept")
        try:
            response = session.get(
                current,
                stream=True,
                allow_redirects=False,
                timeout=(limits.timeout, limits.timeout),
                headers={"Accept-Encoding": "identity"},
            )
        except requests.exceptions.Timeout:
            raise RendaError(f"{url}: no answer for {limits.timeout:g} s; timed out, nothing kept") from None
        except requests.exceptions.RequestException as error:
            raise RendaError(f"{url}: download failed ({_one_line(error)})") from None
        if not response.is_redirect:
            return response
        location = urljoin(current, response.headers["Location"])
        response.close()
        if origin(location) != limits.origin:
            raise RendaError(
                f"{url}: redirected to {location}, another scheme, host or port; refused "
                "(only same-host redirects are followed)"
            )
        current = location
    raise RendaError(f"{url}: more than {MAX_REDIRECTS} redirects; refused")


def fetch(
    session: requests.Session, url: str, out: IO[bytes], limits: Limits, max_bytes: int, exact: bool
) -> str:
    """Stream `url` into `out`, at most `max_bytes` (exactly that many when `exact`); return its SHA-256."""
    deadline = time.monotonic() + limits.total_timeout
    response = _open(session, url, limits, deadline)
    with response:
        if response.status_code != 200:
            raise RendaError(f"{url}: download failed (HTTP {response.status_code} {response.reason})")
        encoding = response.headers.get("Content-Encoding", "identity").lower()
        if encoding != "identity":
            raise RendaError(f"{url}: sent Content-Encoding {encoding}; only identity is accepted, refused")
        declared = f"the {max_bytes} bytes the manifest declares" if exact else f"{max_bytes} bytes"
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise RendaError(f"{url}: Content-Length {length} is more than {declared}; refused, nothing kept")
        digest = hashlib.sha256()
        received = 0
        try:
            while True:
                chunk = response.raw.read1(min(CHUNK_BYTES, max_bytes - received + 1), decode_content=False)
                if not chunk:
                    break
                received += len(chunk)
                if received > max_bytes:
                    raise RendaError(f"{url}: sent more than {declared}; refused, nothing kept")
                if time.monotonic() > deadline:
                    raise RendaError(
                        f"{url}: took longer than {limits.total_timeout:g} s; timed out, nothing kept"
                    )
                digest.update(chunk)
                out.write(chunk)
        except RendaError:
            raise
        except Exception as error:  # urllib3's read timeouts and broken connections
            if "timed out" in str(error).lower():
                raise RendaError(
                    f"{url}: no data for {limits.timeout:g} s; timed out, nothing kept"
                ) from None
            raise RendaError(f"{url}: download failed ({_one_line(error)})") from None
    if exact and received != max_bytes:
        raise RendaError(
            f"{url}: sent {received} bytes, the manifest declares {max_bytes}; refused, nothing kept"
        )
    return digest.hexdigest()


def fetch_bytes(
    session: requests.Session, url: str, limits: Limits, max_bytes: int, pinned: str | None
) -> bytes:
    """A small file held in memory (manifest, checksums); `pinned` is its required SHA-256, if any."""
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES * 16) as buffer:
        digest = fetch(session, url, buffer, limits, max_bytes, exact=False)
        if pinned is not None and digest != pinned.lower():
            raise RendaError(f"{url}: SHA-256 does not match --manifest-sha256; refused")
        buffer.seek(0)
        return buffer.read()


# --- writing ---------------------------------------------------------------------------------------------


def write_inside(root: Path, relative: PurePosixPath, fill: Callable[[IO[bytes]], None]) -> Path:
    """Write `root/relative` through a temporary file in its own folder moved on with os.replace.

    `fill` writes the bytes and raises to refuse them; the temporary file is removed whatever happens.
    os.replace swaps the directory entry, so a symlink at the name is replaced, never written through; a
    folder on the way that resolves outside `root` (a symlink) is refused before anything is written.
    """
    target = root.joinpath(*relative.parts)
    folder = target.parent
    if not inside(root, folder):
        raise RendaError(f"{folder}: resolves outside {root} (a symlink?); refused")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RendaError(f"{folder}: cannot create the folder ({error.strerror})") from None
    if not inside(root, folder):  # created meanwhile through a symlink
        raise RendaError(f"{folder}: resolves outside {root} (a symlink?); refused")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".partial")
    except OSError as error:
        raise RendaError(f"{folder}: cannot write there ({error.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            fill(out)
        os.replace(temporary, target)
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)
    return target


def _copy_verified(source: Path, expected: str, where: str) -> Callable[[IO[bytes]], None]:
    def fill(out: IO[bytes]) -> None:
        digest = hashlib.sha256()
        with source.open("rb") as data:
            while chunk := data.read(CHUNK_BYTES):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected:
            raise RendaError(f"{where}: copy does not match the manifest; removed")

    return fill


def _cached(cache: Path, entry: dict[str, Any]) -> Path | None:
    """The cached copy of an entry when its bytes still match (a bad or symlinked copy is removed)."""
    path = cache / CACHE_FOLDER / entry["sha256"]
    if not os.path.lexists(path):
        return None
    if not path.is_symlink() and path.is_file() and path.stat().st_size == entry["bytes"]:
        digest = hashlib.sha256()
        with path.open("rb") as data:
            while chunk := data.read(CHUNK_BYTES):
                digest.update(chunk)
        if digest.hexdigest() == entry["sha256"]:
            return path
    try:
        path.unlink()
    except OSError as error:
        raise RendaError(f"{path}: a bad cached copy cannot be removed ({error.strerror})") from None
    return None


def _fetch_to_cache(
    session: requests.Session, url: str, entry: dict[str, Any], cache: Path, limits: Limits
) -> Path:
    def fill(out: IO[bytes]) -> None:
        if fetch(session, url, out, limits, entry["bytes"], exact=True) != entry["sha256"]:
            raise RendaError(f"{url}: SHA-256 does not match the manifest; refused, nothing kept")

    return write_inside(cache, PurePosixPath(CACHE_FOLDER, entry["sha256"]), fill)


def checksum_list(digests: dict[str, str]) -> bytes:
    """`sha256sum` lines for {path: sha256}, sorted by path as the release's own SHA256SUMS is."""
    return "".join(f"{digests[path]}  {path}\n" for path in sorted(digests)).encode("utf-8")


def cut_descriptors(verified: list[tuple[dict[str, Any], Path]], where: str) -> dict[str, bytes]:
    """New bytes of `datapackage.json` / `croissant.json` describing only the files fetched (a partial
    download); a descriptor that already does is kept as received and not listed here."""
    fetched = {entry["path"]: entry for entry, _ in verified}
    cutters: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
        "datapackage.json": lambda package: subset_datapackage(package, set(fetched)),
        "croissant.json": lambda metadata: subset_croissant(metadata, fetched),
    }
    replaced: dict[str, bytes] = {}
    for entry, local in verified:
        cut = cutters.get(entry["path"])
        if cut is None:
            continue
        try:
            original = json.loads(local.read_text(encoding="utf-8"))
            described = cut(original)
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise RendaError(
                f"{where}{entry['path']}: not a descriptor that can be cut to the files fetched "
                f"({type(error).__name__}); refused, nothing kept"
            ) from None
        if described != original:
            replaced[entry["path"]] = dumps_pretty(described).encode("utf-8")
    return replaced


def download(
    base_url: str,
    dest: Path,
    tables: list[str] | None = None,
    file_format: str = "parquet",
    cache: Path | None = None,
    manifest_sha256: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> list[Path]:
    """Fetch a release (or some tables of it) into `dest`; return the files written there.

    `timeout` bounds every wait for data, `total_timeout` each file as a whole (seconds).
    """
    base = check_base_url(base_url)
    where = base + MANIFEST
    cache = Path(cache) if cache is not None else default_cache()
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RendaError(f"{cache}: cannot create the cache folder ({error.strerror})") from None
    limits = Limits(origin(base), timeout, total_timeout)
    with requests.Session() as session:
        manifest_bytes = fetch_bytes(session, where, limits, MAX_MANIFEST_BYTES, manifest_sha256)
        manifest = parse_manifest(manifest_bytes, where)
        entries = select_files(manifest, tables, file_format)
        checksums_bytes = fetch_bytes(session, base + CHECKSUMS, limits, MAX_CHECKSUMS_BYTES, None)
        sums = parse_checksums(checksums_bytes, base + CHECKSUMS)
        check_checksums(sums, manifest_bytes, entries, base + CHECKSUMS)
        verified: list[tuple[dict[str, Any], Path]] = []
        for entry in entries:
            local = _cached(cache, entry) or _fetch_to_cache(
                session, base + entry["path"], entry, cache, limits
            )
            verified.append((entry, local))
    complete = len(entries) == len(manifest["files"])
    replaced = {} if complete else cut_descriptors(verified, base)
    for entry, _ in verified:  # refuse a symlinked folder before writing anything into dest
        folder = dest.joinpath(*PurePosixPath(entry["path"]).parts).parent
        if not inside(dest, folder):
            raise RendaError(f"{folder}: resolves outside {dest} (a symlink?); refused")
    written = []
    digests = {MANIFEST: hashlib.sha256(manifest_bytes).hexdigest()}
    for entry, local in verified:
        relative = PurePosixPath(entry["path"])
        if entry["path"] in replaced:
            data = replaced[entry["path"]]
            digests[entry["path"]] = hashlib.sha256(data).hexdigest()
            written.append(write_inside(dest, relative, lambda out, data=data: out.write(data)))
            continue
        fill = _copy_verified(local, entry["sha256"], str(dest.joinpath(*relative.parts)))
        written.append(write_inside(dest, relative, fill))
        digests[entry["path"]] = entry["sha256"]
    # The checksum list, then the manifest last: a folder with a manifest has all its selected files.
    for name, data in ((CHECKSUMS, checksum_list(digests)), (MANIFEST, manifest_bytes)):
        written.append(write_inside(dest, PurePosixPath(name), lambda out, data=data: out.write(data)))
    return written
