"""HTML pages and RSS feeds: read with lxml, rendered as paragraphs, metadata from the page; exact records."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from conftest import FIXTURES

from pipeline.html import read_page, render, split_page_title
from pipeline.models import DocumentBundle, RawUnit, Reject
from pipeline.process import process
from pipeline.settings import Settings
from pipeline.stages.ingest import ingest_file

HEADER = (
    "title",
    "kicker",
    "subtitle",
    "column",
    "account",
    "published_date",
    "url",
    "capture_format",
    "container",
)


def _bundles(path: Path) -> list[DocumentBundle | Reject]:
    return [
        process(unit) if isinstance(unit, RawUnit) else unit
        for unit in ingest_file(path.name, path.read_bytes(), Settings())
    ]


def _page_bundle(name: str, markup: str) -> DocumentBundle:
    """The one document a page saved under `name` becomes."""
    (unit,) = ingest_file(name, markup.encode("utf-8"), Settings())
    assert isinstance(unit, RawUnit)
    bundle = process(unit)
    assert isinstance(bundle, DocumentBundle)
    return bundle


def _summary(bundle: DocumentBundle) -> tuple[dict, list[tuple[str, str]], list[str | None]]:
    document = bundle.document
    return (
        {key: getattr(document, key) for key in HEADER},
        [(p.kind, p.text) for p in bundle.paragraphs],
        [s.heading for s in bundle.sections],
    )


def test_saved_wechat_page_reads_body_headings_table_and_script_metadata() -> None:
    (bundle,) = _bundles(FIXTURES / "html" / "wechat_page.html")
    header, paragraphs, headings = _summary(bundle)
    assert header == {
        "title": "区人大常委会开展代表视察活动",
        "kicker": None,
        "subtitle": None,
        "column": None,
        "account": "山河区人大",  # `var nickname`
        "published_date": dt.date(2024, 3, 12),  # `var ct` (Unix seconds) on the calendar of Beijing time
        "url": "http://mp.weixin.qq.com/s?__biz=MzA&mid=1",  # og:url, entity decoded
        "capture_format": "html",
        "container": None,
    }
    assert paragraphs == [
        ("body", "3月12日，区人大常委会组织部分市、区人大代表视察重点项目建设情况。"),
        ("body", "代表们先后来到科技园区和城市更新项目现场，听取情况介绍。大家认为，项目推进有力。"),
        ("table", "项目\t进度\n科技园区\t80%"),  # rows by newline, cells by tab; no markup
        ("body", "代表们建议，进一步加强要素保障。"),
    ]
    assert headings == [
        "一、视察基本情况",
        "二、代表意见建议",
    ]  # bold paragraphs; the style and script are gone


def test_portal_page_takes_the_article_element_not_navigation_or_footer() -> None:
    (bundle,) = _bundles(FIXTURES / "html" / "portal_page.htm")
    header, paragraphs, headings = _summary(bundle)
    assert header["title"] == "市政府召开常务会议"
    assert header["account"] == "山河市人民政府"
    assert header["published_date"] == dt.date(2024, 5, 6)
    assert paragraphs == [
        ("body", "5月6日，市长主持召开市政府常务会议，研究部署近期重点工作。"),
        ("body", "会议指出，要坚持稳中求进工作总基调，统筹推进各项工作。"),
        ("body", "会议还研究了其他事项。"),
    ]
    assert headings == [None]


def test_feed_items_are_rows_with_kicker_column_and_beijing_date() -> None:
    bundle, empty = _bundles(FIXTURES / "containers" / "feed.xml")
    header, paragraphs, _ = _summary(bundle)
    assert header == {
        "title": "全面推进乡村振兴",
        "kicker": "引题在此",
        "subtitle": None,
        "column": "01版：要闻",  # from the item title `[01版：要闻] …`
        "account": "山河日报",  # the channel's title up to its tagline (`山河日报 - 全文订阅`)
        "published_date": dt.date(2026, 4, 28),  # 23:15 UTC on the 27th is the 28th in Beijing
        "url": "https://paper.example/content/1.html",
        "capture_format": "html",
        "container": "feed",
    }
    assert paragraphs == [("body", "乡村振兴是一项长期任务。"), ("body", "各地要因地制宜，久久为功。")]
    assert bundle.document.source_row == 0
    assert (type(empty), empty.source_row, empty.reason_code) == (Reject, 1, "empty_row")


def test_rendered_text_is_the_raw_text_offsets_point_into() -> None:
    (bundle,) = _bundles(FIXTURES / "html" / "portal_page.htm")
    raw = bundle.raw_texts[0].raw_text
    assert "<" not in raw and "首页" not in raw and "ICP" not in raw
    for paragraph in bundle.paragraphs:
        assert raw[paragraph.char_start : paragraph.char_end] == paragraph.text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>一</p><p>二<br>三</p>", "一\n\n二\n三"),
        ("<div>前言<p>段落</p>后记</div>", "前言\n\n段落\n\n后记"),
        ("<ul><li>甲</li><li><b>乙</b></li></ul>", "- 甲\n\n- **乙**"),
        # an item whose text sits in a <p> is still an item; its second paragraph continues it unmarked
        ("<ul><li><p>甲</p></li><li><p><span>乙</span></p><p>续</p></li></ul>", "- 甲\n\n- 乙\n\n续"),
        ("<ol><li><h3>标</h3><p>文</p></li></ol>", "### 标\n\n- 文"),
        # white text with no background anywhere is not seen; on a coloured box it is
        ('<p>正文<span style="font-size:12px;color: rgb(255, 255, 255);">贸唇械叫</span></p>', "正文"),
        ('<p style="color:#FFF">隐藏</p><p>正文</p>', "正文"),
        ('<section style="background-color:#c00"><p style="color:white">红底白字</p></section>', "红底白字"),
        ('<p style="color: #ffffff80">半透明</p>', "半透明"),
        ("<h1><p>被移出的标题</p></h1>\n<p>正文。</p>", "# 被移出的标题\n\n正文。"),
        ("<h2></h2>\n<p>正文。</p>", "正文。"),
        ("<p>a<script>x()</script>b<!-- c --></p><style>p{}</style>", "ab"),
        ("", ""),
    ],
)
def test_render(markup: str, text: str) -> None:
    assert render(markup) == text


def test_page_without_article_text_is_a_reject() -> None:
    units = list(ingest_file("empty.html", b"<html><body><div class='nav'></div></body></html>", Settings()))
    assert [(type(u), u.reason_code) for u in units] == [(Reject, "blank_file")]


def test_a_feed_with_entities_is_read_without_expanding_them() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<rss><channel><item><title>&b;</title><description>&lt;p&gt;正文内容足够。&lt;/p&gt;</description></item>"
        "</channel></rss>"
    ).encode()
    (unit,) = list(ingest_file("bomb.xml", bomb, Settings()))
    assert isinstance(unit, RawUnit)
    assert "aaaaaaaaaa" not in str(unit.meta)  # the entity is not expanded into the title


def test_xml_that_is_not_a_feed_is_a_container_reject() -> None:
    (unit,) = list(ingest_file("data.xml", b"<?xml version='1.0'?><catalog><book/></catalog>", Settings()))
    assert (unit.reason_code, unit.detail) == (
        "malformed_container",
        "XML whose root is <catalog>, not an RSS or Atom feed",
    )


def test_page_title_splits_headline_and_site() -> None:
    assert split_page_title("法国全国大罢工再次严重影响交通-新华网") == (
        "法国全国大罢工再次严重影响交通",
        "新华网",
    )
    assert split_page_title("山西省人民政府网站") == ("山西省人民政府网站", None)
    # the site's Chinese name, not the Latin one or the domain printed after it
    assert split_page_title("新年伊始，习近平的重要文章谈了啥？_中南海_澎湃新闻-The Paper") == (
        "新年伊始，习近平的重要文章谈了啥？",
        "澎湃新闻",
    )
    assert split_page_title("外媒眼中的武汉长假：蓬勃发展_新闻中心_长江网_cjn.cn")[1] == "长江网"
    assert split_page_title("Breaking news today - Reuters")[1] == "Reuters"
    assert (
        read_page("<title>短-站</title><p>正文</p>").meta["title"] == "短-站"
    )  # a short first part is no headline


PORTAL_WITH_DIV_PARAGRAPHS = """<!DOCTYPE html><html><head><title>山河品牌丝路行正式启动_山河省人民政府</title></head>
<body><div class="top"><h1>山河省人民政府网站</h1><p>热门搜索：转型综改招商引资旅游项目建设营商环境优化提升</p></div>
<form id="f"><div class="title"><h2>山河品牌丝路行正式启动</h2></div>
<ul class="infos"><li><span>时间：2019-09-18 06:23</span> <span>来源：山河日报</span></li><li>打印 分享</li></ul>
<div class="article-body"><div><b>图为山河品牌丝路行启动仪式。（刘通摄）</b></div>
<div>　　跨越千山万水，行程近两万公里，山河品牌丝路行首次登陆巴西，刷新“走出去”的最远纪录。</div>
<div>　　举办山河品牌丝路行活动，是我省积极主动融入“一带一路”建设的具体举措，受到当地工商界欢迎。</div>
<div>【纠错】</div></div><input type="submit" value="提交"></form>
<div class="footer"><p>主办单位：山河省人民政府办公厅 版权所有 地址：山河市迎泽大街</p></div></body></html>"""


def test_portal_page_with_div_paragraphs_in_a_form_reads_headline_meta_line_and_body(tmp_path: Path) -> None:
    """The article's <div> paragraphs inside a CMS <form> win over a menu of <p>; the <h1> that names the site
    is not the headline; the date and 来源 printed under the headline are read; a caption and 【纠错】 are not
    body paragraphs."""
    page = tmp_path / "portal.html"
    page.write_text(PORTAL_WITH_DIV_PARAGRAPHS, encoding="utf-8")
    (bundle,) = _bundles(page)
    header, paragraphs, headings = _summary(bundle)
    assert (header["title"], header["published_date"], bundle.document.source) == (
        "山河品牌丝路行正式启动",
        dt.date(2019, 9, 18),
        "山河日报",
    )
    assert paragraphs == [
        ("caption", "图为山河品牌丝路行启动仪式。（刘通摄）"),
        ("body", "跨越千山万水，行程近两万公里，山河品牌丝路行首次登陆巴西，刷新“走出去”的最远纪录。"),
        ("body", "举办山河品牌丝路行活动，是我省积极主动融入“一带一路”建设的具体举措，受到当地工商界欢迎。"),
    ]
    assert headings == [None]


def test_a_page_saved_as_an_escaped_string_is_unescaped_before_reading() -> None:
    page = (
        '<!DOCTYPE html>\\n<html><head><meta name=\\"og:title\\" content=\\"代表视察\\"></head>\\n<body>\\n'
        + "\\n".join(f"<p>第{i}段：代表们视察了重点项目建设情况，提出了意见建议。</p>" for i in range(12))
        + "\\n</body></html>"
    )
    assert "\n" not in page
    rendered = read_page(page)
    assert rendered.meta["title"] == "代表视察"
    assert "\\n" not in rendered.text
    assert rendered.text.count("代表们视察了") == 12


def test_a_page_whose_title_names_its_section_takes_the_headline_above_its_meta_line(tmp_path: Path) -> None:
    page = tmp_path / "society.html"
    page.write_text(
        "<html><head><title>新闻动态--山河地理学会官网</title></head><body>"
        "<ul><li><a href='/'>首页</a></li><li><a href='/n'>新闻动态</a></li></ul>"
        "<div class='crumb'>首页 - 新闻动态</div>"
        "<div class='t'>2019年山河人文地理学术年会成功举行！</div>"
        "<div class='i'><span>发布时间：2019-05-18</span> <span>来源：山河地理学会</span></div>"
        "<div class='detailCon'><p>5月10日至12日，2019年山河人文地理学术年会在山河大学举行，来自全国的学者参会。</p>"
        "<p>年会创办于2011年，近年来先后在多个城市举办，已成为学科的重要交流平台。</p></div>"
        "</body></html>",
        encoding="utf-8",
    )
    (bundle,) = _bundles(page)
    header, paragraphs, _ = _summary(bundle)
    assert (header["title"], header["published_date"], bundle.document.source) == (
        "2019年山河人文地理学术年会成功举行！",
        dt.date(2019, 5, 18),
        "山河地理学会",
    )
    assert [text for _, text in paragraphs] == [
        "5月10日至12日，2019年山河人文地理学术年会在山河大学举行，来自全国的学者参会。",
        "年会创办于2011年，近年来先后在多个城市举办，已成为学科的重要交流平台。",
    ]


def test_a_pages_source_meta_is_the_documents_source_not_its_account() -> None:
    from pipeline.process import with_container_fields

    fields = {"title": "标题", "column": None, "published_date": None, "account": None, "source": None}
    filled = with_container_fields(
        fields, None, {"account": "人民网", "source": "来源：人民网-文化频道 原创稿"}
    )
    assert (filled["account"], filled["source"]) == ("人民网", "人民网-文化频道 原创稿")
    # the text wins where it shows a source
    shown = with_container_fields({**fields, "source": "新华社"}, None, {"source": "人民网"})
    assert shown["source"] == "新华社"


# A WeChat video page: no `var nickname`/`var msg_title`; the data object holds them, and a script fills the
# description paragraph, which is the article's only text; the video's title is printed again under the player.
VIDEO_PAGE = """<html><head><title>视频</title></head><body>
<div id="js_article">
  <strong class="account_nickname_inner">山河人大</strong>
  <span id="publish_time">2024-03-12</span>
  <div id="js_content">
    <p class="share_notice" id="js_video_desc"><script>
      document.getElementById('js_video_desc').innerHTML = "区人大常委会组织代表视察重点项目，\\u542c取情况介绍。<br>代表们建议加强要素保障。";
    </script></p>
    <div class="video_info"><span id="video_title">代表视察重点项目纪实</span></div>
  </div>
