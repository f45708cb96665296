from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = ROOT / "data" / "raw" / "freewechat_text" / "000_697b98e90949ce70.txt"


@pytest.fixture
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def span(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    """Offsets of `needle` in `text`: expected offsets come from the fixture, not from the parser."""
    index = text.index(needle, start)
    return index, index + len(needle)


@pytest.fixture(scope="session")
def fixture_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from release_fixture import build_fixture_release

    return build_fixture_release(tmp_path_factory.mktemp("fixture-release"))


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """Serve a folder over real HTTP on a loopback port: `serve(folder)` gives its base URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def shared_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release of the whole `../shared/corpus` (285 real captures), built once per test session with the
    project's params (issuer registry included); tests that need it are skipped where it is absent."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"{SHARED_CORPUS} is not present (it sits beside the checkout on CI and dev machines)")
    from pipeline.build import build
    from pipeline.settings import load_settings

    release = tmp_path_factory.mktemp("shared") / "release"
    build(SHARED_CORPUS, release, load_settings(ROOT / "params.yaml"))
    return release


@pytest.fixture
def messy_raw(tmp_path: Path) -> Path:
    """The example capture and four files that become rejects: empty, blank, binary, an image."""
    raw = tmp_path / "raw"
    (raw / "freewechat_text").mkdir(parents=True)
    shutil.copyfile(EXAMPLE, raw / "freewechat_text" / EXAMPLE.name)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "blank.txt").write_bytes(b"  \n\t\n\xe3\x80\x80\n")
    (raw / "random.bin").write_bytes(bytes((i * 7919 + 13) % 256 for i in range(3000)))
    (raw / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40))
    return raw
