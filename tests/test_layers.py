"""Research layers: exact rows on the example capture, offsets that slice back, near-duplicate clusters."""

from __future__ import annotations

import datetime as dt
import shutil
import zlib
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from conftest import EXAMPLE, FIXTURES
from datasketch import LeanMinHash, MinHash
from hypothesis import assume, given
from hypothesis import strategies as st

from pipeline.build import build
from pipeline.formats import detect_format
from pipeline.layers import Paragraph
from pipeline.layers.citations import citation_kind, citations, linked_keys, title_key
from pipeline.layers.duplicates import (
    PER_SHINGLE_COUNT,
    DuplicateSettings,
    clusters,
    crc32_at_once,
    crc32_each,
    shingle_crc32,
    signature,
)
from pipeline.layers.figures import FULL_WIDTH, MAX_EXACT_AMOUNT, UNITS
from pipeline.layers.officials import mentions, title_byline
from pipeline.layers.terms import numbers_of, quoted
from pipeline.parser import document_fields, parse_text
from pipeline.settings import Settings
from pipeline.stages.enrich import layer_rows

EXAMPLE_TERMS = [
    ("国之大者", []), ("1+3", [1, 3]), ("五态", [5]), ("展翅腾飞看怀柔", []), ("看北京首先要从政治上看", []),
    ("两个确立", [2]), ("四个意识", [4]), ("四个自信", [4]), ("两个维护", [2]), ("五子", [5]),
    ("一府一委两院", [1, 1, 2]), ("四个机关", [4]), ("我为群众办实事", []),
]  # fmt: skip


@pytest.fixture(scope="module")
def example_layers() -> tuple[str, dict]:
    text = EXAMPLE.read_text(encoding="utf-8")
    doc = parse_text(text, detect_format(text))
    document = {"doc_id": "0" * 16, **document_fields(doc)}
    paragraphs = [
        Paragraph(p["paragraph_index"], p["text"], p["char_start"], p["char_end"]) for p in doc.paragraphs
    ]
    credits = [{**c, "doc_id": "0" * 16} for c in doc.credits]
    return text, {"rows": layer_rows(document, paragraphs, text, credits), "paragraphs": paragraphs}


def test_example_terms(example_layers) -> None:
    text, layers = example_layers
    terms = layers["rows"]["terms"]
    assert [(t["term"], t["numbers"]) for t in terms] == EXAMPLE_TERMS
    assert [t["is_numbered"] for t in terms] == [bool(numbers) for _, numbers in EXAMPLE_TERMS]
    occurrences = layers["rows"]["term_occurrences"]
    assert len(occurrences) == 19 and sum(t["n_occurrences"] for t in terms) == 19
    by_index = {p.paragraph_index: p for p in layers["paragraphs"]}
    for row in occurrences + terms:
        assert by_index[row["paragraph_index"]].text[row["text_start"] : row["text_end"]] == row["term"]
        assert text[row["char_start"] : row["char_end"]] == row["term"]


def test_example_citations(example_layers) -> None:
    text, layers = example_layers
    rows = layers["rows"]["citations"]
    assert [(r["cited_title"], r["citation_kind"]) for r in rows] == [
        ("怀柔区委关于新时代加强和改进人大工作的意见", "opinion"),
        ("区委关于建立区政府向区人大常委会报告国有资产管理情况制度的意见", "opinion"),
        ("怀柔区预算审查监督办法", "regulation"),
        ("区人大常委会讨论、决定重大事项的规定", "regulation"),
    ]
    for row in rows:
        assert text[row["char_start"] : row["char_end"]] == row["cited_title"]


def test_example_figures(example_layers) -> None:
    text, layers = example_layers
    rows = layers["rows"]["figures"]
    assert sorted((r["amount"], r["unit"]) for r in rows) == [
        (13.0, "部"),
        (15.0, "个"),
        (16.0, "个"),
        (17.0, "项"),
        (84.0, "个"),
        (337.0, "人次"),
    ]
    assert [r["figure_text"] for r in rows] == [
        "13部法规",
        "审议报告15个",
        "决议17项",
        "国家机关工作人员337人次",
        "16个代表之家",
        "84个代表联络站",
    ]
    for row in rows:
        assert text[row["char_start"] : row["char_end"]] == row["figure_text"]