</div>
<script>
(function(_g){ var d = _g.cgiData = {};
  d.ct = "1710201600";
  d.title = "代表视察重点项目纪实";
  d.nick_name = "山河人大";
})(window);
</script></body></html>"""


def test_wechat_video_page_reads_the_data_object_and_the_script_filled_description() -> None:
    bundle = _page_bundle("video.html", VIDEO_PAGE)
    header, paragraphs, headings = _summary(bundle)
    assert (header["title"], header["account"], header["published_date"]) == (
        "代表视察重点项目纪实",  # d.title, not the <title> 视频
        "山河人大",  # d.nick_name
        dt.date(2024, 3, 12),
    )
    # the JSON escape decoded; the <br> inside the one <p> is a line break within its paragraph
    assert paragraphs == [
        ("body", "区人大常委会组织代表视察重点项目，听取情况介绍。代表们建议加强要素保障。")
    ]
    assert headings == [None]  # the title printed again under the player is dropped, not a heading


def test_a_script_never_replaces_text_the_page_already_shows() -> None:
    page = """<html><body><div id="js_content"><p id="desc">页面上原有的文字，足够长的一段正文内容在这里。</p>
    <script>document.getElementById('desc').innerHTML = "脚本里的另一段文字";</script></div></body></html>"""
    assert "脚本里" not in read_page(page).text
    assert "页面上原有的文字" in read_page(page).text


def test_a_headline_that_exclaims_inside_is_the_title_and_its_writers_are_authors() -> None:
    page = """<html><head><title>补壹刀：别笑！联盟今天成立了_山河网</title></head><body><div class="article">
    <h1>补壹刀：别笑！联盟今天成立了</h1>
    <p><strong>执笔/叨叨姐、胡一刀&amp;李小飞刀</strong></p>
    <p>西方世界的一些政客正试图串联起来，组成一个所谓的联盟，今天正式宣布成立。</p>
    <p>据统计，这个联盟目前一共找着十八个人，分别来自八个国家的议会。</p>
    </div></body></html>"""
    bundle = _page_bundle("page.html", page)
    header, paragraphs, headings = _summary(bundle)
    assert header["title"] == "补壹刀：别笑！联盟今天成立了"
    assert headings == [None]  # the headline is not also a body heading
    assert bundle.document.authors == ["叨叨姐", "胡一刀", "李小飞刀"]
    assert paragraphs == [
        ("body", "西方世界的一些政客正试图串联起来，组成一个所谓的联盟，今天正式宣布成立。"),
        ("body", "据统计，这个联盟目前一共找着十八个人，分别来自八个国家的议会。"),
    ]


def _feed(*items: tuple[str, str]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><description>{html.escape(body)}</description></item>"
        for title, body in items
    )
    return f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>山河日报</title>{entries}</channel></rss>".encode()


def test_a_pages_credit_block_listed_as_a_feed_item_is_a_page_credits_reject() -> None:
    feed = _feed(
        ("[06版：要闻] 本版责编：罗 彦 史 哲", "<h1>本版责编：罗 彦 史 哲</h1><p>版式设计 蔡华伟</p>"),
        ("本版责编：马 涌", "<p>本版邮箱：rmrbpl@peopledaily.cn（来稿请注明栏目名）</p>"),
        (
            "[04版：要闻] 一版责编：许 诺 二版责编：吕 莉",
            "<h1><p>一版责编：许 诺 二版责编：吕 莉</p></h1>",
        ),  # no text
        # an article whose title starts with a label word is an article
        ("编辑部召开座谈会", "<p>编辑部召开座谈会，听取读者对办好新闻版面的意见和建议。</p>"),
        ("编辑：王 强", "<p>" + "代表们围绕优化营商环境提出意见和建议，" * 12 + "</p>"),
    )
    results = [
        process(unit) if isinstance(unit, RawUnit) else unit
        for unit in ingest_file("feed.xml", feed, Settings())
    ]
    assert [getattr(r, "reason_code", None) for r in results] == [
        "page_credits",
        "page_credits",
        "page_credits",
        None,
        None,
    ]
    assert results[0].detail == "titled '本版责编：罗 彦 史 哲', with 1 paragraph(s) of 8 characters"


def test_a_translated_page_ends_with_credits_and_without_its_list_of_linked_articles() -> None:
    page = """<html><head><title>按下回车之后发生了什么</title></head><body><div id="js_content">
    <p>渲染结束后，浏览器根据某些时间机制运行代码或与用户交互，产生又一轮渲染与绘制。</p>
    <p>原文：alex@github</p><p>译文：skyline75489</p>
    <p>https://github.com/skyline75489/what-happens-when-zh_CN</p>
    <p><a href="http://mp.weixin.qq.com/s?__biz=1&amp;mid=2" target="_blank"><span>再见Flash，停止其开发和更新</span></a></p>
    <p><a href="https://mp.weixin.qq.com/s/(x) y">无需大量写代码，也能提高编程能力</a></p>
    </div></body></html>"""
    text = read_page(page).text
    assert "[无需大量写代码，也能提高编程能力](https://mp.weixin.qq.com/s/%28x%29%20y)" in text
    bundle = _page_bundle("page.html", page)
    assert [(c.role, c.label, c.value) for c in bundle.credits] == [
        ("source", "原文", "alex@github"),
        ("translator", "译文", "skyline75489"),
    ]
    assert [p.text for p in bundle.paragraphs] == [
        "渲染结束后，浏览器根据某些时间机制运行代码或与用户交互，产生又一轮渲染与绘制。",
        "https://github.com/skyline75489/what-happens-when-zh_CN",
    ]


def _wechat_article(meta_spans: str, body: str = "") -> str:
    """A WeChat article page: headline, the meta list (tag, author span, account, time), then the article."""
    return f"""<html><head><title>区人大常委会开展代表视察活动</title></head><body>
