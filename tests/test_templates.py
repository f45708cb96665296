"""Template lines learned from the corpus (`pipeline.templates`, the `templates` stage, and parse dropping them).

Captures written for these tests: a folder of small pages of one made-up site that share a site name, a
breadcrumb, a click counter and a footer. Real builds (ingest → templates → parse → … → release), real Parquet.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_build import renda

from pipeline.build import build
from pipeline.errors import RendaError
from pipeline.formats import FORMATS
from pipeline.parser import parse_text, read_rows
from pipeline.settings import Settings, TemplateSettings, load_settings
from pipeline.templates import (
    Furniture,
    TemplateLearner,
    TemplateParams,
    line_key,
    may_be_template,
    origins_of,
    template_rows,
)

SITE = "某市人大常委会网站"
CRUMB = "首页 > 新闻中心 > 人大要闻"
FOOTER = "某市人大常委会办公厅主办"
TITLES = [
    "市人大常委会召开第十次会议",
    "代表视察城市更新项目",
    "常委会开展食品安全执法检查",
    "人大代表联络站开放日",
]
BODIES = [
    (
        "会议听取和审议了市人民政府关于城市建设情况的报告，并就下一步工作提出了明确要求。",
        "会议强调，要把人民群众的期盼作为工作的方向，扎实推进各项任务落地见效。",
    ),
    (
        "代表们深入施工现场，详细了解项目进度和居民安置情况，对改造成效给予肯定。",
        "视察中，代表们建议进一步完善配套设施，让老旧小区居民住得更加舒心。",
    ),
    (
        "执法检查组分赴各区，查看农贸市场和学校食堂，听取监管部门的工作汇报。",
        "检查组指出，要压实企业主体责任，织密织牢食品安全防护网。",
    ),
    (
        "联络站向社区居民开放，代表们现场接待群众来访，收集意见建议二十余条。",
        "居民们表示，家门口就能找到代表反映问题，感到十分方便。",
    ),
]
# Three lines from each end are the windows: the site name, breadcrumb and title; the last paragraph, the click
# counter and the footer.
SETTINGS = Settings(templates=TemplateSettings(window=3, min_share=0))


def page(index: int, middle: tuple[str, ...] = ()) -> str:
    first, last = BODIES[index]
    between = [text for line in middle for text in (line, "")]
    lines = [
        SITE,
        CRUMB,
        TITLES[index],
        "",
        first,
        "",
        *between,
        last,
        "",
        f"点击数：{100 + 37 * index}",
        FOOTER,
    ]
    return "\n".join(lines) + "\n"


def write_site(folder: Path, pages: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")


def rows(release: Path, table: str, columns: list[str] | None = None) -> list[dict[str, object]]:
    return pq.read_table(release / f"{table}.parquet", columns=columns).to_pylist()


def body_texts(release: Path) -> dict[str, list[str]]:
    files = {r["doc_id"]: r["source_file"] for r in rows(release, "documents", ["doc_id", "source_file"])}
    texts: dict[str, list[str]] = {}
    for paragraph in rows(release, "paragraphs", ["doc_id", "text"]):
        texts.setdefault(str(files[paragraph["doc_id"]]), []).append(str(paragraph["text"]))
    return texts


def headings(release: Path) -> dict[str, list[str]]:
    files = {r["doc_id"]: r["source_file"] for r in rows(release, "documents", ["doc_id", "source_file"])}
    found: dict[str, list[str]] = {}
    for section in rows(release, "sections", ["doc_id", "heading"]):
        if section["heading"] is not None:
            found.setdefault(str(files[section["doc_id"]]), []).append(str(section["heading"]))
    return found


def template(line: str, zone: str, n: int = 4, size: int = 4, origin: str = "site") -> dict[str, object]:
    return {"origin": origin, "zone": zone, "line": line, "n_documents": n, "n_origin_documents": size}


def test_site_furniture_is_learned_listed_and_dropped(tmp_path: Path) -> None:
    write_site(tmp_path / "raw" / "site", {f"page{i}.txt": page(i) for i in range(4)})
    reports = build(tmp_path / "raw", tmp_path / "out", SETTINGS)
    out = tmp_path / "out"
    assert rows(out, "templates") == [
        template(SITE, "head"),
        template(CRUMB, "head"),
        template(FOOTER, "tail"),
        template(
            "点击数：100", "tail"
        ),  # 点击数：100 … 点击数：211 are one line; ties print the first by text
    ]
    assert body_texts(out) == {f"site/page{i}.txt": list(BODIES[i]) for i in range(4)}
    titles = [r["title"] for r in rows(out, "documents", ["title"])]
    assert titles == TITLES  # the site name no longer takes the title's place
    learned = next(r for r in reports if r.stage == "templates")
    assert (learned.received, learned.emitted, learned.extra["documents_counted"]) == (4, 4, 4)
    # `renda show`'s reason for each dropped line
    unit_text = page(0)
    fmt = FORMATS["generic"]
    furniture = Furniture(
        frozenset({line_key(SITE), line_key(CRUMB)}), frozenset({line_key(FOOTER), line_key("点击数：1")})
    )
    doc = parse_text(unit_text, fmt, lambda r: template_rows(r, fmt, furniture, 3, 40))
    assert [(d.line_number, d.reason, d.text) for d in doc.dropped] == [
        (0, "template", SITE),
        (1, "template", CRUMB),
        (2, "header:title", TITLES[0]),
        (8, "template", "点击数：100"),
        (9, "template", FOOTER),
    ]


def test_origin_below_min_size_learns_nothing(tmp_path: Path) -> None:
    write_site(tmp_path / "raw" / "site", {f"page{i}.txt": page(i) for i in range(3)})
    reports = build(tmp_path / "raw", tmp_path / "out", SETTINGS)
    assert rows(tmp_path / "out", "templates") == []
    assert next(r for r in reports if r.stage == "templates").emitted == 0
    # without templates the breadcrumb stays where the parser put it (joined to the title line)
    assert any(CRUMB in text for texts in body_texts(tmp_path / "out").values() for text in texts)


def test_template_line_in_the_middle_of_a_body_is_kept(tmp_path: Path) -> None:
    before, after = "为民履职，代表在行动。", "工作人员随后介绍了议事规则和各项安排的具体情况。"
    pages = {f"page{i}.txt": page(i) for i in range(4)}
    pages["page3.txt"] = page(3, (before, SITE, after))
    write_site(tmp_path / "raw" / "site", pages)
    build(tmp_path / "raw", tmp_path / "out", SETTINGS)
    assert template(SITE, "head") in rows(tmp_path / "out", "templates")
    first, last = BODIES[3]
    assert body_texts(tmp_path / "out")["site/page3.txt"] == [first, before, after, last]
    assert headings(tmp_path / "out") == {"site/page3.txt": [SITE]}  # kept: the parser reads it as a heading


def test_copies_of_one_article_count_once(tmp_path: Path) -> None:
    """Three captures of one article (one with a repost note at the end) and three other pages: the article's own
    short lines recur in three documents, but in one distinct document, so nothing of it is learned."""
    lead = "本次会议共有五项议程"
    article = page(0).replace(TITLES[0], f"{TITLES[0]}\n\n{lead}")
    pages = {
        "a1.txt": article,
        "a2.txt": article + "本文转自某市日报客户端\n",
        "a3.txt": article + "\n",
        **{f"page{i}.txt": page(i) for i in (1, 2, 3)},
    }
    write_site(tmp_path / "raw" / "site", pages)
    settings = Settings(templates=TemplateSettings(window=4, min_share=0))
    reports = build(tmp_path / "raw", tmp_path / "out", settings)
    learned = rows(tmp_path / "out", "templates")
    assert {r["line"] for r in learned} == {SITE, CRUMB, FOOTER, "点击数：100"}
    assert {r["n_origin_documents"] for r in learned} == {4}
    assert next(r for r in reports if r.stage == "templates").extra["copies_not_counted"] == 2
    texts, heads = body_texts(tmp_path / "out"), headings(tmp_path / "out")
    note = ["本文转自某市日报客户端"]
    for name, extra in (("a1.txt", []), ("a2.txt", note), ("a3.txt", [])):  # each copy keeps its own lines
        assert (heads[f"site/{name}"], texts[f"site/{name}"]) == ([lead], [*BODIES[0], *extra])


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    write_site(tmp_path / "raw" / "site", {f"page{i}.txt": page(i) for i in range(4)})
    build(tmp_path / "raw", tmp_path / "one", SETTINGS)
    build(tmp_path / "raw", tmp_path / "two", SETTINGS)
    for name in ("templates.parquet", "csv/templates.csv", "paragraphs.parquet", "documents.parquet"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_cached_counts_read_only_window_and_max_line_chars(tmp_path: Path) -> None:
    """The stage caches what each unit adds to the counts under its line, the code and the two settings that
    read it: changing `window` or `max_line_chars` recounts every unit, changing a threshold recounts none
    (it is applied to the totals), and every run writes the bytes a run without a cache writes."""
    from pipeline.settings import ExecutionSettings
    from pipeline.stages import ingest
    from pipeline.stages import templates as stage

    write_site(tmp_path / "raw" / "site", {f"page{i}.txt": page(i) for i in range(4)})
    ingest.run(tmp_path / "raw", tmp_path / "ingested", SETTINGS)
    base = SETTINGS.templates
    runs = {
        "cold": base,
        "warm": base,
        "threshold": base.model_copy(update={"min_documents": 5}),
        "window": base.model_copy(update={"window": 2}),
        "chars": base.model_copy(update={"max_line_chars": 10}),
    }
    learned = {}
    for name, params in runs.items():
        for cache in (tmp_path / "cache", None):
            settings = SETTINGS.model_copy(
                update={"templates": params, "execution": ExecutionSettings(jobs=1, cache=cache)}
            )
            out = tmp_path / f"{name}-{'cached' if cache else 'plain'}"
            report = stage.run(tmp_path / "ingested", out, settings)
            learned[name, cache is not None] = (out / "templates.jsonl").read_bytes()
            if cache is None:
                assert report.cache is None
                continue
            misses = 0 if name in ("warm", "threshold") else 4
            assert report.cache == {"hits": 4 - misses, "misses": misses, "corrupt": 0}, name
        assert learned[name, True] == learned[name, False], name
    assert learned["cold", True].count(b"\n") == 4 and learned["threshold", True] == b""


def test_two_processes_learn_the_same_lines_and_count_the_cache_the_same(tmp_path: Path) -> None:
    """On a process pool each unit is read in a worker and the counts are added in input order: the same
    templates bytes as one process, and the cache's hits and misses come back from the workers."""
    from pipeline.settings import ExecutionSettings
    from pipeline.stages import ingest
    from pipeline.stages import templates as stage

    pages = {f"page{i}.txt": page(i) for i in range(4)}
    write_site(tmp_path / "raw" / "site", pages)
    write_site(
        tmp_path / "raw" / "other", {name: text.replace(SITE, "另一网站") for name, text in pages.items()}
    )
    ingest.run(tmp_path / "raw", tmp_path / "ingested", SETTINGS)
    written = {}
    for jobs in (1, 2):
        for run in ("cold", "warm"):
            settings = SETTINGS.model_copy(
                update={"execution": ExecutionSettings(jobs=jobs, cache=tmp_path / f"cache-{jobs}")}
            )
            out = tmp_path / f"templates-{jobs}-{run}"
            report = stage.run(tmp_path / "ingested", out, settings)
            expected = (
                {"hits": 0, "misses": 8, "corrupt": 0}
                if run == "cold"
                else {"hits": 8, "misses": 0, "corrupt": 0}
            )
            assert report.cache == expected, (jobs, run)
            written[jobs, run] = (out / "templates.jsonl").read_bytes()
    assert len(set(written.values())) == 1
    assert written[2, "cold"].count(b'"origin":"other"') == written[2, "cold"].count(b'"origin":"site"') == 4