def test_example_officials(example_layers) -> None:
    text, layers = example_layers
    rows = layers["rows"]["officials"]
    assert [(r["found_in"], r["name"], r["official_position"]) for r in rows] == [
        ("title", "郭延红", "怀柔区委书记"),
        ("credit", "郭延红", "中共北京市怀柔区委书记"),
    ]
    assert "郭延红" in text[rows[1]["char_start"] : rows[1]["char_end"]]


@pytest.mark.parametrize(
    ("term", "numbers"),
    [
        ("两个确立", [2]),
        ("四个全面", [4]),
        ("五位一体", [5, 1]),
        ("十四五", [14, 5]),
        ("一些问题", []),
        ("高质量发展", []),
        ("三个代表", [3]),
        ("二十大", [20]),
    ],
)
def test_numbered_formulations(term: str, numbers: list[int]) -> None:
    assert numbers_of(term) == numbers


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("中华人民共和国立法法", "law"),
        ("北京市人民代表大会常务委员会议事规则", "regulation"),
        ("关于加强…的意见", "opinion"),
        ("“十四五”规划纲要", "plan"),
        ("关于…的决定", "decision"),
        ("2022年度澜湄合作专项基金支持项目清单", "other"),
        ("人民日报", "publication"),
        ("政府工作报告", "report"),
        ("中国供电发展报告2026", "report"),  # a trailing year is a note
        ("联合国宪章", "agreement"),
        ("中俄睦邻友好合作条约", "agreement"),
        ("世界人权宣言", "statement"),
        ("中华人民共和国刑法修正案（十二）（草案）", "law"),
        ("2063年议程：我们希望的非洲", "plan"),  # the main title before the colon carries the ending
        ("孙子兵法", "work"),  # not a law
        ("白蛇传", "work"),
        ("永乐大典", "work"),
        ("Baba is You", "work"),  # a Latin-script title
        ("给阿嬷的情书", "work"),  # no genre ending, no official marker
    ],
)
def test_citation_kinds(title: str, kind: str) -> None:
    assert citation_kind(title) == kind


@pytest.mark.parametrize(
    ("title", "before", "after", "kind"),
    [
        ("繁花", "热播的电视剧", "", "work"),
        (
            "破冰行动",
            "电视剧",
            "",
            "work",
        ),  # the genre noun outranks the ending 行动? (none) and any other rule
        ("挽救计划", "观看了电影", "", "work"),  # …计划 would be a plan
        ("求是", "第11期", "杂志发表", "publication"),
        ("科学", "发表于国际学术期刊", "上", "publication"),
        ("韩国经济", "", "近日发表社论", "publication"),
        ("红线", "郴州电视台", "栏目记者", "work"),  # the nearest hint (栏目) wins over 记者
        ("世界人权宣言", "", "发表70周年", "statement"),  # the ending outranks a hint after the title
        ("人民至上", "", "一书", "work"),
    ],
)
def test_citation_kinds_from_context(title: str, before: str, after: str, kind: str) -> None:
    assert citation_kind(title, before, after) == kind


def test_titles_in_a_run_share_their_context() -> None:
    text = "成果发表于《自然通讯》《植物通讯》。我国《高端科学仪器》、《新生物学》等英文期刊创刊。"
    paragraph = Paragraph(0, text, 0, len(text))
    rows = layer_rows({"doc_id": "0" * 16, "title": None}, [paragraph], text, [])["citations"]
    assert [(r["cited_title"], r["citation_kind"]) for r in rows] == [
        ("自然通讯", "publication"),
        ("植物通讯", "publication"),
        ("高端科学仪器", "publication"),
        ("新生物学", "publication"),
    ]


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("中华人民共和国网络安全法", "网络安全法"),
        ("网络安全法", "网络安全法"),
        ("中华人民共和国网络安全法（2016年修订）", "网络安全法"),
        (
            "河北省国民经济和社会发展第十五个五年规划纲要（草案）",
            "河北省国民经济和社会发展第十五个五年规划纲要",
        ),
        ("福建省国民经济和社会发展第十五个五年规划纲要草案", "福建省国民经济和社会发展第十五个五年规划纲要"),
        ("银行业保险业网络安全管理办法（征求意见稿）", "银行业保险业网络安全管理办法"),
        ("某某条例(修订草案征求意见稿)", "某某条例"),
        ("中华人民共和国刑法修正案（十二）（草案）", "刑法修正案(十二)"),  # 修正案 is a document of its own
        ("志愿服务标识基本规范（试行）", "志愿服务标识基本规范(试行)"),  # so is a trial version
        ("“十四五”规划纲要", "十四五规划纲要"),
        ("关于修改〈中华人民共和国立法法〉的决定", "关于修改中华人民共和国立法法的决定"),
        ("关于修改<中华人民共和国立法法>的决定", "关于修改中华人民共和国立法法的决定"),
        # the state as one party of several keeps its name
        (
            "中华人民共和国和俄罗斯联邦关于全球战略稳定的联合声明",
            "中华人民共和国和俄罗斯联邦关于全球战略稳定的联合声明",
        ),
        ("Baba is You", "babaisyou"),
    ],
)
def test_title_keys(title: str, key: str) -> None:
    assert title_key(title) == key


