"""Exact records for each capture format, on fixtures written for these tests in each format's shape."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import FIXTURES, span

from pipeline.decode import decode_bytes
from pipeline.formats import FORMATS, detect_format
from pipeline.parser import document_fields, parse_text, span_text


def _load(relative: str) -> str:
    return decode_bytes((FIXTURES / relative).read_bytes()).text


def _paragraph(
    text: str,
    index: int,
    section: int,
    body: str,
    kind: str = "body",
    lead: str | None = None,
    raw: str | None = None,
    start: int = 0,
) -> dict:
    begin, end = span(text, raw or body, start)
    return {
        "section_index": section,
        "paragraph_index": index,
        "kind": kind,
        "text": body,
        "lead_sentence": lead,
        "char_start": begin,
        "char_end": end,
    }


def _sections(text: str, headings: list[tuple[str, int, str | None]]) -> list[dict]:
    sections = [{"section_index": 0, "heading": None, "level": 0, "char_start": None, "char_end": None}]
    for index, (heading, level, raw) in enumerate(headings, start=1):
        begin, end = span(text, raw or heading)
        sections.append(
            {"section_index": index, "heading": heading, "level": level, "char_start": begin, "char_end": end}
        )
    return sections


def test_wechatmp2markdown_exact_records() -> None:
    text = _load("wechatmp2markdown/sample.md")
    doc = parse_text(text, detect_format(text))
    assert doc.capture_format == "wechatmp2markdown"
    assert document_fields(doc) == {
        "account": "山河人大",
        "published_date": dt.date(2024, 5, 20),
        "column": "履职动态",
        "title": "市人大常委会开展营商环境条例执法检查",
        "kicker": None,
        "subtitle": None,
        "authors": ["张明", "李红"],
        "author_positions": ["山河市人大常委会办公厅", "山河市人大常委会办公厅"],
        "editors": ["王芳"],
        "source": None,
        "n_sections": 3,
        "n_paragraphs": 6,
        "n_chars": sum(len(p["text"]) for p in doc.paragraphs if p["kind"] in ("body", "list_item")),
    }
    assert document_fields(doc)["n_chars"] == 32 + 41 + 22 + 21 + 5 + 6
    assert doc.header["url"] == "https://mp.weixin.qq.com/s?__biz=TEST&mid=1"
    assert doc.sections == _sections(
        text,
        [
            ("一、检查的基本情况", 1, "**一、检查的基本情况**"),
            ("二、存在的主要问题", 1, "**二、存在的主要问题**"),
        ],
    )
    joined_start = text.index("检查组听取了")
    assert doc.paragraphs == [
        _paragraph(text, 0, 0, "5月中旬，市人大常委会执法检查组赴各区开展营商环境条例执法检查。"),
        {
            "section_index": 1,
            "paragraph_index": 1,
            "kind": "body",
            "text": "检查组听取了市政府及有关部门的汇报，实地查看了12个政务服务中心，召开座谈会6场。",
            "lead_sentence": None,
            "char_start": joined_start,
            "char_end": text.index("6场。") + 3,
        },
        _paragraph(text, 2, 1, "图1 执法检查组在政务服务中心调研", kind="caption"),
        _paragraph(
            text,
            3,
            2,
            "一是政策落实不到位。部分惠企政策知晓率不高。",
            lead="一是政策落实不到位。",
            raw="**一是政策落实不到位。**部分惠企政策知晓率不高。",
        ),
        _paragraph(
            text,
            4,
            2,
            "二是服务效能待提升。个别事项办理时限偏长。",
            lead="二是服务效能待提升。",
            raw="**二是服务效能待提升。**个别事项办理时限偏长。",
        ),
        _paragraph(text, 5, 2, "审批环节多", kind="list_item", raw="- 审批环节多"),
        _paragraph(text, 6, 2, "材料要求重复", kind="list_item", raw="- 材料要求重复"),
    ]
    assert [(c["role"], c["label"], c["value"]) for c in doc.credits] == [
        ("author", "文", "山河市人大常委会办公厅 张明 李红"),
        ("editor", "编辑", "王芳"),
        ("reviewer", "审核", "赵强"),
    ]
    reasons = {d.text.strip(): d.reason for d in doc.dropped}
    assert reasons["**点击蓝字 关注我们**"] == "head:promotion"
    assert reasons["（本文刊登于《山河人大》2024年第3期）"] == "tail:publication_note"
    assert reasons["**欢迎关注山河人大公众号**"] == "tail:promotion"
    for paragraph in doc.paragraphs:
        start, end = paragraph["char_start"], paragraph["char_end"]
        assert span_text(text, start, end, markdown=True, kind=paragraph["kind"]) == paragraph["text"]


def test_wechat_html2text_exact_records() -> None:
    text = _load("wechat_html2text/sample.md")
    doc = parse_text(text, detect_format(text))
    assert doc.capture_format == "wechat_html2text"
    fields = document_fields(doc)
    assert (fields["title"], fields["account"], fields["published_date"], fields["authors"]) == (
        "扎实推进代表建议办理工作",
        "河西人大",
        None,
        ["孙丽"],
    )
    assert doc.sections == _sections(
        text, [("代表建议办理情况", 1, None), ("下一步工作安排", 2, "**下一步工作安排**")]
    )
    soft_wrapped = "截至6月底，全区共收到代表建议128件，已办结\n115件，办结率89.8%。"
    begin, end = span(text, soft_wrapped)
    assert doc.paragraphs == [
        _paragraph(
            text, 0, 0, "今年以来，区人大常委会把代表建议办理作为联系群众的重要抓手，推动解决了一批民生难题。"
        ),
        {
            "section_index": 1,
            "paragraph_index": 1,
            "kind": "body",
            "text": "截至6月底，全区共收到代表建议128件，已办结115件，办结率89.8%。",
            "lead_sentence": None,
            "char_start": begin,
            "char_end": end,
        },
        _paragraph(text, 2, 2, "常委会将继续跟踪督办，确保件件有回音。"),
    ]
    dropped = {d.text.strip(): d.reason for d in doc.dropped}
    assert dropped["功能介绍 河西区人大常委会官方账号"] == "header:intro"
    assert dropped["#代表建议 3 个"] == "chrome"
    assert dropped["**欢迎关注河西人大，了解更多履职动态。**"] == "tail:promotion"
    assert dropped["预览时标签不可点"] == "chrome"


@pytest.mark.parametrize("slot", ["河西人大", "高级威胁研究院", "让数据更安全"])
def test_author_slot_that_is_no_person_gives_no_author(slot: str) -> None:
    text = _load("wechat_html2text/sample.md").replace("原创 孙丽", f"原创 {slot}")
    assert document_fields(parse_text(text, FORMATS["wechat_html2text"]))["authors"] == []


def test_generic_fallback_yields_clean_paragraphs() -> None:
    text = _load("generic/notice.txt")
    doc = parse_text(text, detect_format(text))
    assert doc.capture_format == "generic"
    fields = document_fields(doc)
    assert (fields["title"], fields["published_date"]) == (
        "关于召开全区人大代表座谈会的通知",
        dt.date(2024, 4, 1),
    )
    wrapped = "经研究，定于2024年4月10日召开全区人大代表座谈会，\n现将有关事项通知如下。"
    begin, end = span(text, wrapped)
    assert doc.paragraphs == [
        _paragraph(text, 0, 0, "各街道人大工委："),
        {
            "section_index": 0,
            "paragraph_index": 1,
            "kind": "body",
            "text": "经研究，定于2024年4月10日召开全区人大代表座谈会，现将有关事项通知如下。",
            "lead_sentence": None,
            "char_start": begin,
            "char_end": end,
        },
        _paragraph(text, 2, 0, "请各街道按时组织代表参加。"),
    ]


def test_freewechat_fixture_with_crlf_nbsp_and_zero_width_keeps_offsets() -> None:
    original = (FIXTURES / "freewechat_text" / "sample.txt").read_text(encoding="utf-8")
    noisy = original.replace("\n", "\r\n").replace("完善硬件设施。", "\u200b完善硬件设施。")
    noisy = noisy.replace("覆盖所有街道。", "覆盖所有街道。\u3000\u200b")
    noisy = noisy.replace("代表风采\n".replace("\n", "\r\n"), "\u00a0代表风采\u00a0\r\n", 1)
    clean_doc = parse_text(original, FORMATS["freewechat_text"])
    noisy_doc = parse_text(noisy, FORMATS["freewechat_text"])
    assert [p["text"] for p in noisy_doc.paragraphs] == [p["text"] for p in clean_doc.paragraphs]
    assert document_fields(noisy_doc) == document_fields(clean_doc)
    for paragraph in noisy_doc.paragraphs:
        assert noisy[paragraph["char_start"] : paragraph["char_end"]] == paragraph["text"]


def test_traditional_big5_capture(tmp_path: Path) -> None:
    from pipeline.process import process
    from pipeline.settings import Settings
    from pipeline.stages.ingest import ingest_file

    data = (FIXTURES / "generic" / "traditional_big5.txt").read_bytes()
    (unit,) = ingest_file("traditional_big5.txt", data, Settings())
    assert unit.encoding == "big5"
    bundle = process(unit)
    document = bundle.document
    assert (document.script, document.title, document.title_simplified) == (
        "traditional",
        "立法會財務委員會會議紀要",
        "立法会财务委员会会议纪要",
    )
    assert document.conversion.startswith("opencc ") and document.conversion.endswith(" t2s")
    assert [(p.text, p.text_simplified) for p in bundle.paragraphs] == [
        (
            "委員會今日審議了多項撥款申請，並通過了全部議程。",
            "委员会今日审议了多项拨款申请，并通过了全部议程。",
        ),
        (
            "主席表示，政府應加快推進基建項目，確保工程質量。",
            "主席表示，政府应加快推进基建项目，确保工程质量。",
        ),
    ]
    raw = unit.raw_text
    for paragraph in bundle.paragraphs:
        assert raw[paragraph.char_start : paragraph.char_end] == paragraph.text


def test_simplified_documents_have_no_simplified_copies() -> None:
    from pipeline.process import process
    from pipeline.settings import Settings
    from pipeline.stages.ingest import ingest_file

    (unit,) = ingest_file("a.txt", (FIXTURES / "freewechat_text" / "sample.txt").read_bytes(), Settings())
    bundle = process(unit)
    assert (bundle.document.script, bundle.document.conversion) == ("simplified", None)
    assert {p.text_simplified for p in bundle.paragraphs} == {None}


def test_newspaper_text_with_headline_stack_and_indented_paragraphs() -> None:
    text = _load("generic/paper.txt")
    doc = parse_text(text, detect_format(text))
    fields = document_fields(doc)
    assert (fields["kicker"], fields["title"], fields["subtitle"]) == (
        "全国人大代表张三——",
        "把群众的事当成自己的事（代表风采）",
        "——记某县人大代表张三",
    )
    # one paragraph per indented line, although no blank line separates them
    assert [p["text"] for p in doc.paragraphs] == [
        "张三是一名基层代表。",
        "他常说：“代表要为群众说话。”今年以来，他提出建议5件。",
        "群众称赞他是贴心人。",
    ]


def test_a_speech_on_one_line_splits_at_indents_after_sentence_ends() -> None:
    """A capture that lost its line breaks keeps its paragraphs: an indent after 。！？ is a zero-width break."""
    text = "政府工作报告\n　　各位代表：现在，我代表省人民政府作报告。　　一、过去五年工作回顾。　　五年来，我们坚持稳中求进。"
    doc = parse_text(text, detect_format(text))
    assert [p["text"] for p in doc.paragraphs] == [
        "各位代表：现在，我代表省人民政府作报告。",
        "一、过去五年工作回顾。",
        "五年来，我们坚持稳中求进。",
    ]
    for paragraph in doc.paragraphs:
        assert text[paragraph["char_start"] : paragraph["char_end"]] == paragraph["text"]


def test_bylines_without_colon_bracketed_credits_and_padded_names() -> None:
    text = (
        "# 标题在此\n\n本报记者  李  鹤  李  洋\n\n正文第一段，内容足够长。\n\n正文第二段，内容足够长。\n\n"
        "（责编：汤诗瑶、丁涛）\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [(c["role"], c["label"], c["value"]) for c in doc.credits] == [
        ("reporter", "本报记者", "李 鹤 李 洋"),  # runs of spaces in a value are one space
        ("editor", "责编", "汤诗瑶、丁涛"),
    ]
    fields = document_fields(doc)
    assert fields["authors"] == [
        "李鹤",
        "李洋",
    ]  # a reporter is an author; padded two-character names pair up
    assert fields["editors"] == ["汤诗瑶", "丁涛"]
    assert [p["text"] for p in doc.paragraphs] == ["正文第一段，内容足够长。", "正文第二段，内容足够长。"]


def test_pair_padded_joins_only_even_runs_of_single_characters() -> None:
    from pipeline.people import pair_padded

    assert pair_padded(["李", "鹤", "李", "洋"]) == ["李鹤", "李洋"]
    assert pair_padded(["王小明", "李", "华"]) == ["王小明", "李华"]
    assert pair_padded(["李", "鹤", "洋"]) == ["李", "鹤", "洋"]  # odd: no pairing is safe
    assert pair_padded(["Li", "He"]) == ["Li", "He"]


def test_a_dateline_reporter_is_a_credit_inside_the_kept_paragraph() -> None:
    text = "# 标题在此\n\n新华社巴黎12月9日电（记者唐霁）法国9日再次爆发全国跨行业大罢工。\n\n第二段，说到（记者张三）不是电头。\n"
    doc = parse_text(text, FORMATS["generic"])
    start = text.index("记者唐霁")
    assert doc.credits == [
        {
            "item_index": 0,
            "role": "reporter",
            "label": "记者",
            "value": "唐霁",
            "char_start": start,
            "char_end": start + len("记者唐霁"),
        }
    ]
    assert document_fields(doc)["authors"] == ["唐霁"]
    assert (
        doc.paragraphs[0]["text"] == "新华社巴黎12月9日电（记者唐霁）法国9日再次爆发全国跨行业大罢工。"
    )  # text unchanged


LAW = (
    "# 山河市人民代表大会常务委员会关于加强生态保护的决定\n\n"
    "2020年2月7日 山河市第十五届人民代表大会常务委员会第十八次会议通过\n\n"
    "为了加强生态保护，根据有关法律，结合本市实际，作出如下决定：\n\n"
    "一、总体要求\n\n"
    "各级人民政府应当落实生态保护责任。\n"
)


def test_a_laws_enactment_note_is_header_not_a_heading() -> None:
    doc = parse_text(LAW, FORMATS["generic"])
    assert document_fields(doc)["published_date"] == dt.date(2020, 2, 7)
    assert [s["heading"] for s in doc.sections] == [None, "一、总体要求"]
    assert [p["text"] for p in doc.paragraphs] == [
        "为了加强生态保护，根据有关法律，结合本市实际，作出如下决定：",
        "各级人民政府应当落实生态保护责任。",
    ]
    note = "2020年2月7日 山河市第十五届人民代表大会常务委员会第十八次会议通过"
    assert [(d.reason, d.text) for d in doc.dropped if d.text == note] == [("header:date", note)]


def test_a_dated_sentence_first_in_the_body_stays_text_and_dates_nothing() -> None:
    """A sentence's date is when something happened (the gold gives such captures no publication date)."""
    text = LAW.replace(
        "2020年2月7日 山河市第十五届人民代表大会常务委员会第十八次会议通过",
        "2020年2月7日，山河市人大常委会会议审议了本决定草案。",
    )
    doc = parse_text(text, FORMATS["generic"])
    assert document_fields(doc)["published_date"] is None
    assert doc.paragraphs[0]["text"] == "2020年2月7日，山河市人大常委会会议审议了本决定草案。"


