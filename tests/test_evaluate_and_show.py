"""`renda evaluate` scores by the gold README's rules; `renda show` prints the parse as a tree."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from pipeline.build import build
from pipeline.evaluate import count_matches, evaluate, people, typography_free
from pipeline.settings import Settings

RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]


def test_comparison_rules() -> None:
    assert typography_free("## **二、境内厂商** 产品\u3000漏洞") == "二、境内厂商产品漏洞"
    assert typography_free("文章有问题？") == typography_free("文章有问题?")
    assert people("毛丽艳 李跃忠") == people(["李跃忠", "毛丽艳"]) == frozenset({"毛丽艳", "李跃忠"})
    assert (
        count_matches(44, 43) and count_matches(1, 2) and not count_matches(48, 43) and count_matches(95, 105)
    )


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("eval")
    raw = root / "raw" / "wechatmp2markdown"
    raw.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "wechatmp2markdown" / "sample.md", raw / "sample.md")
    build(root / "raw", root / "release", Settings())
    return root / "release"


def _gold(tmp_path: Path, **overrides: object) -> Path:
    gold = {
        "file": "wechatmp2markdown/sample.md",
        "format": "wechatmp2markdown",
        "title": "市人大常委会开展营商环境条例执法检查",
        "column": "履职动态",
        "account": "山河人大",
        "published_date": "2024-05-20",
        "author": "张明、李红",
        "editor": "王芳",
        "source": None,
        "section_headings": ["一、检查的基本情况", "**二、存在的主要问题**"],
        "lead_sentences": [],
        "n_paragraphs": 6,
        "first_paragraph": "5月中旬，市人大常委会执法检查组赴各区开展营商环境条例执法检查。",
        "last_paragraph": "材料要求重复",
        "boilerplate": ["**点击蓝字 关注我们**", "审批环节多"],
        "related": [],
        "notes": "",
    }
    gold.update(overrides)
    folder = tmp_path / "gold"
    folder.mkdir(exist_ok=True)
    (folder / "wechatmp2markdown__sample.json").write_text(
        json.dumps(gold, ensure_ascii=False), encoding="utf-8"
    )
    return folder


def test_evaluate_scores_each_field(release: Path, tmp_path: Path) -> None:
    result = evaluate(
        _gold(tmp_path, source="某报", section_headings=["一、检查的基本情况", "三、缺失的标题"]), release
    )
    shares = {name: score["correct"] for name, score in result["fields"].items()}
    assert shares == {
        "title": 1,
        "column": 1,
        "account": 1,
        "published_date": 1,
        "source": 0,
        "authors": 1,
        "editors": 1,
        "n_paragraphs": 1,
        "first_paragraph": 1,
        "last_paragraph": 1,
    }
    assert result["headings"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "matched": 1,
        "ours": 2,
        "gold": 2,
    }
    # "审批环节多" is a whole paragraph: a leak by the README's rule, even if it is short
    assert result["leakage"] == {"documents_with_leaks": 1, "leaked_lines": 1}
    assert result["per_document"][0]["mismatches"]["source"] == {"ours": None, "gold": "某报"}


def test_evaluate_cli_writes_json_and_table(release: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    result = subprocess.run(
        [*RENDA, "evaluate", str(_gold(tmp_path)), "--release", str(release), "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "headings" in result.stdout and "F1 1.000" in result.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["found"] == 1


def test_evaluate_reports_missing_documents(release: Path, tmp_path: Path) -> None:
    result = evaluate(_gold(tmp_path, file="wechatmp2markdown/absent.md"), release)
    assert result["found"] == 0 and result["fields"]["title"]["correct"] == 0


def test_show_prints_tree_and_dropped_lines() -> None:
    result = subprocess.run(
        [*RENDA, "show", str(FIXTURES / "wechatmp2markdown" / "sample.md")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[wechatmp2markdown, utf-8]" in out
    assert "§1 L1 一、检查的基本情况" in out
    assert "lead: 一是政策落实不到位。" in out
    assert "head:promotion" in out and "**点击蓝字 关注我们**" in out
    assert (
        out.index("§0")
        < out.index("§1")
        < out.index("§2")
        < out.index("credits:")
        < out.index("dropped lines:")
    )


def test_show_bad_file_is_one_line() -> None:
    result = subprocess.run([*RENDA, "show", "/nonexistent.md"], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == "renda: error: /nonexistent.md: file not found"