def test_shorthands_link_to_the_full_title_they_stand_for() -> None:
    keys = [
        "中共中央关于授予七一勋章的决定",
        "决定",  # the nearest full title before it
        "中共中央关于表彰全国优秀共产党员的决定",
        "决定",
        "纲要",  # a shorthand before its full title; full titles ending one another resolve to the longest
        "规划纲要",
        "国民经济和社会发展第十五个五年规划纲要",
        "公约",  # two full titles, none before: left alone
        "儿童权利公约",
        "残疾人权利公约",
        "物业管理条例",  # differs from the full title by a place: two documents
        "北京市物业管理条例",
        "端午",  # works are not shorthands
        "和端午",
    ]
    assert linked_keys(keys) == [
        "中共中央关于授予七一勋章的决定",
        "中共中央关于授予七一勋章的决定",
        "中共中央关于表彰全国优秀共产党员的决定",
        "中共中央关于表彰全国优秀共产党员的决定",
        "国民经济和社会发展第十五个五年规划纲要",
        "国民经济和社会发展第十五个五年规划纲要",
        "国民经济和社会发展第十五个五年规划纲要",
        "公约",
        "儿童权利公约",
        "残疾人权利公约",
        "物业管理条例",
        "北京市物业管理条例",
        "端午",
        "和端午",
    ]


def test_citation_rows_group_one_document_under_one_key() -> None:
    """Exact rows of one article: 网络安全法 and its full title share a key, 纲要（草案） takes the key of the full
    title in the same article (another paragraph), a TV series and an English title are works."""
    texts = [
        "会议审议《中华人民共和国网络安全法》执法检查报告，对照《网络安全法》逐条检查。",
        "大会审查了《河北省国民经济和社会发展第十五个五年规划纲要（草案）》。",
        "《纲要（草案）》明确了今后五年的重点任务。电视剧《繁花》与游戏《Baba is You》也被提及。",
    ]
    paragraphs, raw, offset = [], "", 0
    for index, text in enumerate(texts):
        paragraphs.append(Paragraph(index, text, offset, offset + len(text)))
        raw += text + "\n"
        offset += len(text) + 1
    rows = layer_rows({"doc_id": "0" * 16, "title": None}, paragraphs, raw, [])["citations"]
    assert [(r["cited_title"], r["title_key"], r["citation_kind"]) for r in rows] == [
        ("中华人民共和国网络安全法", "网络安全法", "law"),
        ("网络安全法", "网络安全法", "law"),
        (
            "河北省国民经济和社会发展第十五个五年规划纲要（草案）",
            "河北省国民经济和社会发展第十五个五年规划纲要",
            "plan",
        ),
        ("纲要（草案）", "河北省国民经济和社会发展第十五个五年规划纲要", "plan"),
        ("繁花", "繁花", "work"),
        ("Baba is You", "babaisyou", "work"),
    ]
    assert [r["normalized_title"] for r in rows][:2] == ["中华人民共和国网络安全法", "网络安全法"]
    for row in rows:
        assert raw[row["char_start"] : row["char_end"]] == row["cited_title"]