@pytest.mark.parametrize("fmt", ["generic", "html"])
def test_a_date_inside_running_text_is_passed_over_for_a_later_meta_line(fmt: str) -> None:
    text = (
        "# 山河市召开环境保护座谈会\n\n"
        "2019年7月17日上午，山河市人大常委会召开座谈会。会议听取了有关情况的汇报。\n\n"
        "发布时间：2019-07-18\n\n"
        "座谈会上，与会代表围绕大气污染防治提出了意见和建议。\n"
    )
    doc = parse_text(text, FORMATS[fmt])
    assert document_fields(doc)["published_date"] == dt.date(2019, 7, 18)
    assert (
        doc.paragraphs[0]["text"]
        == "2019年7月17日上午，山河市人大常委会召开座谈会。会议听取了有关情况的汇报。"
    )


AMENDED_LAW = (
    "# 山河市人民代表大会常务委员会组织条例\n\n"
    "2001年5月9日 山河市第十一届人民代表大会常务委员会第三次会议通过\n\n"
    "2001年5月9日 山河市人民代表大会常务委员会公告公布施行\n\n"
    "2019年11月20日 山河市第十五届人民代表大会常务委员会第十六次会议修正\n\n"
    "## 第一章 总 则\n\n"
    "第一条 为了规范常务委员会的组织，制定本条例。\n\n"
    "第二条 常务委员会由下列人员组成：\n\n"
    "主任，\n\n"
    "副主任若干人，\n\n"
    "委员若干人。\n"
)