def test_line_key_counts_digits_and_spacing_as_one() -> None:
    assert line_key("点击数：123") == line_key("点击数: 4567") == "点击数:#"
    assert line_key("首页 > 新闻") == line_key("首页>新闻")
    assert line_key("某市人大常委會") == line_key("某市人大常委会")  # traditional characters simplified


def test_origins_are_the_folder_and_the_container() -> None:
    assert origins_of("site/a/page.txt", None) == ("site/a",)
    assert origins_of("page.txt", None) == (".",)
    assert origins_of("exports/a.csv", 3) == ("exports/a.csv", "exports")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (SITE, True),
        (CRUMB, True),
        ("点击数：123", True),
        ("会议强调，要扎实推进各项任务。", False),  # a sentence
        ("参考链接：", False),  # a label that introduces what follows
        ("一、总体要求", False),  # a numbered heading
        ("**重点工作**", False),  # a bold heading
        ("发布时间：2024-05-06", False),  # dates the document
        ("责任编辑：王五", False),  # a credit
        ("某" * 41, False),  # prose length
        ("某", False),  # one character
        ("```", False),  # markup alone
    ],
)
def test_what_may_be_a_template_line(line: str, expected: bool) -> None:
    fmt = FORMATS["wechatmp2markdown"] if line.startswith(("**", "```")) else FORMATS["generic"]
    (row,) = [r for r in read_rows(line, fmt) if not r.blank]
    assert may_be_template(row, fmt, 40) is expected