def _figure_rows(text: str) -> list[tuple]:
    paragraph = Paragraph(0, text, 0, len(text))
    rows = layer_rows({"doc_id": "0" * 16, "title": None}, [paragraph], text, [])["figures"]
    for row in rows:
        assert text[row["text_start"] : row["text_end"]] == row["figure_text"]
    return [
        (r["amount"], r["unit"], r["unit_text"], r["multiplier"], r["counted"], r["figure_text"])
        for r in rows
    ]


def test_figures_one_unit_vocabulary() -> None:
    """Money is always in 元, the printed multiplier and unit in their own columns; ％ is %."""
    text = "投资2000亿元，经济总量达14.2万亿元。优良率3.5％，增长3.5%。吸纳3万余人，长5千米，补助5千元。"
    assert _figure_rows(text) == [
        (200_000_000_000.0, "元", "亿元", 100_000_000, "投资", "投资2000亿元"),
        (14_200_000_000_000.0, "元", "万亿元", 10**12, "经济总量", "经济总量达14.2万亿元"),
        (3.5, "%", "％", 1, "优良率", "优良率3.5％"),
        (3.5, "%", "%", 1, None, "3.5%"),  # 增长 alone is a word of change, not a thing
        (30_000.0, "人", "万余人", 10_000, "吸纳", "吸纳3万余人"),
        (5.0, "公里", "千米", 1, None, "5千米"),  # an SI unit of its own, not 5000 米
        (5_000.0, "元", "千元", 1_000, "补助", "补助5千元"),
    ]


def test_rates_are_a_unit_per_a_unit() -> None:
    """`801元/月` is 801 元/月, not 801 元; the multiplier scales the numerator (`1.2万元/吨` → 12000 元/吨)."""
    assert _figure_rows(
        "标准从645元/月提高到801元/月，单价1.2万元／吨，时速80公里/小时，浓度35微克/立方米。"
    ) == [
        (645.0, "元/月", "元/月", 1, "标准", "标准从645元/月"),
        (801.0, "元/月", "元/月", 1, None, "801元/月"),
        (12_000.0, "元/吨", "万元／吨", 10_000, "单价", "单价1.2万元／吨"),
        (80.0, "公里/小时", "公里/小时", 1, "时速", "时速80公里/小时"),
        (35.0, "微克/立方米", "微克/立方米", 1, "浓度", "浓度35微克/立方米"),
    ]


def test_figure_text_is_whole_words() -> None:
    """Spans start and end at word boundaries: never inside the previous figure's unit (`亿元增长到…`), never
    after the Latin part of a word (`SCI期刊`), never inside a word holding a function character (`医疗中心`),
    never inside a thousands-separated number (`4,867`) or a noun read as a unit (`20万人口`)."""
    assert _figure_rows("收入从3826.5亿元增长到4398.6亿元。") == [
        (382_650_000_000.0, "元", "亿元", 100_000_000, "收入", "收入从3826.5亿元"),
        (439_860_000_000.0, "元", "亿元", 100_000_000, None, "4398.6亿元"),
    ]
    assert _figure_rows("以第一作者在SCI期刊发表论文2篇。") == [
        (2.0, "篇", "篇", 1, "SCI期刊发表论文", "SCI期刊发表论文2篇"),
    ]
    assert _figure_rows("建成6个省级区域医疗中心，A级物流企业达210家。") == [
        (6.0, "个", "个", 1, "省级区域医疗中心", "6个省级区域医疗中心"),
        (210.0, "家", "家", 1, "A级物流企业", "A级物流企业达210家"),
    ]
    assert _figure_rows("从1940个精简至139个，覆盖4,867个企业和20万人口。") == [
        (1940.0, "个", "个", 1, None, "1940个"),
        (139.0, "个", "个", 1, None, "139个"),  # 精简至 are words of change
        (4867.0, "个", "个", 1, "企业", "4,867个企业"),
        (200_000.0, "人", "万人口", 10_000, None, "20万人口"),
    ]
    assert _figure_rows("发表CCF A类论文5篇，共同完成一部5分钟的短片，先后3次获评特等模范集体。") == [
        (5.0, "篇", "篇", 1, "CCF A类论文", "CCF A类论文5篇"),  # a Latin term of two words
        (5.0, "分钟", "分钟", 1, "共同完成一部", "共同完成一部5分钟"),  # 共 is a leading word, 共同 is not
        (3.0, "次", "次", 1, "先后", "先后3次"),
    ]
    assert _figure_rows("形成10个以上典型案例，61486部队。") == [
        (10.0, "个", "个", 1, "典型案例", "10个以上典型案例"),  # the approximation is in the span only
    ]