def test_a_run_of_enactment_notes_is_header_and_dates_the_latest_version() -> None:
    doc = parse_text(AMENDED_LAW, FORMATS["generic"])
    assert document_fields(doc)["published_date"] == dt.date(2019, 11, 20)
    notes = [line for line in AMENDED_LAW.splitlines() if line[:1].isdigit()]
    assert len(notes) == 3
    assert [d.text for d in doc.dropped if d.reason == "header:date"] == notes
    # The enumeration items that end with a comma are paragraphs, not headings.
    assert [s["heading"] for s in doc.sections] == ["第一章 总 则"]
    assert [p["text"] for p in doc.paragraphs] == [
        "第一条 为了规范常务委员会的组织，制定本条例。",
        "第二条 常务委员会由下列人员组成：",
        "主任，",
        "副主任若干人，",
        "委员若干人。",
    ]


PAPER = (
    "\n"
    "山河市人大常委会检查水污染防治法实施情况\n"
    "张明强调依法守护一江清水  推动法律全面实施\n"
    "　　本报山河7月4日电　山河市人大常委会执法检查组日前检查水污染防治法实施情况。\n"
    "　　检查组先后来到三个区县，实地检查污水处理厂和入河排污口。\n"
    "　　图为7月3日，检查组在污水处理厂了解设备运行情况。\n"
    "　　本报记者  李  明摄（影像山河）\n"
)


def test_a_newspaper_subtitle_caption_and_photo_credit_are_not_paragraphs() -> None:
    doc = parse_text(PAPER, FORMATS["generic"])
    fields = document_fields(doc)
    assert (fields["title"], fields["subtitle"]) == (
        "山河市人大常委会检查水污染防治法实施情况",
        "张明强调依法守护一江清水 推动法律全面实施",
    )
    assert [(p["kind"], p["text"]) for p in doc.paragraphs] == [
        ("body", "本报山河7月4日电　山河市人大常委会执法检查组日前检查水污染防治法实施情况。"),
        ("body", "检查组先后来到三个区县，实地检查污水处理厂和入河排污口。"),
        ("caption", "图为7月3日，检查组在污水处理厂了解设备运行情况。"),
    ]
    assert [(c["role"], c["label"], c["value"]) for c in doc.credits] == [("photographer", "摄", "李 明")]
    assert [s["heading"] for s in doc.sections] == [None]


def test_a_picture_lead_in_ending_with_a_colon_stays_a_paragraph() -> None:
    text = "# 标题\n\n正文第一段。\n\n下图为此次攻击行动中的分析：\n\n![](a.png)\n\n正文最后一段。\n"
    doc = parse_text(text, FORMATS["generic"])
    assert [p["kind"] for p in doc.paragraphs if p["text"].startswith("下图为")] == ["body"]


BULLETED_NEWS = (
    "# 强化政治引领 深化创新发展\n\n"
    "■ 要坚持以新思想为指导，高质量推进现代化\n\n"
    "■ 高质量推进现代化，是推进中国式现代化的应有之义\n\n"
    "新华社北京7月31日电  中央政治局7月30日下午进行集体学习。\n\n"
    "学习在建军节前夕举行。\n"
)


def test_bullet_summary_points_above_a_dateline_are_header() -> None:
    doc = parse_text(BULLETED_NEWS, FORMATS["generic"])
    assert [p["text"] for p in doc.paragraphs] == [
        "新华社北京7月31日电 中央政治局7月30日下午进行集体学习。",
        "学习在建军节前夕举行。",
    ]
    assert [d.reason for d in doc.dropped if d.text.startswith("■")] == ["head:summary", "head:summary"]
    # Without a dateline after them, bullet lines are the article's own and stay.
    plain = parse_text(BULLETED_NEWS.replace("新华社北京7月31日电  ", ""), FORMATS["generic"])
    assert [d for d in plain.dropped if d.reason == "head:summary"] == []
    assert [s["heading"] for s in plain.sections][-2:] == [
        "■ 要坚持以新思想为指导，高质量推进现代化",
        "■ 高质量推进现代化，是推进中国式现代化的应有之义",
    ]