def test_the_title_of_the_document_is_never_dropped() -> None:
    fmt = FORMATS["generic"]
    text = f"{SITE}\n{TITLES[0]}\n\n{BODIES[0][0]}\n"
    furniture = Furniture(frozenset({line_key(SITE), line_key(TITLES[0])}))
    assert template_rows(read_rows(text, fmt), fmt, furniture, 3, 40) == [0, 1]
    assert template_rows(read_rows(text, fmt), fmt, furniture, 3, 40, keep=(TITLES[0],)) == [0]


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="below min_documents"):
        TemplateSettings(min_documents=5, min_origin_documents=4)


def test_unknown_templates_key_is_an_error(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("templates:\n  windw: 3\n", encoding="utf-8")
    with pytest.raises(RendaError, match=r"templates\.windw: Extra inputs are not permitted"):
        load_settings(params)


@given(
    st.lists(st.sampled_from(range(4)), min_size=0, max_size=12),
    st.integers(min_value=1, max_value=5),
)
def test_learned_lines_meet_the_thresholds(order: list[int], window: int) -> None:
    """Whatever documents stream past: every learned line recurs in at least min_documents distinct documents of
    an origin of at least min_origin_documents, the rows are sorted, and a line is listed once per zone."""
    params = TemplateParams(min_documents=2, min_origin_documents=2, window=window)
    learner = TemplateLearner(params)
    for index in order:
        learner.add(("site",), page(index), FORMATS["generic"])
    learned = learner.rows()
    distinct = len(set(order))
    assert learned == sorted(learned, key=lambda r: (r["origin"], r["zone"], r["line"]))
    assert len({(r["zone"], line_key(str(r["line"]))) for r in learned}) == len(learned)
    for row in learned:
        assert row["n_origin_documents"] == distinct >= 2
        assert 2 <= int(row["n_documents"]) <= distinct  # type: ignore[call-overload]
    if distinct >= 2:
        assert {"zone": "head", "line": SITE} in [{"zone": r["zone"], "line": r["line"]} for r in learned]


def test_stage_commands_learn_and_hand_the_lines_on(tmp_path: Path) -> None:
    """`renda ingest` → `renda templates` → `renda parse --templates`, as dvc.yaml runs them."""
    write_site(tmp_path / "raw" / "site", {f"page{i}.txt": page(i) for i in range(4)})
    params = tmp_path / "params.yaml"
    params.write_text("templates:\n  window: 3\n  min_share: 0\n", encoding="utf-8")
    interim = tmp_path / "interim"
    assert (
        renda("ingest", str(tmp_path / "raw"), str(interim / "ingested"), "--params", str(params)).returncode
        == 0
    )
    learned = renda(
        "templates", str(interim / "ingested"), str(interim / "templates"), "--params", str(params)
    )
    assert learned.returncode == 0, learned.stderr
    assert learned.stderr.splitlines()[-1] == "templates: 4 in, 4 out, 0 rejected"
    parsed = renda(
        "parse", str(interim / "ingested"), str(interim / "parsed"), "--params", str(params),
        "--templates", str(interim / "templates"), "--jobs", "1",
    )  # fmt: skip
    assert parsed.returncode == 0, parsed.stderr
    handed_on = (interim / "parsed" / "templates.jsonl").read_bytes()
    assert handed_on == (interim / "templates" / "templates.jsonl").read_bytes()
    assert handed_on.count(b'"type":"template"') == 4


def test_parse_without_a_templates_folder_says_so_in_one_line(tmp_path: Path) -> None:
    write_site(tmp_path / "raw" / "site", {"page0.txt": page(0)})
    interim = tmp_path / "interim"
    assert renda("ingest", str(tmp_path / "raw"), str(interim / "ingested")).returncode == 0
    missing = renda(
        "parse", str(interim / "ingested"), str(interim / "parsed"), "--templates", str(tmp_path / "no")
    )
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"renda: error: {tmp_path / 'no'}: folder not found; renda parse --templates takes the folder that "
        "`renda templates` wrote"
    ]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "templates.jsonl").write_text('{"type":"template","record":{"origin":"x"}}\n')
    bad = renda(
        "parse", str(interim / "ingested"), str(interim / "parsed"), "--templates", str(tmp_path / "bad")
    )
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert bad.stderr.startswith(
        f"renda: error: {tmp_path / 'bad' / 'templates.jsonl'}: line 1 is not a record"
    )