NUMBERS = st.builds(
    lambda whole, decimals: f"{whole}.{decimals}" if decimals else str(whole),
    st.integers(0, 999_999),
    st.sampled_from(["", "5", "25", "125"]),
)
MULTIPLIERS = {"": 1, "百": 100, "千": 1000, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7, "亿": 10**8,
               "万亿": 10**12}  # fmt: skip


@given(NUMBERS, st.sampled_from(sorted(MULTIPLIERS)), st.sampled_from(sorted(UNITS)), st.booleans())
def test_amount_is_number_times_multiplier(number: str, multiplier: str, unit: str, wide: bool) -> None:
    """For any printed token: amount = number × multiplier in the unit's base, unit_text as printed; a unit
    that starts with a multiplier's character (千米, 百分点) is read whole, so such pairs are left out."""
    printed = multiplier + (unit.translate(FULL_WIDTH) if wide else unit)
    assume(not any(printed.startswith(u) and u != unit for u in UNITS if len(u) > len(unit) or multiplier))
    value = Fraction(number) * MULTIPLIERS[multiplier]
    rows = _figure_rows(f"，{number}{printed}。")
    if value > MAX_EXACT_AMOUNT:
        assert rows == []
    else:
        assert rows == [(float(value), UNITS[unit], printed, MULTIPLIERS[multiplier], None, number + printed)]


def test_nested_titles_and_other_quotes() -> None:
    text = "会议审议了《关于〈北京市人大代表工作条例〉的决定》，提出「两个结合」和『三个务必』。"
    paragraph = Paragraph(0, text, 0, len(text))
    assert [t for t, _, _ in citations(paragraph)] == ["关于〈北京市人大代表工作条例〉的决定"]
    assert [(t, s) for t, s, _, _ in quoted(paragraph)] == [("两个结合", "「」"), ("三个务必", "『』")]


def test_official_mentions() -> None:
    assert title_byline("平谷区委书记唐海龙:推动人民代表大会制度在平谷形成生动实践") == (
        "平谷区委书记",
        "唐海龙",
    )
    assert [(p, n) for p, n, _, _ in mentions("市委常委会召开会议，市委书记蔡奇主持会议。")] == [
        ("市委书记", "蔡奇")
    ]
    assert list(mentions("区委书记同志们要高度重视")) == []


officials_text = st.lists(
    st.sampled_from(
        ["市委", "书记", "副主任", "主任", "常务副省长", "委员长", "总书记", "张三", "王", "欧阳", "李明", "同志", "主持",
         "表示", "，", "。", " ", "a", "区人大常委会", "们", "检察长", "习近平"]
    ),
    max_size=40,
)  # fmt: skip


@given(officials_text)
def test_official_matches_are_those_of_the_whole_regex(parts: list[str]) -> None:
    """The scan that tries `OFFICIAL` only near a title finds what `OFFICIAL.finditer` finds, in order."""
    from pipeline.layers.officials import OFFICIAL, _official_matches

    text = "".join(parts)
    expected = [(m.span(), m["position"], m["name"]) for m in OFFICIAL.finditer(text)]
    assert [(m.span(), m["position"], m["name"]) for m in _official_matches(text)] == expected


def test_official_mentions_far_from_and_next_to_titles() -> None:
    """A position of 14 characters before the title is the longest; a title right after a match starts anew."""
    long_position = "一二三四五六七八九十一二三四市长"
    text = "前言。" + long_position + "王正谱表示，" + "副市长李明、区长张三主持。"
    assert [(p, n) for p, n, _, _ in mentions(text)] == [
        (long_position, "王正谱"),
        ("副市长", "李明"),
        ("区长", "张三"),
    ]
    assert list(mentions("没有任何职务的一段话。" * 50)) == []