<div id="js_article">
  <h2 class="rich_media_title" id="activity-name">区人大常委会开展代表视察活动</h2>
  <div id="meta_content" class="rich_media_meta_list">{meta_spans}
    <span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a id="js_name">山河区人大</a></span>
    <em id="publish_time" class="rich_media_meta rich_media_meta_text"></em>
  </div>
  <div id="js_content">{body}
    <p>3月12日，区人大常委会组织部分市、区人大代表视察重点项目建设情况。</p>
    <p>代表们先后来到科技园区和城市更新项目现场，听取情况介绍。</p>
  </div>
</div>
<script>var nickname = "山河区人大"; var ct = "1710201600";</script></body></html>"""


@pytest.mark.parametrize(
    ("meta_spans", "body", "authors"),
    [
        # the author span after the 原创 tag
        (
            '<span class="rich_media_meta rich_media_meta_text meta_tag_text">原创：</span>'
            '<span class="rich_media_meta rich_media_meta_text">李明</span>',
            "",
            ["李明"],
        ),
        # the author element of later pages
        (
            '<span class="rich_media_meta icon_appmsg_tag">原创</span>'
            '<span class="rich_media_meta rich_media_meta_text"><span id="js_author_name">kingname</span></span>',
            "",
            ["kingname"],
        ),
        # the account's own name in the author span names no person
        ('<span class="rich_media_meta rich_media_meta_text">山河区人大</span>', "", []),
        # named in the page's field and again in the byline: one author
        (
            '<span class="rich_media_meta rich_media_meta_text">李明</span>',
            "<p>文/李明 山河区人大特约作者</p>",
            ["李明"],
        ),
    ],
)
def test_a_wechat_pages_author_field_names_the_author(meta_spans: str, body: str, authors: list[str]) -> None:
    bundle = _page_bundle("article.html", _wechat_article(meta_spans, body))
    assert (bundle.document.title, bundle.document.account, bundle.document.authors) == (
        "区人大常委会开展代表视察活动",
        "山河区人大",
        authors,
    )
    assert [p.text for p in bundle.paragraphs] == [
        "3月12日，区人大常委会组织部分市、区人大代表视察重点项目建设情况。",
        "代表们先后来到科技园区和城市更新项目现场，听取情况介绍。",
    ]


def test_a_wechat_pages_own_title_wins_and_an_h1_opening_the_article_is_its_deck() -> None:
    page = _wechat_article(
        "",
        "<h1>视察重点项目 代表建言献策</h1><h1>来源：山河区人大</h1>",
    ).replace(
        'var nickname = "山河区人大";', 'var nickname = "山河区人大"; var msg_title = "代表视察重点项目";'
    )
    bundle = _page_bundle("article.html", page)
    document = bundle.document
    assert (document.title, document.subtitle, document.source) == (
        "代表视察重点项目",  # `var msg_title`, not the <h1> inside the article
        "视察重点项目 代表建言献策",
        "山河区人大",
    )
    assert [s.heading for s in bundle.sections] == [None]
    assert [p.text for p in bundle.paragraphs] == [
        "3月12日，区人大常委会组织部分市、区人大代表视察重点项目建设情况。",
        "代表们先后来到科技园区和城市更新项目现场，听取情况介绍。",
    ]


def test_a_numbered_list_of_linked_articles_after_the_text_is_dropped_even_where_one_link_is_lost() -> None:
    items = "".join(
        f'<p><span>{n}、</span><a href="https://mp.weixin.qq.com/s?id={n}">往期文章第{n}篇的标题</a></p>'
        if n != 2
        else f"<p><span>{n}、</span>往期文章第{n}篇的标题</p>"
        for n in range(1, 5)
    )
    page = _wechat_article("", "").replace(
        "</p>\n  </div>\n</div>", f"</p>\n<p><strong>【往期好文】</strong></p>{items}\n  </div>\n</div>"
    )
    text = read_page(page).text
    assert "4、[往期文章第4篇的标题](https://mp.weixin.qq.com/s?id=4)" in text.splitlines()
    bundle = _page_bundle("article.html", page)
    assert [p.text for p in bundle.paragraphs] == [
        "3月12日，区人大常委会组织部分市、区人大代表视察重点项目建设情况。",
        "代表们先后来到科技园区和城市更新项目现场，听取情况介绍。",
    ]
    assert [s.heading for s in bundle.sections] == [None]


# A district portal: the <title> adds the office's name to the headline, the headline cell carries the 来源 after a
# wide gap, and the date and editor stand in a table row under the article.
PORTAL_META_AROUND = """<html><head><title>区人大代表视察重点项目 东区办事处_山河网</title></head><body>
<table><tr><td>现在位置： 首页 &gt;&gt; 东区新闻 &gt;&gt; 正文</td></tr>
<tr><td><b>区人大代表视察重点项目</b> \u3000 来源于：东区办事处</td></tr>
<tr><td><div class="content">
  <p>2月27日下午，区人大常委会组织部分区人大代表视察重点项目建设情况，听取有关部门的情况介绍。</p>
  <p>代表们认为，项目推进有力，建议进一步加强要素保障，确保项目早日建成投用。</p>
