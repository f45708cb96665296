"""A release built once per test session from the fixtures of every format (plus bad files)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES

from pipeline.build import build
from pipeline.settings import Settings


def build_fixture_release(root: Path) -> Path:
    raw = root / "raw"
    for relative in (
        "freewechat_text/sample.txt",
        "wechatmp2markdown/sample.md",
        "wechat_html2text/sample.md",
        "generic/notice.txt",
        "generic/traditional_big5.txt",
        "containers/gov_reports.csv",
        "containers/articles.jsonl",
    ):
        (raw / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / relative, raw / relative)
    (raw / "empty.txt").write_bytes(b"")
    release = root / "release"
    build(raw, release, Settings())
    return release