def test_one_position_list_for_credits_bylines_and_officials() -> None:
    """A title the officials layer knows is a position to the credit splitter and the speaker byline too."""
    from pipeline.formats import FORMATS
    from pipeline.layers.officials import is_official_position
    from pipeline.people import split_people

    assert split_people("黔东南州州长 罗强") == [("罗强", "黔东南州州长")]
    assert is_official_position("黔东南州州长")
    assert split_people("新华社记者 王明") == [("王明", "新华社记者")]
    assert not is_official_position("新华社记者")
    speaker = next(r for r in FORMATS["gov_portal_text"].header_rules if r.name == "speaker")
    assert speaker.match("财政部部长 蓝佛安", {}) == {
        "byline_position": "财政部部长",
        "byline_name": "蓝佛安",
    }


snippets = st.lists(
    st.sampled_from(
        [
            "“两个确立”",
            "《某某条例》",
            "建成16个代表之家",
            "区委书记张三表示",
            "。",
            "，",
            "正文",
            "‘四个意识’",
            "337人次",
            "12%",
            "「一府一委两院」",
        ]
    ),
    max_size=12,
)


@given(snippets)
def test_layer_offsets_slice_back(parts: list[str]) -> None:
    text = "".join(parts)
    paragraph = Paragraph(0, text, 5, 5 + len(text))
    raw = "HEAD\n" + text
    rows = layer_rows({"doc_id": "0" * 16, "title": None}, [paragraph], raw, [])
    for row in rows["term_occurrences"] + rows["citations"]:
        value = row.get("term") or row["cited_title"]
        assert text[row["text_start"] : row["text_end"]] == value
        assert raw[row["char_start"] : row["char_end"]] == value
    for row in rows["figures"]:
        assert text[row["text_start"] : row["text_end"]] == row["figure_text"]
    for row in rows["officials"]:
        assert row["name"] in text[row["text_start"] : row["text_end"]]


def test_near_duplicates_cluster_with_earliest_canonical() -> None:
    base = "区人大常委会召开会议，听取和审议关于代表建议办理情况的报告，会议强调要提高办理质量。" * 3
    texts = {
        "b" * 16: base,
        "a" * 16: base + "（转载）",
        "c" * 16: "完全不同的另一篇文章内容，讨论预算审查监督工作。" * 3,
    }
    settings = DuplicateSettings()
    signatures = {doc_id: signature(text, settings) for doc_id, text in texts.items()}
    dates = {"a" * 16: dt.date(2024, 1, 2), "b" * 16: dt.date(2024, 1, 1), "c" * 16: None}
    canonical = clusters(signatures, dates, settings)
    assert canonical == {"a" * 16: "b" * 16, "b" * 16: "b" * 16, "c" * 16: "c" * 16}
    assert clusters(dict(reversed(list(signatures.items()))), dates, settings) == canonical  # order-free


@given(st.text(alphabet="人大常委会召开议审报告，。abé\u0301ÿ𝌆\x00", max_size=200), st.integers(1, 8))
def test_shingle_crc32_is_zlibs_per_shingle(compact: str, size: int) -> None:
    """The numpy CRC-32 of each shingle equals zlib's on its UTF-8 bytes: 1- to 4-byte characters, texts shorter
    than a shingle (one shingle, the whole text) and the empty text."""
    expected = [
        zlib.crc32(compact[i : i + size].encode("utf-8")) for i in range(max(1, len(compact) - size + 1))
    ]
    found = shingle_crc32(compact, size)
    assert found.dtype == np.uint32 and found.tolist() == expected
    for way in (crc32_each, crc32_at_once):  # both ways, whichever the length chose
        assert way(compact, size, len(expected)).tolist() == expected