LETTER_IN_REPORT = (
    "# 传承红色基因 书写优异答卷\n\n"
    "张连生同志：\n\n"
    "您好！来信收悉。向您和全国的老党员致以诚挚问候。\n\n"
    "习近平\n\n"
    "2026年6月17日\n\n"
    "（新华社北京6月18日电）\n\n"
    "新华社北京6月18日电  中共中央总书记习近平日前给老党员张连生回信。\n\n"
    "习近平在回信中表示问候。\n\n"
    "（新华社北京6月18日电）\n"
)


def test_a_signature_block_is_neither_heading_nor_body_wherever_it_stands() -> None:
    doc = parse_text(LETTER_IN_REPORT, FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [None]
    assert [(p["kind"], p["text"]) for p in doc.paragraphs] == [
        ("body", "张连生同志："),
        ("body", "您好！来信收悉。向您和全国的老党员致以诚挚问候。"),
        ("signature", "习近平"),
        ("signature", "2026年6月17日"),
        ("signature", "（新华社北京6月18日电）"),
        ("body", "新华社北京6月18日电 中共中央总书记习近平日前给老党员张连生回信。"),
        ("body", "习近平在回信中表示问候。"),
        ("signature", "（新华社北京6月18日电）"),
    ]
    assert document_fields(doc)["n_paragraphs"] == 4


def test_a_signature_dated_in_chinese_numerals_closes_the_text() -> None:
    text = (
        "# 关于山河区代表建议办理情况的报告\n\n"
        "区人大常委会：\n\n"
        "现将代表建议办理情况报告如下，请予审议。\n\n"
        "山河区人民政府\n\n"
        "二〇一九年一月八日\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [None]
    assert [(p["kind"], p["text"]) for p in doc.paragraphs] == [
        ("body", "区人大常委会："),
        ("body", "现将代表建议办理情况报告如下，请予审议。"),
        ("signature", "山河区人民政府"),
        ("signature", "二〇一九年一月八日"),
    ]
    assert document_fields(doc)["n_paragraphs"] == 2


def test_a_signer_under_the_office_it_signs_for_is_one_signature_block() -> None:
    text = (
        "# 辩护词\n\n"
        "以上意见，恳请合议庭予以采纳。谢谢。\n\n"
        "**本案被告人委托辩护人**\n\n"
        "**李明律师**\n\n"
        "二〇一九年一月八日\n\n"
        "庭审持续了六个小时，合议庭宣布将择期宣判，旁听群众有序离开法庭。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [None]  # the bold office line is no heading
    assert [(p["kind"], p["text"]) for p in doc.paragraphs] == [
        ("body", "以上意见，恳请合议庭予以采纳。谢谢。"),
        ("signature", "本案被告人委托辩护人"),
        ("signature", "李明律师"),
        ("signature", "二〇一九年一月八日"),
        ("body", "庭审持续了六个小时，合议庭宣布将择期宣判，旁听群众有序离开法庭。"),
    ]


def test_a_bold_question_heads_its_answer_and_an_article_about_subscriptions_keeps_its_lead() -> None:
    text = (
        "# 订阅号全新改版上线\n\n"
        "今天，订阅号正式改版上线。\n\n"
        "**Q1.为什么要进行订阅号的改版？**\n\n"
        "A：改版后，用户可直接浏览订阅号群发消息，提升了阅读效率。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [None, "Q1.为什么要进行订阅号的改版？"]
    assert [p["text"] for p in doc.paragraphs] == [
        "今天，订阅号正式改版上线。",
        "A：改版后，用户可直接浏览订阅号群发消息，提升了阅读效率。",
    ]


def test_a_slash_byline_under_the_lead_line_is_a_credit_and_its_column_title_no_author() -> None:
    text = (
        "# 中国知识产权，拿什么服务你？\n\n"
        "技术只是知识产权服务产业的助推器，人才才是产业破局关键。\n\n"
        "文/刘淑洋 亿欧专栏作者\n\n"
        "近日，网上一直在讨论一项修正案。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert document_fields(doc)["authors"] == ["刘淑洋"]
    assert [(c["role"], c["label"], c["value"]) for c in doc.credits] == [
        ("author", "文", "刘淑洋 亿欧专栏作者")
    ]
    assert [s["heading"] for s in doc.sections] == [None]
    assert [p["text"] for p in doc.paragraphs] == [
        "技术只是知识产权服务产业的助推器，人才才是产业破局关键。",
        "近日，网上一直在讨论一项修正案。",
    ]


def test_tail_credits_in_slashes_brackets_and_a_supplied_by_line() -> None:
    text = (
        "# 药剂党支部举办技能大赛\n\n"
        "本站讯（职工通讯员 李琴雯 刘会 整合）为深入推进党建与业务工作，支部举办了大赛。\n\n"
        "此次大赛成绩较去年有了显著提升。\n\n"
        "医技药剂党支部、药剂科供稿  摄影/张艳  编辑/苏芳\n\n"
        "【责任编辑：姚昊】\n\n"
        "发布日期：2019-09-23 14:34:05  所属分类：头条\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [(c["role"], c["label"], c["value"]) for c in doc.credits] == [
        ("contributor", "供稿", "医技药剂党支部、药剂科"),
        ("photographer", "摄影", "张艳"),
        ("editor", "编辑", "苏芳"),
        ("editor", "责任编辑", "姚昊"),
    ]
    fields = document_fields(doc)
    assert fields["editors"] == ["苏芳", "姚昊"]
    assert fields["published_date"] == dt.date(2019, 9, 23)
    assert [p["text"] for p in doc.paragraphs][-1] == "此次大赛成绩较去年有了显著提升。"


@pytest.mark.parametrize(
    "note",
    [
        "（作者为原中央党史研究室副主任）",
        "（原题为《是收割还是回归理性》）",
        "（资料来源：参考消息、海外网等）",
        "(本文来自澎湃新闻)",
    ],
)
def test_a_footer_note_on_author_title_or_source_is_not_the_last_paragraph(note: str) -> None:
    doc = parse_text(f"# 标题\n\n正文第一段。\n\n正文最后一段。\n\n{note}\n", FORMATS["generic"])
    assert [p["text"] for p in doc.paragraphs] == ["正文第一段。", "正文最后一段。"]


def test_a_stray_mark_is_dropped_but_a_full_stop_the_capture_broke_off_stays_with_its_sentence() -> None:
    text = "# 标题\n\n正文第一段，由技术供给方带团队\n揭榜\n。\n\n*\n\n正文最后一段写的是大赛的成绩和今后的打算。\n"
    doc = parse_text(text, FORMATS["generic"])
    assert [p["text"] for p in doc.paragraphs] == [
        "正文第一段，由技术供给方带团队揭榜。",
        "正文最后一段写的是大赛的成绩和今后的打算。",
    ]
    assert [s["heading"] for s in doc.sections] == [None]


def test_a_breadcrumb_item_printed_again_and_a_control_bar_broken_over_lines_are_not_the_article() -> None:
    text = (
        "您的位置:\n首页\n>\n要闻\n要闻\n"
        "2026年政府工作报告\n2026-02-03 09:02:33\n来源：山河日报\n【字体：\n大\n中\n小】\n"
        "各位代表：\n现在，我代表省人民政府，向大会报告工作，请予审议。\n"
    )
    doc = parse_text(text, FORMATS["gov_portal_text"])
    fields = document_fields(doc)
    assert (fields["title"], fields["published_date"], fields["source"]) == (
        "2026年政府工作报告",
        dt.date(2026, 2, 3),
        "山河日报",
    )
    assert [p["text"] for p in doc.paragraphs] == [
        "各位代表：",
        "现在，我代表省人民政府，向大会报告工作，请予审议。",
    ]


def test_a_summary_of_sentences_set_as_a_heading_reads_as_text() -> None:
    summary = "习近平发表重要讲话强调，" + "我们要坚定信心、接续奋斗，结合新的实际不断推进党的建设。" * 3
    doc = parse_text(f"# 标题\n\n## {summary}\n\n正文第一段写的是会议的情况。\n", FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [None]
    assert [p["text"] for p in doc.paragraphs] == [summary, "正文第一段写的是会议的情况。"]


def test_a_reporter_in_brackets_after_the_last_sentence_is_a_credit_inside_it() -> None:
    text = "# 标题在此\n\n第一段正文。\n\n活动将先后在三地举行。（张巨峰）\n"
    doc = parse_text(text, FORMATS["generic"])
    start = text.index("张巨峰")
    assert doc.credits == [
        {
            "item_index": 0,
            "role": "reporter",
            "label": "（）",
            "value": "张巨峰",
            "char_start": start,
            "char_end": start + len("张巨峰"),
        }
    ]
    assert doc.paragraphs[-1]["text"] == "活动将先后在三地举行。（张巨峰）"  # text unchanged


@pytest.mark.parametrize(
    "ending",
    [
        "。（德清县发改局）",  # a contributing office
        "。（未完待续）",  # a note
        "！（史上最全）",  # four characters without 记者: a note more often than a name
        "（张巨峰）",  # not after a sentence end
    ],
)
def test_bracketed_words_that_are_no_reporter_give_no_credit(ending: str) -> None:
    doc = parse_text(f"# 标题在此\n\n第一段正文。\n\n活动将先后在三地举行{ending}\n", FORMATS["generic"])
    assert doc.credits == []


def test_the_title_printed_again_over_several_lines_with_its_passing_note_is_dropped() -> None:
    text = (
        "# 山河市人民代表大会常务委员会关于批准预算调整方案的决议\n\n"
        "山河市人民代表大会常务委员会\n关于批准预算调整方案的决议\n（2024年6月29日山河市第十六届人民代表大会常务委员会第十次会议通过）\n\n"
        "山河市第十六届人民代表大会常务委员会第十次会议审查了市人民政府提出的预算调整方案。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [p["text"] for p in doc.paragraphs] == [
        "山河市第十六届人民代表大会常务委员会第十次会议审查了市人民政府提出的预算调整方案。"
    ]
    assert [d.reason for d in doc.dropped] == ["header:title"] + ["head:title_repeat"] * 3
    fields = document_fields(doc)
    assert fields["title"] == "山河市人民代表大会常务委员会关于批准预算调整方案的决议"
    assert fields["published_date"] == dt.date(2024, 6, 29)  # the passing note still dates it


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("但她确实还蛮像杨幂的，是长得像的像！（突然开始正经的分析）", False),  # a sentence, then an aside
        ("又是美好的周末，又是可爱的羊和你们相见~", False),  # chat
        ("“奋斗！”的青春最美丽", True),  # quoted speech inside a heading
        ("代表履职的新平台", True),
    ],
)
def test_a_short_plain_line_holding_a_finished_sentence_is_text_not_a_heading(
    line: str, heading: bool
) -> None:
    text = f"# 标题在此\n\n{line}\n\n第一段正文写的是会议的情况。\n\n第二段正文写的是代表的建议。\n"
    doc = parse_text(text, FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [line if heading else None]
    body = ["第一段正文写的是会议的情况。", "第二段正文写的是代表的建议。"]
    assert [p["text"] for p in doc.paragraphs] == (body if heading else [line, *body])


def test_plain_short_lines_one_after_another_are_a_list_not_headings() -> None:
    text = (
        "# 关于拟表彰对象的公示\n\n"
        "现将有关拟表彰对象情况予以公示，如有异议，请于公示期内反映。\n\n"
        "电话：010—12380\n\n网站：12380举报网站\n\n邮政编码：100815\n\n"
        "公示期间，请如实反映拟表彰对象的有关情况。\n\n"
        "山河的变迁\n\n出行方式开始改变\n\n"
        "拉林铁路开通运营至今，动车出行已成为当地许多居民的日常出行方式。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    # three lines in a row: a contact block; two: a heading over its subheading
    assert [(s["heading"], s["level"]) for s in doc.sections] == [
        (None, 0),
        ("山河的变迁", 1),
        ("出行方式开始改变", 1),
    ]
    assert [(p["section_index"], p["text"]) for p in doc.paragraphs] == [
        (0, "现将有关拟表彰对象情况予以公示，如有异议，请于公示期内反映。"),
        (0, "电话：010—12380"),
        (0, "网站：12380举报网站"),
        (0, "邮政编码：100815"),
        (0, "公示期间，请如实反映拟表彰对象的有关情况。"),
        (2, "拉林铁路开通运营至今，动车出行已成为当地许多居民的日常出行方式。"),
    ]


def test_numbered_lines_in_a_row_with_no_text_between_are_items_not_headings() -> None:
    text = (
        "# 会晤成果文件清单\n\n"
        "一、请两国元首见证签署的合作文件\n\n"
        "（一）《城市发展领域合作的谅解备忘录》\n\n（二）《跨境铁路二线的协定》\n\n（三）《海关干部教育培训合作的谅解备忘录》\n\n"
        "二、双方共同发表的文件\n\n"
        "双方发表了关于倡导世界多极化的联合声明，全文另行刊发。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [(s["heading"], s["level"]) for s in doc.sections] == [
        ("一、请两国元首见证签署的合作文件", 1),
        ("二、双方共同发表的文件", 1),
    ]
    assert [(p["section_index"], p["text"]) for p in doc.paragraphs] == [
        (0, "（一）《城市发展领域合作的谅解备忘录》"),
        (0, "（二）《跨境铁路二线的协定》"),
        (0, "（三）《海关干部教育培训合作的谅解备忘录》"),
        (1, "双方发表了关于倡导世界多极化的联合声明，全文另行刊发。"),
    ]


def test_text_set_one_character_per_line_is_one_paragraph() -> None:
    spelled = "本  \n周  \n评  \n价  \n级  \n别  \n为中  \n。  \n"
    text = f"# 漏洞周报\n\n{spelled}\n国家信息安全漏洞共享平台本周共收集、整理信息安全漏洞315个。\n"
    doc = parse_text(text, FORMATS["wechatmp2markdown"])
    assert [p["text"] for p in doc.paragraphs] == [
        "本周评价级别为中。",
        "国家信息安全漏洞共享平台本周共收集、整理信息安全漏洞315个。",
    ]


def test_a_notice_broken_over_lines_at_the_top_is_dropped_whole() -> None:
    text = (
        "# 平台安全通报\n\n"
        "**声明：**\n"
        "本公众号文章仅供学习，如因此产生的一切不良后果与文章作者和本  \n"
        "公众号无关。  \n\n"
        "近日，研究人员发现一个新的远控平台，支持多平台架构。\n"
    )
    doc = parse_text(text, FORMATS["wechat_html2text"])
    assert [p["text"] for p in doc.paragraphs] == ["近日，研究人员发现一个新的远控平台，支持多平台架构。"]
    assert [(d.reason, d.text) for d in doc.dropped if d.reason == "head:promotion"] == [
        ("head:promotion", "本公众号文章仅供学习，如因此产生的一切不良后果与文章作者和本"),
        ("head:promotion", "公众号无关。"),
    ]


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("转自 Sp4ce's Blog！", ("source", "转自", "Sp4ce's Blog")),
        ("来源　新华社", ("source", "来源", "新华社")),
    ],
)
def test_a_source_named_after_a_space_is_a_credit(line: str, credit: tuple[str, str, str]) -> None:
    text = f"# 标题在此\n\n第一段正文写的是会议的情况。\n\n第二段正文写的是代表的建议。\n\n{line}\n"
    doc = parse_text(text, FORMATS["generic"])
    assert [(c["role"], c["label"], c["value"]) for c in doc.credits] == [credit]
    assert [p["text"] for p in doc.paragraphs] == [
        "第一段正文写的是会议的情况。",
        "第二段正文写的是代表的建议。",
    ]


def test_a_header_bar_is_read_as_one_meta_line_before_any_single_credit() -> None:
    """A bar of labelled fields with a date label glued to a value (`作者：X时间：…`) and a counter gives each
    field its own value, not one credit running to the end of the line."""
    text = (
        "# 山河医院举办药学技能大赛\n\n"
        "来源：本站原创  作者：药剂党支部时间：2019年10月31日 23:00  浏览： 33\n\n"
        "本站讯 10月30日，山河医院举办了药学理论知识与专业技能大赛。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    fields = document_fields(doc)
    assert (fields["authors"], fields["source"], fields["published_date"]) == (
        ["药剂党支部"],
        "本站原创",
        dt.date(2019, 10, 31),
    )
    assert [p["text"] for p in doc.paragraphs] == [
        "本站讯 10月30日，山河医院举办了药学理论知识与专业技能大赛。"
    ]


QUOTE_ONE = "坚持把人民群众的小事当作自己的大事，从群众关心的事情做起，用心用情解决好群众急难愁盼的实际问题"
QUOTE_TWO = (
    "代表履职要在深入调查研究上下功夫，在反映群众呼声上见实效，在推动工作落实上求突破，在联系群众上常用力"
)
PULL_QUOTED = (
    "\n把群众的事当成自己的事（人民观点）\n"
    f"　　{QUOTE_ONE}\n"
    f"　　{QUOTE_TWO}\n"
    "　　\n"
    f"　　人大代表来自人民。{QUOTE_ONE}，是代表的本分。\n"
    f"　　实践表明，{QUOTE_TWO}。\n"
)


def test_pull_quotes_under_the_headline_are_header_not_paragraphs() -> None:
    doc = parse_text(PULL_QUOTED, detect_format(PULL_QUOTED))
    assert document_fields(doc)["title"] == "把群众的事当成自己的事（人民观点）"
    assert [p["text"] for p in doc.paragraphs] == [
        f"人大代表来自人民。{QUOTE_ONE}，是代表的本分。",
        f"实践表明，{QUOTE_TWO}。",
    ]
    assert [s["heading"] for s in doc.sections] == [None]
    assert [(d.reason, d.text) for d in doc.dropped if d.reason == "head:summary"] == [
        ("head:summary", QUOTE_ONE),
        ("head:summary", QUOTE_TWO),
    ]


@pytest.mark.parametrize(
    "opening",
    [
        QUOTE_ONE + "：",  # leads into what follows
        "人民群众的期盼就是代表履职的方向，代表们走村入户倾听民声汇聚民智回应民需，一年到头从不曾停歇",  # once
    ],
)
def test_an_opening_line_without_a_sentence_end_is_text_unless_the_text_repeats_it(opening: str) -> None:
    text = PULL_QUOTED.replace(f"　　{QUOTE_ONE}\n　　{QUOTE_TWO}\n", f"　　{opening}\n")
    doc = parse_text(text, detect_format(text))
    assert doc.paragraphs[0]["text"] == opening
    assert len(doc.paragraphs) == 3


def test_a_dash_line_under_text_attributes_it_and_under_a_heading_is_the_headings_byline() -> None:
    text = (
        "# 家风诗词里的父爱\n\n"
        "每当诵读那些关于父亲的古诗词，许多人的心中都会涌起一种深沉而又温暖的情感。\n\n"
        "**从来没有一种爱，比父亲的爱更深沉。**\n\n"
        "**——（奥地利）西格蒙德·弗洛伊德**\n\n"
        "父亲节到了，让我们一起读诗，感受诗中那一份深沉的父爱。\n\n"
        "**《冬夜读书示子聿》**\n\n"
        "**——（宋）陆游**\n\n"
        "古人学问无遗力，少壮工夫老始成。\n\n"
        "—END—\n\n"
        "诗词是中华优秀传统文化的瑰宝，蕴含着深厚的家国情怀。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [None, "《冬夜读书示子聿》", "——（宋）陆游"]
    assert [p["text"] for p in doc.paragraphs] == [
        "每当诵读那些关于父亲的古诗词，许多人的心中都会涌起一种深沉而又温暖的情感。",
        "从来没有一种爱，比父亲的爱更深沉。",
        "——（奥地利）西格蒙德·弗洛伊德",
        "父亲节到了，让我们一起读诗，感受诗中那一份深沉的父爱。",
        "古人学问无遗力，少壮工夫老始成。",
        "诗词是中华优秀传统文化的瑰宝，蕴含着深厚的家国情怀。",
    ]
    assert [d.text for d in doc.dropped if d.reason == "body:end_mark"] == ["—END—"]


@pytest.mark.parametrize("mark", ["—END—", "---End---", "- THE END -", "（完）", "END"])
def test_end_marks(mark: str) -> None:
    from pipeline import rules

    assert rules.END_MARK.fullmatch(mark)


@pytest.mark.parametrize("line", ["ENDGAME", "完成任务", "—— 编者"])
def test_not_end_marks(line: str) -> None:
    from pipeline import rules

    assert not rules.END_MARK.fullmatch(line)


@pytest.mark.parametrize("fmt", ["generic", "wechat_html2text"])
def test_a_bold_line_that_goes_on_a_sentence_left_at_a_comma_is_emphasis_inside_the_paragraph(
    fmt: str,
) -> None:
    text = (
        "# 一次渗透测试的记录\n\n"
        "这是在外网的另一个入口，普通用户都可以注册账号。于是我萌生了一个想法，\n"
        "**容器的网络隔离会不会有问题呢？**\n"
        "于是我挨个部署各种容器，均没有安全问题。\n\n"
        "**测试结论**\n\n"
        "平台应当加强容器之间的网络隔离。\n"
    )
    doc = parse_text(text, FORMATS[fmt])
    assert [s["heading"] for s in doc.sections] == [None, "测试结论"]
    assert [p["text"] for p in doc.paragraphs] == [
        "这是在外网的另一个入口，普通用户都可以注册账号。于是我萌生了一个想法，容器的网络隔离会不会有问题呢？"
        "于是我挨个部署各种容器，均没有安全问题。",
        "平台应当加强容器之间的网络隔离。",
    ]


def test_a_numbered_line_above_a_picture_heads_it_and_a_plain_one_is_its_caption() -> None:
    text = (
        "# 六大行高管团队一览\n\n"
        "据统计，整理了六大行目前高管与其他重要人员情况，具体如下：\n\n"
        "## 一、工行\n\n"
        "1、工行高管团队及其他重要人员\n\n"
        "![](https://mmbiz.qpic.cn/a.png)\n\n"
        "2、2020年工行高管及重要人员变动\n\n"
        "![](https://mmbiz.qpic.cn/b.png)\n\n"
        "工行总部大楼外景\n\n"
        "![](https://mmbiz.qpic.cn/c.png)\n\n"
        "工行高管团队保持稳定，人员变动有序推进。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [
        None,
        "一、工行",
        "1、工行高管团队及其他重要人员",
        "2、2020年工行高管及重要人员变动",  # `2、2020` is item 2, not a decimal
    ]
    assert [(p["kind"], p["text"]) for p in doc.paragraphs] == [
        ("body", "据统计，整理了六大行目前高管与其他重要人员情况，具体如下："),
        ("caption", "工行总部大楼外景"),
        ("body", "工行高管团队保持稳定，人员变动有序推进。"),
    ]


@pytest.mark.parametrize(
    ("line", "style"),
    [("2、2020年工行高管变动", "num_enum"), ("3.打开文件管理", "num_enum"), ("2.5亿元资金已经到位", "bare")],
)
def test_arabic_numbering_is_not_a_decimal(line: str, style: str) -> None:
    """`2.5亿…` is a short line (bare), never item 2."""
    from pipeline import rules

    assert rules.heading_style(line) == style


def test_a_short_line_with_a_full_stop_inside_is_prose_even_with_a_promotion_word() -> None:
    text = (
        "# 六大行高管团队一览\n\n"
        "据统计，整理了六大行的情况。详情如下：\n\n"
        "工行高管团队保持稳定，人员变动有序推进。\n\n"
        "欢迎转发分享\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [p["text"] for p in doc.paragraphs] == [
        "据统计，整理了六大行的情况。详情如下：",
        "工行高管团队保持稳定，人员变动有序推进。",
    ]
    assert [(d.reason, d.text) for d in doc.dropped if d.text == "欢迎转发分享"] == [
        ("tail:promotion", "欢迎转发分享")
    ]


def test_a_bare_number_over_a_heading_numbers_the_chapter_and_elsewhere_is_text() -> None:
    text = (
        "# 代表履职的三个故事\n\n"
        "今年以来，区人大代表走进社区、企业和田间地头，倾听群众呼声，推动解决了一批实际问题。\n\n"
        "**01**\n\n"
        "**一条路的变化**\n\n"
        "城西的这条小路，过去一下雨就泥泞不堪，代表们多次调研后提出建议，如今道路已经完成硬化。\n\n"
        "02\n\n"
        "**一所学校的新操场**\n\n"
        "学校的操场年久失修，代表们联系有关部门，暑假期间完成了改造，孩子们有了新的塑胶跑道。\n\n"
        "1、\n\n"
        "**一个项目的落地**\n\n"
        "在代表的推动下，社区养老服务中心顺利建成，为周边老人提供助餐和日间照料服务。\n\n"
        "3\n\n"
        "这是今年代表们提出的第三批建议，涉及交通、教育和养老等方面。\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [
        None,
        "01",
        "一条路的变化",
        "02",
        "一所学校的新操场",
        "一个项目的落地",  # `1、` is a list item's number split from its text, not a chapter's
    ]
    assert [p["text"] for p in doc.paragraphs] == [
        "今年以来，区人大代表走进社区、企业和田间地头，倾听群众呼声，推动解决了一批实际问题。",
        "城西的这条小路，过去一下雨就泥泞不堪，代表们多次调研后提出建议，如今道路已经完成硬化。",
        "学校的操场年久失修，代表们联系有关部门，暑假期间完成了改造，孩子们有了新的塑胶跑道。",
        "1、",
        "在代表的推动下，社区养老服务中心顺利建成，为周边老人提供助餐和日间照料服务。",
        "3",  # over text, not a heading
        "这是今年代表们提出的第三批建议，涉及交通、教育和养老等方面。",
    ]


def test_a_list_of_linked_articles_inside_the_body_is_dropped_and_what_follows_it_is_read() -> None:
    text = (
        "# 区人大常委会开展执法检查\n\n"
        "区人大常委会执法检查组近日深入企业和社区，检查大气污染防治法的贯彻实施情况。\n\n"
        "检查组要求有关部门认真梳理问题清单，限期整改，并及时报告整改情况。\n\n"
        "**推荐阅读**\n\n"
        "[区人大常委会召开第十次会议](http://mp.weixin.qq.com/s?__biz=A&mid=1)\n\n"
        "[代表视察重点项目建设情况](http://mp.weixin.qq.com/s?__biz=A&mid=2)\n\n"
        "**原文链接**\n\n"
        "http://www.example.gov.cn/news/2024/0312.html\n\n"
        "推荐阅读：\n\n"
        "[常委会听取和审议了区政府关于大气污染防治工作情况的报告。](http://mp.weixin.qq.com/s?__biz=A&mid=3)\n\n"
        "检查组还将对整改情况开展跟踪监督，确保问题整改到位。\n"
    )
    doc = parse_text(text, FORMATS["wechatmp2markdown"])
    assert [d.text for d in doc.dropped if d.reason == "body:link_list"] == [
        "**推荐阅读**",
        "[区人大常委会召开第十次会议](http://mp.weixin.qq.com/s?__biz=A&mid=1)",
        "[代表视察重点项目建设情况](http://mp.weixin.qq.com/s?__biz=A&mid=2)",
    ]
    assert [s["heading"] for s in doc.sections] == [None, "原文链接"]
    assert [p["text"] for p in doc.paragraphs] == [
        "区人大常委会执法检查组近日深入企业和社区，检查大气污染防治法的贯彻实施情况。",
        "检查组要求有关部门认真梳理问题清单，限期整改，并及时报告整改情况。",
        "http://www.example.gov.cn/news/2024/0312.html",
        "推荐阅读：",  # one link is no list: left as it stands
        "常委会听取和审议了区政府关于大气污染防治工作情况的报告。",
        "检查组还将对整改情况开展跟踪监督，确保问题整改到位。",
    ]


def test_a_sentence_the_converter_broke_after_inline_bold_is_one_paragraph() -> None:
    text = (
        "# 应急响应平台的数据源\n\n"
        "平台至少需要接入网络会话元数据，可以使用 **Zeek**  \n"
        "或 **Corelight**  \n"
        "等工具采集，它们能提供比防火墙日志丰富得多的上下文。  \n\n"
        "**数据源清单**  \n"
        "清单按重要程度排列，每季度更新一次。  \n"
        "采集范围包括 **终端日志**  \n"
        "。\n\n"
        "需要注意的是，**日志要集中保存。**  \n"
        "保存期限不少于六个月。\n"
    )
    doc = parse_text(text, FORMATS["wechatmp2markdown"])
    assert [s["heading"] for s in doc.sections] == [None, "数据源清单"]
    assert [p["text"] for p in doc.paragraphs] == [
        "平台至少需要接入网络会话元数据，可以使用 Zeek或 Corelight等工具采集，它们能提供比防火墙日志丰富得多的上下文。",
        "清单按重要程度排列，每季度更新一次。",
        "采集范围包括 终端日志。",
        "需要注意的是，日志要集中保存。",  # the sentence ends in the bold run: the next line is a paragraph
        "保存期限不少于六个月。",
    ]


def test_a_bold_one_word_label_heads_the_text_under_it_and_a_longer_one_is_a_salutation() -> None:
    text = (
        "# 家风诗词里的父爱\n\n"
        "今年的6月16日是父亲节，我们一起读几首关于父亲的古诗词。\n\n"
        "**合议庭的各位成员：**\n\n"
        "每当诵读那些关于父亲的古诗词，许多人的心中都会涌起一种深沉而又温暖的情感。\n\n"
        "**点评：**\n\n"
        "这首诗流传千古，它以思想性与哲理性取胜，强调直接经验、间接经验的重要性。\n\n"
        "**注：**\n"
    )
    doc = parse_text(text, FORMATS["generic"])
    assert [s["heading"] for s in doc.sections] == [None, "点评："]
    assert [p["text"] for p in doc.paragraphs] == [
        "今年的6月16日是父亲节，我们一起读几首关于父亲的古诗词。",
        "合议庭的各位成员：",
        "每当诵读那些关于父亲的古诗词，许多人的心中都会涌起一种深沉而又温暖的情感。",
        "这首诗流传千古，它以思想性与哲理性取胜，强调直接经验、间接经验的重要性。",
    ]


def test_a_plain_line_named_like_sibling_headings_is_one_more_heading() -> None:
    picture = "![](https://mmbiz.qpic.cn/table{n}/640)"
    text = (
        "# 六大行高管团队一览\n\n"
        "据统计，整理了六大行目前高管与其他重要人员情况，详情如下：\n\n"
        "**一、工行**\n\n"
        "1、工行高管团队及其他重要人员\n\n" + picture.format(n=1) + "\n\n"
        "2、2020年工行高管及重要人员变动\n\n" + picture.format(n=2) + "\n\n"
        "**二、建行**\n\n"
        "1、建行高管团队及其他重要人员\n\n" + picture.format(n=3) + "\n\n"
        "建行总部大楼\n\n" + picture.format(n=4) + "\n\n"
        "**三、邮储银行**\n\n"
        "邮储银行高管团队及其他重要人员：一正六副\n\n" + picture.format(n=5) + "\n"
    )
    doc = parse_text(text, FORMATS["wechatmp2markdown"])
    assert [(s["heading"], s["level"]) for s in doc.sections] == [
        (None, 0),
        ("一、工行", 1),
        ("1、工行高管团队及其他重要人员", 2),
        ("2、2020年工行高管及重要人员变动", 2),
        ("二、建行", 1),
        ("1、建行高管团队及其他重要人员", 2),
        ("三、邮储银行", 1),
        ("邮储银行高管团队及其他重要人员：一正六副", 2),  # unnumbered, named like its siblings
    ]
    assert [(p["kind"], p["text"], p["section_index"]) for p in doc.paragraphs] == [
        ("body", "据统计，整理了六大行目前高管与其他重要人员情况，详情如下：", 0),
        (
            "caption",
            "建行总部大楼",
            5,
        ),  # a plain line above a picture, named like no heading: the picture's label
    ]


@pytest.mark.parametrize(
    ("line", "heading", "alike"),
    [
        ("邮储银行高管团队及其他重要人员：一正六副", "1、工行高管团队及其他重要人员", True),
        ("2020年邮储银行人员变动", "（二）2020年工行人员变动", True),
        ("自定义操作中的 GUI 滥用", "自定义操作", False),  # it opens with the heading's words, and goes on
        (
            "工行高管团队及其他重要人员",
            "1、工行高管团队及其他重要人员",
            False,
        ),  # the same words: not a sibling
        ("管团队", "1、工行高管团队", False),  # fewer than four characters shared
    ],
)
def test_named_alike_needs_a_long_shared_frame(line: str, heading: str, alike: bool) -> None:
    from pipeline import rules

    assert rules.named_alike(line, heading) is alike


@pytest.mark.parametrize(
    ("ending", "authors", "positions"),
    [
        ("李四委托辩护人\n\n王明律师\n\n二〇一九年一月八日\n", ["王明"], ["律师"]),
        ("王明\n\n二〇一九年一月八日\n", [], []),  # a name alone may sign for an office: not taken
        ("山河区人民政府\n\n2019年1月8日\n", [], []),  # an office
        # a statement quoted inside a report: its signer did not write the report
        ("王明律师\n\n二〇一九年一月八日\n\n法庭将择期宣判，本报将继续关注。\n", [], []),
    ],
)
def test_a_person_signing_with_a_profession_at_the_end_is_the_author(
    ending: str, authors: list[str], positions: list[str]
) -> None:
    text = (
        "# 一份辩护词\n\n"
        "审判长、审判员：\n\n"
        "受被告人家属委托，我们担任被告人的辩护人。现发表如下辩护意见，供合议庭参考。\n\n"
        "以上意见，恳请予以采纳。谢谢。\n\n" + ending
    )
    fields = document_fields(parse_text(text, FORMATS["generic"]))
    assert (fields["authors"], fields["author_positions"]) == (authors, positions)


def test_two_headings_with_the_same_words_are_two_siblings() -> None:
    """Chapters often repeat a subheading word for word: each one counts as a sibling (one alone would not make
    the line a heading)."""
    text = (
        "# 两家银行的高管\n\n"
        "据统计，整理了两家银行的情况，详情如下：\n\n"
        "**一、上半年**\n\n"
        "1、工商银行高管团队\n\n"
        "工行的高管团队保持稳定，人员变动有序推进。\n\n"
        "**二、下半年**\n\n"
        "1、工商银行高管团队\n\n"
        "工行下半年新增一名副行长，分管个人金融业务。\n\n"
        "邮储银行高管团队\n\n"  # above a picture: a heading only as the sibling of both
        "![](https://mmbiz.qpic.cn/team/640)\n\n"
        "邮储银行的高管团队人数最多，分工也最细。\n"
    )
    doc = parse_text(text, FORMATS["wechatmp2markdown"])
    assert [(s["heading"], s["level"]) for s in doc.sections] == [
        (None, 0),
        ("一、上半年", 1),
        ("1、工商银行高管团队", 2),
        ("二、下半年", 1),
        ("1、工商银行高管团队", 2),
        ("邮储银行高管团队", 2),
    ]