</div></td></tr>
<tr><td><font>发布日期：2019-03-06 责任编辑：龙慧</font></td></tr>
<tr><td><a href="/">关于我们</a> | <a href="/">联系我们</a></td></tr>
</table></body></html>"""


def test_a_portals_meta_lines_beside_the_headline_and_under_the_article_are_read() -> None:
    bundle = _page_bundle("portal.html", PORTAL_META_AROUND)
    document = bundle.document
    assert (document.title, document.source, document.published_date, document.editors) == (
        "区人大代表视察重点项目",  # as the page prints it, without the office the <title> adds
        "东区办事处",
        dt.date(2019, 3, 6),  # from under the article: the 2月27日 of the first sentence is the visit's
        ["龙慧"],
    )
    assert [p.text for p in bundle.paragraphs] == [
        "2月27日下午，区人大常委会组织部分区人大代表视察重点项目建设情况，听取有关部门的情况介绍。",
        "代表们认为，项目推进有力，建议进一步加强要素保障，确保项目早日建成投用。",
    ]


def test_preformatted_code_is_a_code_paragraph_and_preformatted_prose_is_text() -> None:
    code = (
        '<pre data-tool="mdnice编辑器"><code><span>import</span> json<br>'
        "<span>def</span> main():<br>    print(<span>'你好'</span>)<br></code></pre>"
    )
    prose = "<pre>区人大常委会召开会议，听取代表建议办理情况的报告。会议要求，切实提高办理质量。</pre>"
    page = _wechat_article("", f"<p>示例代码如下：</p>{code}{prose}")
    bundle = _page_bundle("article.html", page)
    assert [(p.kind, p.text) for p in bundle.paragraphs][:3] == [
        ("body", "示例代码如下："),
        (
            "code",
            "import json\ndef main():\nprint('你好')",
        ),  # code keeps its lines, trimmed (see `span_text`)
        ("body", "区人大常委会召开会议，听取代表建议办理情况的报告。会议要求，切实提高办理质量。"),
    ]


def test_a_meta_line_inside_nested_layout_tables_is_printed_once() -> None:
    nested = "<table><tr><td>{}</td></tr></table>"
    page = PORTAL_META_AROUND.replace(
        "<tr><td><b>区人大代表视察重点项目</b> \u3000 来源于：东区办事处</td></tr>",
        "<tr><td><b>区人大代表视察重点项目</b></td></tr><tr><td>"
        + nested.format(nested.format("来源于：东区办事处"))
        + "</td></tr>",
    )
    text = read_page(page).text
    assert text.startswith("# 区人大代表视察重点项目\n\n来源于：东区办事处\n\n2月27日下午")
    assert text.count("来源于：东区办事处") == 1


def _centered_pictures_article(heading_style: str) -> str:
    """A portal article: two bold headings set as `heading_style`, a centered picture under each section's
    first paragraph and a centered line under each picture."""
    picture = '<div style="text-align: center;"><b><img src="./p{n}.jpg"></b><p><b>\n</b></p></div>'
    caption = '<div style="text-align: center; padding: 0px 10%;">{}</div>'
    return f"""<html><head><title>区人大常委会开展执法检查</title></head><body>