def test_a_long_body_is_hashed_at_once_and_a_short_one_shingle_by_shingle() -> None:
    short = "人大常委会召开会议" * (PER_SHINGLE_COUNT // 9)
    long = short * 3
    assert len(long) - 4 > PER_SHINGLE_COUNT >= len(short) - 4
    for text in (short, long):
        assert shingle_crc32(text, 5).tolist() == [
            zlib.crc32(text[i : i + 5].encode()) for i in range(len(text) - 4)
        ]


def test_shingle_crc32_values() -> None:
    assert shingle_crc32("", 5).tolist() == [0]
    assert shingle_crc32("abc", 5).tolist() == [0x352441C2]  # crc32(b"abc")
    assert shingle_crc32("人大常委会召开", 5).tolist() == [
        zlib.crc32(word.encode("utf-8")) for word in ("人大常委会", "大常委会召", "常委会召开")
    ]


@given(st.text(alphabet="人大常委会召开议审报告 \n，。ab𝌆", max_size=300))
def test_signature_is_datasketchs_own(text: str) -> None:
    """The numpy signature holds the hash values datasketch's `update_batch` computes from the same shingles."""
    import zlib

    import numpy as np
    from datasketch import MinHash

    settings = DuplicateSettings()
    compact = "".join(text.split())
    shingles = {compact[i : i + 5] for i in range(max(1, len(compact) - 4))}
    expected = MinHash(num_perm=128, seed=1, hashfunc=lambda shingle: zlib.crc32(shingle.encode("utf-8")))
    expected.update_batch(sorted(shingles))
    found = signature(text, settings)
    assert np.array_equal(found.hashvalues, expected.hashvalues)
    assert found.jaccard(expected) == 1.0


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 0), (256, 4_294_967_295)])
def test_permutations_are_datasketchs_own(num_perm: int, seed: int) -> None:
    """Drawn without datasketch, the same permutations its affine32 MinHash draws for the settings."""
    import numpy as np
    from datasketch import MinHash

    from pipeline.layers.duplicates import _permutations

    expected = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    found = _permutations(num_perm, seed)
    assert found.dtype == expected.dtype and np.array_equal(found, expected)


def test_lsh_bands_are_stored_and_a_rebuild_reads_them_without_datasketch(tmp_path: Path) -> None:
    """`duplicate_bands` are datasketch's LSH bands; with a cache folder a second process reads them from it,
    and neither they nor the enrich stage's signatures import datasketch (and SciPy) there."""
    import subprocess
    import sys

    from datasketch import MinHashLSH

    from pipeline.settings import (
        DuplicateParams,
        EnrichSettings,
        ExecutionSettings,
        Settings,
        duplicate_bands,
    )

    settings = Settings(
        execution=ExecutionSettings(cache=tmp_path / "cache"),
        enrich=EnrichSettings(duplicates=DuplicateParams(threshold=0.7, num_perm=64)),
    )
    expected = tuple(MinHashLSH(threshold=0.7, num_perm=64).hashranges)
    assert duplicate_bands(settings) == expected
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pipeline.layers.duplicates import DuplicateSettings, signature_values\n"
        "from pipeline.settings import DuplicateParams, EnrichSettings, ExecutionSettings, Settings, duplicate_bands\n"
        "import pipeline.stages.enrich\n"
        "settings = Settings(execution=ExecutionSettings(cache=Path(sys.argv[1])),\n"
        "    enrich=EnrichSettings(duplicates=DuplicateParams(threshold=0.7, num_perm=64)))\n"
        "print(list(duplicate_bands(settings)))\n"
        "signature_values('人大常委会召开会议', DuplicateSettings())\n"
        "print('datasketch' in sys.modules, 'scipy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "cache")], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == [str([tuple(band) for band in expected]), "False False"]
    empty = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "empty")], capture_output=True, text=True, check=True
    )
    assert empty.stdout.splitlines()[1] == "True True"  # computed: datasketch asked


def test_known_bands_are_datasketchs_own() -> None:
    """Every `KNOWN_BANDS` entry of the installed datasketch and SciPy is what `MinHashLSH` chooses."""
    from importlib import metadata

    from datasketch import MinHashLSH

    from pipeline.settings import KNOWN_BANDS

    installed = (metadata.version("datasketch"), metadata.version("scipy"))
    entries = [(key, bands) for key, bands in KNOWN_BANDS.items() if key[:2] == installed]
    if not entries:
        pytest.skip(f"no known bands for datasketch {installed[0]} and SciPy {installed[1]}")
    for (_, _, threshold, num_perm), bands in entries:
        assert bands == tuple(MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges)


