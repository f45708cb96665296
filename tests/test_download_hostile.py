"""`renda download` against a hostile server: a real loopback HTTP server serving crafted manifests and files.

Every attack lists the whole temporary tree before and after and asserts that nothing outside the destination
and the cache was written, changed or deleted, and that no temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import RendaError
from pipeline.remote import download

RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]
Route = Callable[["Hostile", BaseHTTPRequestHandler], None]


class Hostile:
    """A loopback server: files from `folder`, except paths given a crafted `routes` entry."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.sent = 0  # bytes a crafted route managed to send
        self.stop = threading.Event()
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hostile.hits.append(self.path)
                route = hostile.routes.get(self.path, serve_file)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(hostile, self)  # a refusing client hangs up mid-answer

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def serve_file(hostile: Hostile, handler: BaseHTTPRequestHandler) -> None:
    path = hostile.folder / handler.path.lstrip("/")
    if not path.is_file():
        handler.send_response(404, "Not Found")
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    body = path.read_bytes()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def redirect(location: str) -> Route:
    def route(hostile: Hostile, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def endless(hostile: Hostile, handler: BaseHTTPRequestHandler) -> None:
    """No Content-Length, then up to 1 GiB: only a client that stops reading ends it early."""
    handler.send_response(200)
    handler.end_headers()
    chunk = b"x" * 65536
    while hostile.sent < 1 << 30 and not hostile.stop.is_set():
        handler.wfile.write(chunk)
        hostile.sent += len(chunk)


def huge_length(hostile: Hostile, handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(4 << 30))
    handler.end_headers()
    handler.wfile.write(b"x" * 65536)
    hostile.sent += 65536


def dripping(declared: int, pause: float) -> Route:
    """The right Content-Length, then one byte every `pause` seconds: never idle, never done."""

    def route(hostile: Hostile, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(declared))
        handler.end_headers()
        for _ in range(declared):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            if hostile.stop.wait(pause):
                return

    return route


def stalling(after_headers: bool) -> Route:
    def route(hostile: Hostile, handler: BaseHTTPRequestHandler) -> None:
        if after_headers:
            handler.send_response(200)
            handler.send_header("Content-Length", "136")
            handler.end_headers()
            handler.wfile.write(b"x")
            handler.wfile.flush()
        hostile.stop.wait(10)

    return route


@pytest.fixture
def hostile() -> Iterator[Callable[[Path], Hostile]]:
    servers: list[Hostile] = []

    def start(folder: Path) -> Hostile:
        servers.append(Hostile(folder))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def served(fixture_release: Path, tmp_path: Path) -> Path:
    """A copy of the fixture release that a test may tamper with."""
    folder = tmp_path / "served"
    shutil.copytree(fixture_release, folder)
    return folder


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """dest and a cache nested so that `<cache>/<dataset>/../../../../outside` lands inside tmp_path."""
    outside = tmp_path / "w" / "outside"
    outside.mkdir(parents=True)
    (outside / "victim.txt").write_bytes(b"precious")
    return {"dest": tmp_path / "dest", "cache": tmp_path / "w" / "x" / "y" / "cache", "outside": outside}


def tree(root: Path) -> dict[str, tuple[str, str]]:
    """Everything under `root`, symlinks not followed: path → (kind, content hash or link target)."""
    listing: dict[str, tuple[str, str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                listing[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                listing[relative] = ("dir", "")
            else:
                listing[relative] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return listing


def changed_outside(root: Path, before: dict[str, tuple[str, str]], places: dict[str, Path]) -> list[str]:
    """Paths created, changed or deleted anywhere but under dest and cache (their parent folders may be made)."""
    after = tree(root)
    allowed = [places[name].relative_to(root) for name in ("dest", "cache")]
    parents = {parent.as_posix() for path in allowed for parent in path.parents}
    diff = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    return sorted(
        key
        for key in diff
        if not any(key == a.as_posix() or key.startswith(a.as_posix() + "/") for a in allowed)
        and not (key in parents and key not in before and after[key] == ("dir", ""))
    )


def leftovers(places: dict[str, Path]) -> list[Path]:
    """Temporary files left in dest or cache."""
    return [
        path
        for name in ("dest", "cache")
        if places[name].exists()
        for path in places[name].rglob("*")
        if path.name.endswith(".partial")
    ]


def cache_files(places: dict[str, Path]) -> list[Path]:
    cache = places["cache"]
    return sorted(p for p in cache.rglob("*") if p.is_file() or p.is_symlink()) if cache.exists() else []


def write_manifest(folder: Path, change: Callable[[dict[str, Any]], None]) -> bytes:
    """Rewrite the served manifest with `change` applied, and keep SHA256SUMS's manifest line true."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    (folder / "manifest.json").write_bytes(data)
    set_checksum(folder, "manifest.json", hashlib.sha256(data).hexdigest())
    return data


def set_checksum(folder: Path, relative: str, digest: str) -> None:
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    (folder / "SHA256SUMS").write_text(
        "".join(
            f"{digest}  {relative}\n" if line.endswith(f"  {relative}") else line + "\n" for line in lines
        ),
        encoding="utf-8",
    )


def entry(manifest: dict[str, Any], path: str) -> dict[str, Any]:
    return next(e for e in manifest["files"] if e["path"] == path)


def attempt(server: Hostile, places: dict[str, Path], **options: Any) -> str:
    """Run a download that must be refused; return its one-line message."""
    with pytest.raises(RendaError) as refused:
        download(server.url, places["dest"], cache=places["cache"], **options)
    message = str(refused.value)
    assert "\n" not in message
    return message


# --- 1. paths built from the manifest ----------------------------------------------------------------------

MANIFEST_ATTACKS = {
    "version-dotdot": (
        lambda m, tmp: m.update(version="../../../../outside"),
        "version '../../../../outside' is not a plain name (contains '/'); refused",
    ),
    "version-is-dotdot": (
        lambda m, tmp: m.update(version=".."),
        "version '..' is not a plain name (is '..'); refused",
    ),
    "version-backslash": (
        lambda m, tmp: m.update(version="..\\..\\outside"),
        "version '..\\\\..\\\\outside' is not a plain name (contains a backslash); refused",
    ),
    "version-drive": (
        lambda m, tmp: m.update(version="C:outside"),
        "version 'C:outside' is not a plain name (starts with a drive letter); refused",
    ),
    "version-empty": (lambda m, tmp: m.update(version=""), "version '' is not a plain name (empty); refused"),
    "version-nul": (
        lambda m, tmp: m.update(version="0.1\x00"),
        "version '0.1\\x00' is not a plain name (contains NUL); refused",
    ),
    "dataset-absolute": (
        lambda m, tmp: m.update(dataset=str(tmp / "w" / "outside")),
        "dataset '{tmp}/w/outside' is not a plain name (contains '/'); refused",
    ),
    "file-dotdot": (
        lambda m, tmp: entry(m, "documents.parquet").update(path="../../w/outside/victim.txt"),
        "file path '../../w/outside/victim.txt' is not a safe relative path; refused",
    ),
    "file-absolute": (
        lambda m, tmp: entry(m, "documents.parquet").update(path=str(tmp / "w" / "outside" / "victim.txt")),
        "file path '{tmp}/w/outside/victim.txt' is not a safe relative path; refused",
    ),
    "file-backslash": (
        lambda m, tmp: entry(m, "csv/documents.csv").update(path="csv\\..\\..\\victim.txt"),
        "file path 'csv\\\\..\\\\..\\\\victim.txt' is not a safe relative path; refused",
    ),
    "file-empty-component": (
        lambda m, tmp: entry(m, "csv/documents.csv").update(path="csv//documents.csv"),
        "file path 'csv//documents.csv' is not a safe relative path; refused",
    ),
    "plot-dotdot": (
        lambda m, tmp: entry(m, "plots/lengths.png").update(path="plots/../../victim.png"),
        "file path 'plots/../../victim.png' is not a safe relative path; refused",
    ),
    "table-dotdot": (
        lambda m, tmp: entry(m, "documents.parquet").update(table="../documents"),
        "file 'documents.parquet' names unknown table '../documents'; refused",
    ),
}


@pytest.mark.parametrize("attack", sorted(MANIFEST_ATTACKS))
def test_unsafe_manifest_paths_are_refused(
    attack: str, served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    change, expected = MANIFEST_ATTACKS[attack]
    write_manifest(served, lambda m: change(m, tmp_path))
    server = hostile(served)
    before = tree(tmp_path)
    message = attempt(server, places, file_format="all")
    assert message == f"{server.url}manifest.json: " + expected.format(tmp=tmp_path)
    assert changed_outside(tmp_path, before, places) == []
    assert not places["dest"].exists()
    assert cache_files(places) == []
    assert server.hits == ["/manifest.json"]  # refused before anything else is fetched


def test_unsafe_version_is_one_line_from_the_command(
    served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    write_manifest(served, lambda m: m.update(version="../../../../outside"))
    server = hostile(served)
    before = tree(tmp_path)
    result = subprocess.run(
        [
            *RENDA,
            "download",
            "--base-url",
            server.url,
            "--dest",
            str(places["dest"]),
            "--cache",
            str(places["cache"]),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"renda: error: {server.url}manifest.json: version '../../../../outside' is not a plain name "
        "(contains '/'); refused\n"
    )
    assert changed_outside(tmp_path, before, places) == []


# --- 2. only the release layout ----------------------------------------------------------------------------


def test_csv_entry_naming_another_file_is_refused(
    served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    keys = b"ssh-ed25519 AAAA attacker\n"
    (served / "authorized_keys").write_bytes(keys)

    def change(manifest: dict[str, Any]) -> None:
        manifest["files"].append(
            {
                "path": "authorized_keys",
                "sha256": hashlib.sha256(keys).hexdigest(),
                "bytes": len(keys),
                "table": "documents",
            }
        )

    write_manifest(served, change)
    set_checksum(served, "authorized_keys", hashlib.sha256(keys).hexdigest())
    server = hostile(served)
    before = tree(tmp_path)
    message = attempt(server, places, tables=["documents"], file_format="csv")
    assert message == (
        f"{server.url}manifest.json: file 'authorized_keys' of table documents is not documents.parquet "
        "or csv/documents.csv; refused"
    )
    assert changed_outside(tmp_path, before, places) == []
    assert not places["dest"].exists()


def test_metadata_entry_outside_the_layout_is_refused(served: Path, places: dict[str, Path], hostile) -> None:
    def change(manifest: dict[str, Any]) -> None:
        manifest["files"].append({"path": "bashrc", "sha256": "0" * 64, "bytes": 1})

    write_manifest(served, change)
    server = hostile(served)
    assert attempt(server, places) == (
        f"{server.url}manifest.json: file 'bashrc' is not one of DATASHEET.md, README.md, datapackage.json, "
        "croissant.json, CITATION.cff, CHANGELOG.md or plots/<name>.png; refused"
    )


# --- 3. redirects and schemes ------------------------------------------------------------------------------


def test_redirect_to_another_host_is_refused(
    served: Path, fixture_release: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    server = hostile(served)
    elsewhere = hostile(fixture_release)  # another port: another origin, even on the same machine
    server.routes["/documents.parquet"] = redirect(elsewhere.url + "documents.parquet")
    before = tree(tmp_path)
    message = attempt(server, places)
    assert message == (
        f"{server.url}documents.parquet: redirected to {elsewhere.url}documents.parquet, another scheme, "
        "host or port; refused (only same-host redirects are followed)"
    )
    assert elsewhere.hits == []
    assert changed_outside(tmp_path, before, places) == []
    assert not places["dest"].exists()  # nothing reaches dest unless every selected file was verified
    assert leftovers(places) == []


def test_redirect_to_a_file_url_is_refused(served: Path, places: dict[str, Path], hostile) -> None:
    server = hostile(served)
    server.routes["/SHA256SUMS"] = redirect("file:///etc/passwd")
    assert attempt(server, places) == (
        f"{server.url}SHA256SUMS: redirected to file:///etc/passwd, another scheme, host or port; refused "
        "(only same-host redirects are followed)"
    )


def test_same_host_redirect_is_followed(
    served: Path, fixture_release: Path, places: dict[str, Path], hostile
) -> None:
    (served / "moved").mkdir()
    shutil.copyfile(served / "documents.parquet", served / "moved" / "documents.parquet")
    server = hostile(served)
    server.routes["/documents.parquet"] = redirect("/moved/documents.parquet")
    download(server.url, places["dest"], cache=places["cache"])
    assert (places["dest"] / "documents.parquet").read_bytes() == (
        fixture_release / "documents.parquet"
    ).read_bytes()
    assert "/moved/documents.parquet" in server.hits


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("file:///etc/", "only http:// and https:// base URLs are allowed"),
        ("ftp://127.0.0.1/releases/", "only http:// and https:// base URLs are allowed"),
        ("127.0.0.1:8000/releases/", "only http:// and https:// base URLs are allowed"),
        ("http:///releases/", "base URL has no host"),
        ("http://127.0.0.1/releases/?x=1", "base URL must not have a query or fragment"),
    ],
)
def test_base_url_must_be_http(url: str, problem: str, places: dict[str, Path], tmp_path: Path) -> None:
    before = tree(tmp_path)
    with pytest.raises(RendaError) as refused:
        download(url, places["dest"], cache=places["cache"])
    assert str(refused.value) == f"{url}: {problem}"
    assert tree(tmp_path) == before  # refused before even the cache folder is made


# --- 4. symlinks already in dest or cache ------------------------------------------------------------------


def test_symlink_in_dest_is_replaced_not_followed(
    served: Path, fixture_release: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    dest, victim = places["dest"], places["outside"] / "victim.txt"
    dest.mkdir()
    (dest / "documents.parquet").symlink_to(victim)
    (dest / "manifest.json").symlink_to(victim)
    before = tree(tmp_path)
    download(hostile(served).url, dest, cache=places["cache"])
    assert victim.read_bytes() == b"precious"
    for name in ("documents.parquet", "manifest.json"):
        assert not (dest / name).is_symlink()
        assert (dest / name).read_bytes() == (fixture_release / name).read_bytes()
    assert changed_outside(tmp_path, before, places) == []
    assert leftovers(places) == []


def test_symlinked_folder_in_dest_is_refused(
    served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    dest = places["dest"]
    dest.mkdir()
    (dest / "csv").symlink_to(places["outside"], target_is_directory=True)
    before = tree(tmp_path)
    message = attempt(hostile(served), places, file_format="csv")
    assert message == f"{dest}/csv: resolves outside {dest} (a symlink?); refused"
    assert changed_outside(tmp_path, before, places) == []
    assert sorted(p.name for p in dest.iterdir()) == ["csv"]  # nothing written before the refusal
    assert sorted(p.name for p in places["outside"].iterdir()) == ["victim.txt"]


def test_symlinked_cache_folder_is_refused(
    served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    places["cache"].mkdir(parents=True)
    (places["cache"] / "sha256").symlink_to(places["outside"], target_is_directory=True)
    before = tree(tmp_path)
    message = attempt(hostile(served), places)
    assert message == f"{places['cache']}/sha256: resolves outside {places['cache']} (a symlink?); refused"
    assert changed_outside(tmp_path, before, places) == []


def test_symlinked_cache_entry_is_replaced(
    served: Path, fixture_release: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    digest = hashlib.sha256((fixture_release / "documents.parquet").read_bytes()).hexdigest()
    (places["cache"] / "sha256").mkdir(parents=True)
    (places["cache"] / "sha256" / digest).symlink_to(places["outside"] / "victim.txt")
    before = tree(tmp_path)
    download(hostile(served).url, places["dest"], cache=places["cache"])
    assert (places["outside"] / "victim.txt").read_bytes() == b"precious"
    cached = places["cache"] / "sha256" / digest
    assert not cached.is_symlink()
    assert cached.read_bytes() == (fixture_release / "documents.parquet").read_bytes()
    assert changed_outside(tmp_path, before, places) == []


# --- 5. bytes bounded by the manifest ----------------------------------------------------------------------


def test_content_length_above_the_manifest_is_refused(
    served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    server = hostile(served)
    server.routes["/CHANGELOG.md"] = huge_length
    before = tree(tmp_path)
    message = attempt(server, places)
    assert message == (
        f"{server.url}CHANGELOG.md: Content-Length 4294967296 is more than the 147 bytes the manifest "
        "declares; refused, nothing kept"
    )
    assert changed_outside(tmp_path, before, places) == []
    assert cache_files(places) == [] and leftovers(places) == []


def test_endless_body_is_cut_at_the_declared_size(
    served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    server = hostile(served)
    server.routes["/CHANGELOG.md"] = endless
    before = tree(tmp_path)
    started = time.monotonic()
    message = attempt(server, places)
    assert message == (
        f"{server.url}CHANGELOG.md: sent more than the 147 bytes the manifest declares; refused, nothing kept"
    )
    assert time.monotonic() - started < 2
    time.sleep(0.2)  # let the server notice the closed connection
    assert server.sent < 64 << 20  # the client stopped reading; it did not drain the 1 GiB on offer
    assert changed_outside(tmp_path, before, places) == []
    assert cache_files(places) == [] and leftovers(places) == []


def test_short_body_is_refused(served: Path, places: dict[str, Path], hostile) -> None:
    def short(hostile: Hostile, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        handler.wfile.write(b"# Changelog\n")

    server = hostile(served)
    server.routes["/CHANGELOG.md"] = short
    assert attempt(server, places) == (
        f"{server.url}CHANGELOG.md: sent 12 bytes, the manifest declares 147; refused, nothing kept"
    )
    assert cache_files(places) == [] and leftovers(places) == []


# --- 6. timeouts -------------------------------------------------------------------------------------------


def test_dripping_server_hits_the_total_timeout(
    served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    server = hostile(served)
    server.routes["/CHANGELOG.md"] = dripping(136, 0.2)
    before = tree(tmp_path)
    started = time.monotonic()
    message = attempt(server, places, timeout=0.8, total_timeout=1.0)
    elapsed = time.monotonic() - started
    assert message == f"{server.url}CHANGELOG.md: took longer than 1 s; timed out, nothing kept"
    assert 1.0 <= elapsed < 2.5
    assert changed_outside(tmp_path, before, places) == []
    assert cache_files(places) == [] and leftovers(places) == []


@pytest.mark.parametrize(
    ("after_headers", "problem"), [(True, "no data for 0.5 s"), (False, "no answer for 0.5 s")]
)
def test_stalling_server_hits_the_idle_timeout(
    after_headers: bool, problem: str, served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    server = hostile(served)
    server.routes["/CHANGELOG.md"] = stalling(after_headers)
    before = tree(tmp_path)
    started = time.monotonic()
    message = attempt(server, places, timeout=0.5, total_timeout=5.0)
    assert message == f"{server.url}CHANGELOG.md: {problem}; timed out, nothing kept"
    assert time.monotonic() - started < 2
    assert changed_outside(tmp_path, before, places) == []
    assert cache_files(places) == [] and leftovers(places) == []


def test_timeouts_are_options_of_the_command(served: Path, places: dict[str, Path], hostile) -> None:
    server = hostile(served)
    server.routes["/CHANGELOG.md"] = stalling(True)
    result = subprocess.run(
        [
            *RENDA,
            "download",
            "--base-url",
            server.url,
            "--dest",
            str(places["dest"]),
            "--cache",
            str(places["cache"]),
            "--timeout",
            "0.5",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == f"renda: error: {server.url}CHANGELOG.md: no data for 0.5 s; timed out, nothing kept\n"
    )
    assert leftovers(places) == []


# --- 7. SHA256SUMS -----------------------------------------------------------------------------------------


def test_checksums_disagreeing_with_the_manifest_are_refused(
    served: Path, places: dict[str, Path], tmp_path: Path, hostile
) -> None:
    set_checksum(served, "documents.parquet", "0" * 64)
    server = hostile(served)
    before = tree(tmp_path)
    assert attempt(server, places) == (
        f"{server.url}SHA256SUMS: documents.parquet's SHA-256 differs from manifest.json; refused"
    )
    assert changed_outside(tmp_path, before, places) == []
    assert cache_files(places) == []
    assert server.hits == ["/manifest.json", "/SHA256SUMS"]


def test_checksums_must_list_the_manifest_received(served: Path, places: dict[str, Path], hostile) -> None:
    set_checksum(served, "manifest.json", "0" * 64)
    server = hostile(served)
    assert attempt(server, places) == (
        f"{server.url}SHA256SUMS: manifest.json's SHA-256 differs from the manifest received; refused"
    )


def test_missing_checksums_are_refused(served: Path, places: dict[str, Path], hostile) -> None:
    (served / "SHA256SUMS").unlink()
    server = hostile(served)
    assert attempt(server, places) == f"{server.url}SHA256SUMS: download failed (HTTP 404 Not Found)"
    assert not places["dest"].exists()


def test_checksums_missing_a_selected_file_are_refused(
    served: Path, places: dict[str, Path], hostile
) -> None:
    lines = (served / "SHA256SUMS").read_text(encoding="utf-8").splitlines(keepends=True)
    (served / "SHA256SUMS").write_text(
        "".join(x for x in lines if not x.endswith("  csv/terms.csv\n")), "utf-8"
    )
    server = hostile(served)
    download(server.url, places["dest"], cache=places["cache"])  # parquet only: csv/terms.csv not selected
    assert (
        attempt(server, places, file_format="csv")
        == f"{server.url}SHA256SUMS: csv/terms.csv is not listed; refused"
    )


# --- 8. the manifest as published --------------------------------------------------------------------------


def test_manifest_and_checksums_are_kept_byte_for_byte(
    served: Path, places: dict[str, Path], hostile
) -> None:
    manifest = json.loads((served / "manifest.json").read_text(encoding="utf-8"))
    compact = json.dumps(manifest, separators=(",", ":"), sort_keys=False).encode(
        "utf-8"
    )  # no newline at end
    (served / "manifest.json").write_bytes(compact)
    set_checksum(served, "manifest.json", hashlib.sha256(compact).hexdigest())
    # a whole release: its SHA256SUMS lists exactly the files written, so it is the published one
    written = download(hostile(served).url, places["dest"], cache=places["cache"], file_format="all")
    assert (places["dest"] / "manifest.json").read_bytes() == compact
    assert (places["dest"] / "SHA256SUMS").read_bytes() == (served / "SHA256SUMS").read_bytes()
    assert written[-2:] == [places["dest"] / "SHA256SUMS", places["dest"] / "manifest.json"]


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("datapackage.json", b"not json", "JSONDecodeError"),
        ("croissant.json", b'{"distribution": [{"@id": "x"}], "recordSet": []}', "KeyError"),
        ("datapackage.json", b'{"resources": 3}', "TypeError"),
    ],
)
def test_descriptor_that_cannot_be_cut_is_refused(
    served: Path, places: dict[str, Path], hostile, name: str, data: bytes, problem: str
) -> None:
    """A partial download cuts the release's descriptors; one the manifest vouches for but that is not a
    descriptor stops the download before anything reaches dest."""
    (served / name).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    write_manifest(served, lambda m: entry(m, name).update(sha256=digest, bytes=len(data)))
    set_checksum(served, name, digest)
    server = hostile(served)
    assert attempt(server, places, tables=["documents"]) == (
        f"{server.url}{name}: not a descriptor that can be cut to the files fetched ({problem}); "
        "refused, nothing kept"
    )
    assert not places["dest"].exists() and leftovers(places) == []


def test_pinned_manifest_hash_is_enforced(served: Path, places: dict[str, Path], hostile) -> None:
    server = hostile(served)
    assert attempt(server, places, manifest_sha256="0" * 64) == (
        f"{server.url}manifest.json: SHA-256 does not match --manifest-sha256; refused"
    )
    actual = hashlib.sha256((served / "manifest.json").read_bytes()).hexdigest()
    download(server.url, places["dest"], cache=places["cache"], manifest_sha256=actual)
    assert (places["dest"] / "manifest.json").read_bytes() == (served / "manifest.json").read_bytes()


# --- 9. tampered files and the cache -----------------------------------------------------------------------


def test_tampered_cache_entry_is_fetched_again(
    served: Path, fixture_release: Path, places: dict[str, Path], hostile
) -> None:
    server = hostile(served)
    download(server.url, places["dest"], cache=places["cache"])
    digest = hashlib.sha256((fixture_release / "documents.parquet").read_bytes()).hexdigest()
    cached = places["cache"] / "sha256" / digest
    cached.write_bytes(b"tampered")
    server.hits.clear()
    download(server.url, places["dest"], cache=places["cache"])
    assert server.hits.count("/documents.parquet") == 1  # the only file fetched again
    assert "/paragraphs.parquet" not in server.hits  # verified cached copies are reused
    assert cached.read_bytes() == (fixture_release / "documents.parquet").read_bytes()
    for path in cache_files(places):  # content-addressed: every cached file is named by its own SHA-256
        assert path.name == hashlib.sha256(path.read_bytes()).hexdigest()
