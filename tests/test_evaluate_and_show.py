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
from pipeline.show import show

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


def test_a_boilerplate_line_leaks_at_a_paragraphs_start_or_end_not_inside_a_sentence(
    release: Path, tmp_path: Path
) -> None:
    boilerplate = ["市人大常委会执法检查组", "部分惠企政策知晓率不高。", "5月中旬，市人大常委会"]
    result = evaluate(_gold(tmp_path, boilerplate=boilerplate), release)
    assert result["per_document"][0]["leaks"] == ["部分惠企政策知晓率不高。", "5月中旬，市人大常委会"]


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


NOTICE = """关于召开全区人大代表座谈会的通知

2024年4月1日

各街道人大工委：

经研究，定于2024年4月10日召开全区人大代表座谈会。请各街道按时组织代表参加。

一、会议时间

2024年4月10日上午9时。

来源：区人大常委会办公室
责任编辑：王五
"""


def test_show_a_plain_file_exactly(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    assert show(path) == (
        f"{path}  [generic, utf-8]\n"
        "\n"
        "  title             关于召开全区人大代表座谈会的通知\n"
        "  column            None\n"
        "  account           None\n"
        "  published_date    2024-04-01\n"
        "  authors           []\n"
        "  author_positions  []\n"
        "  editors           ['王五']\n"
        "  source            区人大常委会办公室\n"
        "  counts            2 sections, 3 body paragraphs, 2 credits, 0 related, 2 lines dropped\n"
        "\n"
        "§0 L0 (untitled lead)\n"
        "  ¶   0 [29:37]        各街道人大工委：\n"
        "  ¶   1 [39:80]        经研究，定于2024年4月10日召开全区人大代表座谈会。请各街道按时组织代表参加。\n"
        "\n"
        "§1 L1 一、会议时间\n"
        "  ¶   2 [90:105]       2024年4月10日上午9时。\n"
        "\n"
        "credits:\n"
        "  source        来源: 区人大常委会办公室\n"
        "  editor        责任编辑: 王五\n"
        "\n"
        "dropped lines:\n"
        "  L1     header:title             关于召开全区人大代表座谈会的通知\n"
        "  L3     header:date              2024年4月1日\n"
    )


def test_show_a_csv_container_shows_each_row_exactly() -> None:
    """Every row as the pipeline reads it: the row's document (with the url and date its columns fill in) and
    the empty row's reject."""
    path = FIXTURES / "containers" / "gov_reports.csv"
    assert show(path) == (
        f"{path}#row0  [gov_portal_text, utf-8-sig]\n"
        "\n"
        "  title             2025年山河省政府工作报告\n"
        "  column            None\n"
        "  account           None\n"
        "  published_date    2025-01-25\n"
        "  authors           ['林远']\n"
        "  author_positions  ['山河省人民政府省长']\n"
        "  editors           ['陈静']\n"
        "  source            山河日报\n"
        "  url               https://gov.example/report-2025\n"
        "  counts            3 sections, 6 body paragraphs, 2 credits, 0 related, 14 lines dropped\n"
        "\n"
        "§0 L0 (untitled lead)\n"
        "  ¶   0 [124:129]      各位代表：\n"
        "  ¶   1 [130:154]      现在，我代表省人民政府向大会报告工作，请予审议。\n"
        "\n"
        "§1 L1 一、2024年工作回顾\n"
        "  ¶   2 [167:181]      过去一年，全省经济稳中有进。\n"
        "  ¶   3 [182:200]      促进消费扩容升级。实施消费提振行动。\n"
        "        lead: 促进消费扩容升级。\n"
        "  ¶   4 [201:222]      持续扩大有效投资。新开工重大项目120个。\n"
        "        lead: 持续扩大有效投资。\n"
        "\n"
        "§2 L1 二、2025年工作安排\n"
        "  ¶   5 [235:253]      各位代表！让我们团结奋斗，再创佳绩！\n"
        "\n"
        "credits:\n"
        "  source        来源: 山河日报\n"
        "  editor        责任编辑: 陈静\n"
        "\n"
        "dropped lines:\n"
        "  L1     chrome                   下载\n"
        "  L2     chrome                   打印\n"
        "  L3     chrome                   【字号：\n"
        "  L4     chrome                   加大\n"
        "  L5     chrome                   还原\n"
        "  L6     chrome                   减小\n"
        "  L7     chrome                   】\n"
        "  L8     header:title             2025年山河省政府工作报告\n"
        "  L9     header:occasion          ——2025年1月20日在山河省第十四届人民代表大会第三次会议上\n"
        "  L11    header:date              时间：2025-01-25\n"
        "  L12    header:speaker           山河省人民政府省长 林远\n"
        "  L13    header:photo_caption     林远作政府工作报告。本报记者 周一摄\n"
        "  L24    chrome                   相关报道：\n"
        "  L25    chrome                   山河省两会特别报道\n"
        "\n"
        f"{path}#row1  rejected at ingest (empty_row): text column 'full_text' has no text (blank, null or a "
        "missing marker such as nan)\n"
    )
    assert show(path, row=1) == show(path).split("\n\n")[-1]


def test_show_prints_a_document_process_rejects_as_one_line(tmp_path: Path) -> None:
    path = tmp_path / "chrome.txt"
    path.write_text("查看原文\n其他\n\n标题\n\n账号 2024-01-01\n\n继续滑动看下一个\n", encoding="utf-8")
    assert show(path) == (
        f"{path}  rejected at parse (no_body): no body paragraph found (5 lines dropped as chrome/header, "
        "0 credits)\n"
    )


def test_show_marks_every_paragraph_kind_of_the_field_dictionary(tmp_path: Path) -> None:
    from pipeline.fields import PARAGRAPH_KINDS
    from pipeline.show import KIND_MARKERS

    assert set(KIND_MARKERS) == set(PARAGRAPH_KINDS)
    path = tmp_path / "letter.txt"
    path.write_text(
        "# 给老党员的回信\n\n张连生同志：\n\n您好！来信收悉。向您和全国的老党员致以诚挚问候。\n\n习近平\n\n2026年6月17日\n\n"
        "（新华社北京6月18日电）\n\n新华社北京6月18日电  中共中央总书记习近平日前给老党员张连生回信。\n",
        encoding="utf-8",
    )
    shown = show(path).splitlines()
    assert [line.split()[1] for line in shown if line.startswith("  ✍")] == ["2", "3", "4"]