def test_default_bands_need_no_datasketch_without_a_cache() -> None:
    """With the default settings and the locked versions, no cache: the bands without importing datasketch."""
    import subprocess
    import sys

    from pipeline.settings import Settings, _known_bands

    if _known_bands(0.8, 128) is None:
        pytest.skip("no known bands for the installed datasketch and SciPy")
    probe = (
        "import sys\n"
        "from pipeline.settings import Settings, check_duplicate_index, duplicate_bands\n"
        "check_duplicate_index(Settings())\n"
        "print(len(duplicate_bands(Settings())), 'datasketch' in sys.modules, 'scipy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert Settings().execution.cache is None
    assert result.stdout.split() == ["9", "False", "False"]


def test_enrich_in_a_build_marks_reposts_and_duplicates(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(EXAMPLE, raw / "original.txt")
    (raw / "copy.txt").write_bytes(
        EXAMPLE.read_bytes().replace("北京人大 2023-12-23".encode(), "某转载号 2024-01-05".encode())
    )
    text = (FIXTURES / "wechat_html2text" / "sample.md").read_text(encoding="utf-8")
    repost = text.replace(
        "收录于合集",
        "收录于合集\n\n以下文章来源于山河人大 ，作者李四\n\n**山河人大** .\n\n做人民满意的人大\n\n2024-02-03 3 min read",
    )
    (raw / "repost.md").write_text(repost, encoding="utf-8")
    out = tmp_path / "release"
    build(raw, out, Settings())
    documents = {d["source_file"]: d for d in pq.read_table(out / "documents.parquet").to_pylist()}
    original, copy = documents["original.txt"], documents["copy.txt"]
    assert original["dup_cluster"] == copy["dup_cluster"] == original["doc_id"]
    assert (original["is_canonical"], copy["is_canonical"]) == (True, False)
    assert documents["repost.md"]["repost_of"] == "山河人大"
    assert documents["repost.md"]["published_date"] == dt.date(2024, 2, 3)
    assert documents["repost.md"]["authors"] == ["李四"]
    for table in ("terms", "term_occurrences", "citations", "figures", "officials"):
        assert pq.read_metadata(out / f"{table}.parquet").num_rows > 0, table


def _planted_signatures(
    seed: int, num_perm: int = 128
) -> tuple[dict[str, MinHash], dict[str, dt.date | None]]:
    """Documents in families: each family's members copy its first signature with a few hash values changed,
    some a little (one cluster), some a lot (LSH candidates below the threshold), some in every band."""
    rng = np.random.default_rng(seed)
    signatures: dict[str, MinHash] = {}
    dates: dict[str, dt.date | None] = {}
    for family in range(60):
        base = rng.integers(0, 2**32, num_perm, dtype=np.uint64)
        for member in range(int(rng.integers(1, 7))):
            values = base.copy()
            changed = rng.choice(num_perm, int(rng.choice([0, 5, 20, 26, 40, 90])), replace=False)
            values[changed] = rng.integers(0, 2**32, changed.size, dtype=np.uint64)
            doc_id = f"{family:08x}{member:08x}"
            signatures[doc_id] = MinHash(num_perm=num_perm, hashvalues=values, scheme="affine32")
            dates[doc_id] = None if rng.random() < 0.3 else dt.date(2024, 1, 1 + int(rng.integers(0, 3)))
    return signatures, dates


@pytest.mark.parametrize("multiplier", [None, 0])  # 0: a band's key is its last value, so keys collide
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_clusters_are_the_clusters_of_the_held_signatures(
    seed: int, multiplier: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.layers import duplicates

    if multiplier is not None:
        monkeypatch.setattr(duplicates, "_BAND_MULTIPLIER", np.uint64(multiplier))
    monkeypatch.setattr(duplicates, "STORE_CHUNK", 7)  # rows read in several chunks
    settings = DuplicateSettings()
    signatures, dates = _planted_signatures(seed)
    held = clusters(signatures, dates, settings)
    assert len(set(held.values())) < len(held) - 20  # families cluster
    assert len(set(held.values())) > 60  # and some members are too far from their family
    order = list(signatures)
    np.random.default_rng(seed).shuffle(order)  # the store's order is the input order, any
    with duplicates.SignatureStore(settings) as store:
        for doc_id in order:
            store.add(doc_id, dates[doc_id], LeanMinHash(signatures[doc_id]))
        canonical = duplicates.stored_clusters(store)
        assert {store.doc_id(i): store.doc_id(int(canonical[i])) for i in range(store.count)} == held
