from __future__ import annotations

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