<div class="article">
  <div>区人大常委会执法检查组近日深入辖区企业和社区，检查大气污染防治法的贯彻实施情况，听取意见建议。</div>
  <div {heading_style}><b>企业现场</b></div>
  <div>检查组来到三家重点企业，查看污染治理设施运行情况，详细询问排放监测数据。</div>
  {picture.format(n=1)}{caption.format("<b>检查组在企业查看治理设施</b>")}
  <div></div>
  <div {heading_style}><b>社区座谈</b></div>
  <div>在社区座谈会上，居民代表就油烟扰民、工地扬尘等问题提出意见，检查组逐一记录。</div>
  {picture.format(n=2)}{caption.format("座谈会现场")}
  <div>检查组要求有关部门认真梳理问题清单，限期整改，并将整改情况向区人大常委会报告。</div>
</div></body></html>"""


def test_a_centered_line_under_a_picture_is_its_caption_where_headings_stand_at_the_left() -> None:
    bundle = _page_bundle("inspection.html", _centered_pictures_article(""))
    _, paragraphs, headings = _summary(bundle)
    assert headings == [None, "企业现场", "社区座谈"]
    assert paragraphs == [
        (
            "body",
            "区人大常委会执法检查组近日深入辖区企业和社区，检查大气污染防治法的贯彻实施情况，听取意见建议。",
        ),
        ("body", "检查组来到三家重点企业，查看污染治理设施运行情况，详细询问排放监测数据。"),
        ("caption", "检查组在企业查看治理设施"),  # bold, but the article's bold headings stand at the left
        ("body", "在社区座谈会上，居民代表就油烟扰民、工地扬尘等问题提出意见，检查组逐一记录。"),
        ("caption", "座谈会现场"),
        ("body", "检查组要求有关部门认真梳理问题清单，限期整改，并将整改情况向区人大常委会报告。"),
    ]
    assert bundle.document.n_paragraphs == 4  # captions are not body text


def test_a_bold_line_under_a_picture_heads_text_where_the_article_centres_its_headings() -> None:
    """A WeChat editor centres its bold headings, some under a banner picture: there the bold line under a
    picture is a heading like the others; a plain centered line under a picture is still a caption."""
    bundle = _page_bundle("inspection.html", _centered_pictures_article('style="text-align:center"'))
    _, paragraphs, headings = _summary(bundle)
    assert headings == [None, "企业现场", "检查组在企业查看治理设施", "社区座谈"]
    assert ("caption", "座谈会现场") in paragraphs
    assert [kind for kind, _ in paragraphs] == ["body", "body", "body", "caption", "body"]


def test_a_short_line_under_a_picture_is_not_a_caption_where_the_whole_article_is_centered() -> None:
    page = _centered_pictures_article("").replace(
        '<div class="article">', '<div class="article" align="center">'
    )
    _, paragraphs, headings = _summary(_page_bundle("inspection.html", page))
    assert "caption" not in {kind for kind, _ in paragraphs}
    assert "检查组在企业查看治理设施" in headings
