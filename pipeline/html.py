"""HTML → the text a reader sees, laid out the way the parser reads text: one block per paragraph.

HTML is read with lxml (libxml2), never with regular expressions. A saved page and an RSS item's escaped
`<description>` go through `render`: block elements become paragraphs separated by a blank line, `<h1>`–`<h6>`
become `#` lines, a paragraph that is bold throughout becomes `**…**` (a bold heading), list items become `- `
lines, `<br>` a line break. A data table becomes one line of canonical HTML (`<table><tr><th>…</th><td>…</td></tr>
</table>`: header cells, spans and cell text kept, nothing else), which the markdown reader reads back as it reads a
table a converter left inline: a `table` paragraph whose text is rows by newline and cells by tab, and its cells.
A table used for page layout (`is_layout_table`) is unwrapped: its cells' content becomes paragraphs. A line the
article sets apart under a picture (`mark_captions`) is rendered with the picture on its line (`![](src) 图说`),
which the markdown reader reads as a caption; other pictures are dropped. Scripts,
styles, comments, forms and navigation are not text and are dropped.

The rendering is markdown, and the markdown reader (`pipeline.markdown`, CommonMark) reads it back: so the page's
own characters that markdown would take for markup (`*`, `_`, `[`, `]`, a backtick, `<`, `&`, a backslash) are
backslash-escaped in it, and an article about CSS that mentions the `<style>` tag keeps the mention in its text.
Inline HTML inside markdown (a `<table>` a converter left on one line, `<br/>`, `<u>`) is read by the same code
through `read_fragment`, plain: no decoration and no escapes, since the markdown reader has already taken the
markup's meaning and what comes back is the text itself.

A document read from HTML keeps that rendering as its `raw_texts.raw_text`: every offset points into it, and
`raw_sha256` still hashes the bytes as found. What the page says about itself outside the article (its title,
publication time, site or account name, address) is read from the page's own metadata (`<meta>`, WeChat's
script variables) into the same roles a container's columns fill; the text wins where it shows them.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from pipeline.dates import unix_day
from pipeline.metaline import read_meta_line
from pipeline.rules import (
    AUTHOR_ROLES,
    BOLD_HEADING_MAX_CHARS,
    CAPTION_MAX_CHARS,
    CREDIT_LABELS,
    LINK_ITEM_MARK,
    numbered,
)
from pipeline.text import EDGE_SPACE, ends_sentence, nfc

# Elements whose content is never article text.
DROPPED_TAGS = (
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "button", "select",
    "input", "textarea", "nav", "head", "object", "embed", "audio", "video", "map",
)  # fmt: skip
# Elements that start a new paragraph.
BLOCK_TAGS = frozenset(
    (
        "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre", "ul", "ol",
        "li", "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption",
        "center", "address", "hr", "body", "html",
    )
)  # fmt: skip
# The element names of HTML (WHATWG, with the obsolete presentational ones converters still write). A tag in
# markdown is read as HTML only when it names one of these: `<stdin>`, `<host>` or `<unsigned char>` in a command
# line or a code sample are text that happens to sit in angle brackets.
_ELEMENT_NAMES = """
    a abbr acronym address area article aside audio b base bdi bdo big blockquote body br button canvas caption
    center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em embed fieldset
    figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd
    label legend li link main map mark math menu meta meter nav nobr noscript object ol optgroup option output p
    param picture pre progress q rp rt ruby s samp script search section select slot small source span strike
    strong style sub summary sup svg table tbody td template textarea tfoot th thead time title tr track tt u ul
    var video wbr
"""
HTML_ELEMENTS = frozenset(_ELEMENT_NAMES.split())
HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
BOLD_TAGS = frozenset({"strong", "b"})
_SPACE = re.compile(r"[ \t\r\n\f\v]+")
# Characters of page text that CommonMark would read as the start of inline markup.
MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<&]")

# Where a page keeps the article: WeChat's body container first, then common article containers. When none
# is present the element holding the most paragraph text is taken (see `main_element`).
CONTENT_SELECTORS = ("#js_content", "article", "#content", ".article", ".content", "#article", "main")
# A known container holding less text than this is a stub (an empty <article> in a sidebar), not the article.
MIN_CONTAINER_CHARS = 20
# A block's own text shorter than this is a label, a menu entry or a button, not a paragraph of the article.
MIN_PARAGRAPH_CHARS = 25
# A headline printed with the site's name around it is still the headline if it keeps this share of the text.
SAME_HEADLINE_SHARE = 0.5
# Meta lines (date, 来源) are looked for in this many text lines after the page's headline, each at most so long.
META_WINDOW_LINES = 8
META_LINE_MAX_CHARS = 160
# A paragraph's text counts for itself, its parent and (by half) its grandparent.
ANCESTOR_SHARES = (1.0, 1.0, 0.5)
# The chosen container gives way to a child that scores at least this share of it (see `main_element`).
DESCEND_SHARE = 0.8
# Page metadata by role, in order of preference: <meta name|property=…> names, compared case-insensitively.
META_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "articletitle", "twitter:title", "title"),
    "date": (
        "article:published_time",
        "pubdate",
        "publishdate",
        "firstpublishedtime",
        "og:release_date",
        "date",
    ),
    "account": ("og:site_name", "sitename", "site_name"),
    # Where the article comes from (`来源：人民网-文化频道 原创稿`): the document's source, not the site.
    "source": ("source", "contentsource"),
    "url": ("og:url",),
}
# WeChat pages keep the account, title and publication time in script variables, the time as Unix seconds: as
# `var nickname = …` in article pages, as properties of a data object (`d.nick_name = …`, `d.title = …`,
# `d.ct = …`) in video and picture pages. The first assignment of a literal wins.
WECHAT_VARIABLES: dict[str, re.Pattern[str]] = {
    "account": re.compile(r"""(?:\bvar\s+nickname|\.nick_name)\s*=\s*(?:htmlDecode\()?["']([^"']+)["']"""),
    "title": re.compile(r"""(?:\bvar\s+msg_title|\b(?:d|cgiData)\.title)\s*=\s*(?:'([^']+)'|"([^"]+)")"""),
    "timestamp": re.compile(r"""(?:\bvar\s+ct|\b(?:d|cgiData)\.ct)\s*=\s*["'](\d{9,11})["']"""),
    "url": re.compile(r"""var\s+msg_link\s*=\s*["']([^"']+)["']"""),
}
# WeChat article pages print the author in the meta list above the article: in `#js_author_name`, or as the plain
# text span of `#meta_content` (not the 原创 tag, not the account's name). Where an account writes its own name
# there, no person is named.
WECHAT_AUTHOR_PATHS = (
    '//*[@id="js_author_name"]',
    '//*[@id="meta_content"]/span[contains(concat(" ", normalize-space(@class), " "), " rich_media_meta_text ")'
    ' and not(contains(@class, "meta_tag_text")) and not(contains(@class, "rich_media_meta_nickname"))]',
)
AUTHOR_MAX_CHARS = 40
# The credit line a page's own author field is printed as, under the headline (where the parser reads credits).
AUTHOR_LINE = "作者：{}"
# A page that fills an element by script (`document.getElementById('js_video_desc').innerHTML = "…"`, WeChat's
# video pages): the literal is the element's content, as a browser shows it.
SCRIPT_FILLED = re.compile(
    r"getElementById\(\s*['\"]([\w-]+)['\"]\s*\)\.innerHTML\s*=\s*\"((?:[^\"\\\n]|\\.)*)\""
)


# Layout tables: portals put the whole article (or a page's columns) in table cells. A table is layout, not data,
# when it has fewer than two cells with text, or when a cell holds what data cells do not: block content
# (another table, a heading, a list, a quotation, preformatted text, an article) or running text (at least
# LAYOUT_CELL_CHARS characters in at least LAYOUT_CELL_SENTENCES sentences). Statistical tables exported from Word
# keep `<p>` in their cells and WeChat's editor wraps every cell in `<section>`, so neither makes a table layout.
LAYOUT_BLOCK_TAGS = frozenset(
    ("table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote", "pre", "article")
)
LAYOUT_CELL_CHARS = 100
LAYOUT_CELL_SENTENCES = 2
_SENTENCE_END = re.compile(r"[。！？!?]|[.;；](?=\s|$)")
CELL_TAGS = ("td", "th")
# The largest row or column span taken from an attribute; a larger or unreadable value counts as 1.
MAX_SPAN = 1000


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a data table: its text (whitespace runs closed up, edges trimmed, NFC; a nested table's text
    flattened into it), whether it is a header cell (`<th>`, or any cell of `<thead>`) and the rows and columns it
    spans (`rowspan`/`colspan`, 1 when absent)."""

    text: str
    is_header: bool = False
    row_span: int = 1
    col_span: int = 1


Grid = tuple[tuple[Cell, ...], ...]


def grid_text(grid: Grid) -> str:
    """A table's text: rows by newline, cells by tab (the `text` of a `table` paragraph)."""
    return "\n".join("\t".join(cell.text for cell in row) for row in grid)


@dataclass
class Page:
    """A page rendered: the article's text and the page's own metadata by role (title, date, account, url)."""

    text: str
    meta: dict[str, str] = field(default_factory=dict)


def parse_html(markup: str) -> lxml.html.HtmlElement | None:
    """The document tree, or None for markup with no elements. Entities are never fetched or expanded beyond
    HTML's own; libxml2's limits bound nesting."""
    if not markup.strip():
        return None
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
    try:
        root = lxml.html.document_fromstring(markup, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    return root


# Elements whose tag goes but whose content stays: a CMS often wraps the whole article in a `<form>` (its
# controls are dropped above).
UNWRAPPED_TAGS = ("form",)


# Text painted white on no background of its own is text the reader does not see: pages pad themselves with it
# (strings of random characters against copying, keywords for search engines). Any background on the element or
# around it (a coloured box, a banner picture) may be what makes white text readable, so then it stays.
WHITE_TEXT = re.compile(
    r"(?:^|;)\s*color\s*:\s*(?:#fff(?:fff)?|white|rgb\(\s*255\s*,\s*255\s*,\s*255\s*\))\s*(?:;|$)",
    re.IGNORECASE,
)
BACKGROUND = re.compile(r"(?:^|;)\s*background(?:-color|-image)?\s*:", re.IGNORECASE)


def _unseen(element: lxml.html.HtmlElement) -> bool:
    if not WHITE_TEXT.search(element.get("style", "")):
        return False
    return not any(BACKGROUND.search(e.get("style", "")) for e in (element, *element.iterancestors()))


def _clean(root: lxml.html.HtmlElement) -> None:
    for element in list(root.iter(*DROPPED_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in [e for e in root.iter() if isinstance(e.tag, str) and _unseen(e)]:
        if element.getparent() is not None:
            element.drop_tree()
    for element in list(root.iter(*UNWRAPPED_TAGS)):
        if element.getparent() is not None:
            element.drop_tag()


def _text_of(element: lxml.html.HtmlElement) -> str:
    return _SPACE.sub(" ", element.text_content()).strip()


def escape_markdown(text: str) -> str:
    """Page text as markdown that reads back as the same text: inline markup characters backslash-escaped."""
    return MARKDOWN_SPECIAL.sub(lambda found: "\\" + found.group(0), text)


def _literal(text: str | None, plain: bool) -> str:
    return (text or "") if plain else escape_markdown(text or "")


def _inline(element: lxml.html.HtmlElement, plain: bool = False) -> str:
    """The inline text of a block (no nested blocks), with `<br>` as a line break (escaped unless `plain`)."""
    parts: list[str] = [_literal(element.text, plain)]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(_literal(child.tail, plain))
            continue
        tag = child.tag.lower()
        if tag == "br":
            parts.append("\n")
        elif tag == "img":
            pass
        elif tag not in BLOCK_TAGS:
            parts.append(_inline(child, plain))
        parts.append(_literal(child.tail, plain))
    lines = [_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


# What a link address may not hold inside markdown's `(…)`: escaped as in a URL.
_ADDRESS_ESCAPES = str.maketrans({"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E"})


def _link_only(element: lxml.html.HtmlElement) -> tuple[str, str] | None:
    """(item mark, web address) of a block whose whole text is one link, perhaps after an item mark
    (`<p><a href="https://…">上期回顾</a></p>`, `<p><span>2、</span><a href="https://…">…</a></p>`), else None: a
    list of such paragraphs after an article is its related-articles list, which the parser drops as a link list
    only if it sees the links."""
    anchors = [a for a in element.iter("a") if a.get("href", "").startswith(("http://", "https://"))]
    if len(anchors) != 1 or not _text_of(element) or not _text_of(anchors[0]):
        return None
    whole, linked = _text_of(element), _text_of(anchors[0])
    mark = whole[: -len(linked)].strip() if whole.endswith(linked) else None
    if mark is None or (mark and not LINK_ITEM_MARK.fullmatch(mark)):
        return None
    return mark, anchors[0].get("href", "").strip().translate(_ADDRESS_ESCAPES)


def _all_bold(element: lxml.html.HtmlElement) -> bool:
    """Every character of the block's text stands inside <strong>/<b>."""
    total = _text_of(element)
    if not total:
        return False
    bold = "".join(
        _text_of(b)
        for b in element.iter(*BOLD_TAGS)
        if not any(a.tag in BOLD_TAGS for a in b.iterancestors())
    )
    return _SPACE.sub("", bold) == _SPACE.sub("", total)


def _own(table: lxml.html.HtmlElement, tags: tuple[str, ...]) -> Iterator[lxml.html.HtmlElement]:
    """Elements of `table` with these tags that belong to it, not to a table nested inside it."""
    for element in table.iter(*tags):
        if next(element.iterancestors("table"), None) is table:
            yield element


def _span(value: str | None) -> int:
    try:
        number = int((value or "1").strip())
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_SPAN else 1


def table_grid(table: lxml.html.HtmlElement) -> Grid:
    """The rows of a table (its own, not those of a table nested in a cell) as cells; rows without any cell
    text are left out (spacer rows), empty cells of other rows are kept so columns stay aligned."""
    rows: list[tuple[Cell, ...]] = []
    for row in _own(table, ("tr",)):
        in_head = next(row.iterancestors("thead", "table")).tag == "thead"
        cells = tuple(
            Cell(
                nfc(_text_of(cell).strip(EDGE_SPACE)),
                is_header=cell.tag.lower() == "th" or in_head,
                row_span=_span(cell.get("rowspan")),
                col_span=_span(cell.get("colspan")),
            )
            for cell in row
            if isinstance(cell.tag, str) and cell.tag.lower() in CELL_TAGS
        )
        if any(cell.text for cell in cells):
            rows.append(cells)
    return tuple(rows)


def _holds_running_text(cell: lxml.html.HtmlElement) -> bool:
    text = _text_of(cell)
    return len(text) >= LAYOUT_CELL_CHARS and len(_SENTENCE_END.findall(text)) >= LAYOUT_CELL_SENTENCES


def is_layout_table(table: lxml.html.HtmlElement) -> bool:
    """A table that lays out a page rather than holding data (see LAYOUT_BLOCK_TAGS): fewer than two cells with
    text, or a cell holding block content or running text."""
    cells = list(_own(table, CELL_TAGS))
    if sum(1 for cell in cells if _text_of(cell)) < 2:
        return True
    for cell in cells:
        if next(cell.iter(*LAYOUT_BLOCK_TAGS), None) is not None:  # the parser lower-cases tag names
            return True
        if _holds_running_text(cell):
            return True
    return False


def _cell_markup(cell: Cell) -> str:
    """A cell as canonical HTML inside markdown: its text HTML-escaped and the characters markdown would read
    as inline markup backslash-escaped, so the markdown reader gives back exactly the cell's text."""
    tag = "th" if cell.is_header else "td"
    spans = (f' rowspan="{cell.row_span}"' if cell.row_span > 1 else "") + (
        f' colspan="{cell.col_span}"' if cell.col_span > 1 else ""
    )
    text = re.sub(r"[\\`*_\[\]]", lambda found: "\\" + found.group(0), html.escape(cell.text, quote=False))
    return f"<{tag}{spans}>{text}</{tag}>"


def table_markup(grid: Grid) -> str:
    """A data table as one line of canonical HTML: rows and cells, header cells, spans and text, nothing else."""
    rows = "".join("<tr>" + "".join(_cell_markup(cell) for cell in row) + "</tr>" for row in grid)
    return f"<table>{rows}</table>"


def _blocks(element: lxml.html.HtmlElement, plain: bool = False) -> Iterator[str | Grid]:
    """Paragraphs of `element` in document order, each rendered for the parser (`plain`: without the `#`, `**`
    and `- ` decoration that tells the parser a heading, a bold line or a list item; a data table as its grid,
    otherwise as one line of canonical HTML). A layout table yields its cells' paragraphs."""
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if tag == "table":
        if is_layout_table(element):
            for cell in _own(element, CELL_TAGS):
                yield from _blocks(cell, plain)
            return
        grid = table_grid(element)
        if grid:
            yield grid if plain else table_markup(grid)
        return
    if tag == "pre":
        code = _preformatted(element)
        if code and _cjk_share(code) <= CODE_MAX_CJK_SHARE:
            yield code if plain else _fenced(code)
            return
    if tag in HEADING_TAGS:
        text = _literal(_SPACE.sub(" ", _text_of(element)), plain)
        if text:
            yield text if plain else "#" * HEADING_TAGS[tag] + " " + text
        return
    has_block_child = any(isinstance(c.tag, str) and c.tag.lower() in BLOCK_TAGS for c in element)
    if tag == "li" and has_block_child and not plain:
        yield from _marked_as_item(_blocks_within(element, plain))
        return
    if not has_block_child:
        text = _inline(element, plain)
        if text and plain:
            yield text
        elif text and element.get(CAPTION_MARK) is not None:
            # The picture the line captions, on the caption's line: the markdown reader reads a picture with text
            # beside it as a caption.
            yield f"![]({element.get(CAPTION_MARK).translate(_ADDRESS_ESCAPES)}) {text}"
        elif text:
            prefix = "- " if tag == "li" else ""
            link = _link_only(element)
            if link is not None and "\n" not in text:
                mark, address = link
                linked = text[len(mark) :].strip() if mark and text.startswith(mark) else text
                yield f"{prefix}{mark}[{linked}]({address})"  # a paragraph that is one link: read as a link line
            else:
                yield prefix + (f"**{text}**" if "\n" not in text and _all_bold(element) else text)
        return
    yield from _blocks_within(element, plain)


# Preformatted text is code (a listing, a shell session) unless it is mostly Chinese: portals also set whole
# articles in <pre>, which are then read as paragraphs.
CODE_MAX_CJK_SHARE = 0.3


def _preformatted(element: lxml.html.HtmlElement) -> str:
    """The text of a <pre> as printed: its line breaks and indentation kept, `<br>` as a line break (editors such
    as mdnice write one per code line), trailing spaces and the blank lines around it dropped."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        parts.append(node.text or "")
        for child in node:
            if isinstance(child.tag, str):
                if child.tag.lower() == "br":
                    parts.append("\n")
                else:
                    walk(child)
            parts.append(child.tail or "")

    walk(element)
    lines = [line.rstrip() for line in "".join(parts).replace("\u00a0", " ").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _cjk_share(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    return sum("\u4e00" <= c <= "\u9fff" for c in visible) / len(visible) if visible else 0.0


def _fenced(code: str) -> str:
    """A markdown code fence around `code`, longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code}\n{fence}"


def _marked_as_item(blocks: Iterator[str | Grid]) -> Iterator[str | Grid]:
    """A list item's blocks with the item's `- ` on its first paragraph (`<li><p>…</p></li>`, as editors write
    list items, is still an item: a short item must not read as a heading)."""
    marked = False
    for block in blocks:
        if not marked and isinstance(block, str) and not block.startswith(("#", "- ", "<table")):
            block, marked = "- " + block, True
        yield block


def _blocks_within(element: lxml.html.HtmlElement, plain: bool) -> Iterator[str | Grid]:
    """The paragraphs of an element holding blocks: inline runs between child blocks are paragraphs of their
    own."""
    run: list[str] = [_literal(element.text, plain)]

    def flush() -> Iterator[str]:
        text = "\n".join(
            line for line in (_SPACE.sub(" ", s).strip() for s in "".join(run).split("\n")) if line
        )
        run.clear()
        if text:
            yield text

    emptied_heading = 0  # level of a heading the HTML parser emptied (`<h1><p>…</p></h1>` becomes h1, then p)
    for child in element:
        child_tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if child_tag in HEADING_TAGS and not _text_of(child):
            yield from flush()
            # libxml2 closes a heading before a <p> inside it, leaving the heading empty and the <p> right after
            # it with nothing between; an empty heading followed by whitespace was empty in the page itself.
            emptied_heading = HEADING_TAGS[child_tag] if not child.tail else 0
        elif child_tag in BLOCK_TAGS:
            yield from flush()
            if emptied_heading and child_tag == "p" and _text_of(child):
                text = _literal(_text_of(child), plain)
                yield text if plain else "#" * emptied_heading + " " + text
            else:
                yield from _blocks(child, plain)
            emptied_heading = 0
        elif child_tag == "br":
            run.append("\n")
        elif child_tag and child_tag != "img":
            run.append(_inline(child, plain))
        run.append(_literal(child.tail, plain))
    yield from flush()


# --- captions under pictures ----------------------------------------------------------------------------------

# The attribute `mark_captions` sets on a line it reads as a picture's caption; its value is the picture's address.
CAPTION_MARK = "data-renda-caption"
CENTERED_STYLE = re.compile(r"(?:^|;)\s*text-align\s*:\s*center", re.IGNORECASE)
# The article's running text is set centered when this share of its paragraphs' characters is: then centering
# sets nothing apart.
CENTERED_TEXT_SHARE = 0.5


def _centered(element: lxml.html.HtmlElement, within: lxml.html.HtmlElement) -> bool:
    """Whether the element is set centered by itself or by an ancestor up to `within`."""
    for node in (element, *element.iterancestors()):
        if node.tag == "center" or (node.get("align") or "").lower() == "center":
            return True
        if CENTERED_STYLE.search(node.get("style") or ""):
            return True
        if node is within:
            return False
    return False


@dataclass(frozen=True, slots=True)
class _Line:
    """A leaf block of the article with text, as `mark_captions` weighs it."""

    element: lxml.html.HtmlElement
    text: str
    centered: bool
    bold: bool
    picture_above: str | None  # the address of a picture standing right above it (only empty blocks between)


def _article_lines(main: lxml.html.HtmlElement) -> list[_Line]:
    lines: list[_Line] = []
    picture: str | None = None
    for element in main.iter():
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag == "img":
            picture = element.get("src") or element.get("data-src") or ""
            continue
        if (
            tag not in BLOCK_TAGS
            or tag == "table"
            or any(isinstance(c.tag, str) and c.tag.lower() in BLOCK_TAGS for c in element)
        ):
            continue
        text = _text_of(element)
        if not text:
            continue
        if element.find(".//img") is not None:
            picture = None  # a picture beside text on one line: the markdown reader reads that line itself
            continue
        lines.append(_Line(element, text, _centered(element, main), _all_bold(element), picture))
        picture = None
    return lines


def mark_captions(main: lxml.html.HtmlElement) -> None:
    """Mark the short lines right under a picture that the article sets apart as the picture's caption.

    A portal centres a picture and the line under it, bold or not, while its headings and text stand at the
    left; a WeChat editor often centres a banner picture and the bold heading under it too. So the look of a line
    says caption only by contrast with the rest of the article: a centered line under a picture is its caption
    when the running text is not centered and no line of the same weight (bold or plain) that heads running text
    is centered where no picture stands above it (then centering is the article's heading style); a bold one also
    needs a bold line at the left heading running text elsewhere (the article's heading style). A numbered line
    heads what follows; a sentence, or a label ending in a colon, is text.
    """
    lines = _article_lines(main)
    running = [len(line.text) >= MIN_PARAGRAPH_CHARS for line in lines]
    all_chars = sum(len(line.text) for line, long in zip(lines, running, strict=True) if long)
    centered_chars = sum(
        len(line.text) for line, long in zip(lines, running, strict=True) if long and line.centered
    )
    if not all_chars or centered_chars > CENTERED_TEXT_SHARE * all_chars:
        return
    sentence = [ends_sentence(line.text) for line in lines]
    short = [
        len(line.text) <= BOLD_HEADING_MAX_CHARS and not ends
        for line, ends in zip(lines, sentence, strict=True)
    ]
    text = [long or ends for long, ends in zip(running, sentence, strict=True)]
    # A line heads text when it, or the line under it (a heading's second line: `《诫子诗》` over `——（汉）东方朔`),
    # stands right above a paragraph or a sentence (a poem's first line).
    heads = [
        lines[i]
        for i in range(len(lines) - 1)
        if short[i] and (text[i + 1] or (short[i + 1] and i + 2 < len(lines) and text[i + 2]))
    ]
    centered_heading_weights = {line.bold for line in heads if line.centered and line.picture_above is None}
    bold_heading_at_left = any(line.bold and not line.centered for line in heads)
    for line, is_short in zip(lines, short, strict=True):
        if not is_short or line.picture_above is None or not line.centered:
            continue
        if line.bold in centered_heading_weights or (line.bold and not bold_heading_at_left):
            continue
        if len(line.text) > CAPTION_MAX_CHARS or line.text.endswith(("：", ":")) or numbered(line.text):
            continue
        line.element.set(CAPTION_MARK, line.picture_above)


def render_element(element: lxml.html.HtmlElement) -> str:
    """The element's paragraphs, separated by blank lines."""
    return "\n\n".join(block for block in _blocks(element) if isinstance(block, str))


@dataclass(frozen=True)
class Fragment:
    """What a fragment of inline HTML reads as: its text, and its rows of cells when it holds a data table
    (None otherwise). With a table, `text` is `grid_text(grid)`: text beside the table in the same fragment (a
    layout cell around it) is rows of one cell."""

    text: str
    grid: Grid | None = None


def read_fragment(markup: str) -> Fragment:
    """A fragment of inline HTML read plain: blocks and `<br>` end lines, nothing is decorated (see `_blocks`),
    and a data table is one line per row with its cells separated by a tab."""
    root = parse_html(markup)
    if root is None:
        return Fragment("")
    _clean(root)
    body = root.find("body")
    element = body if body is not None else root
    blocks = list(_blocks(element, plain=True))
    if all(isinstance(block, str) for block in blocks):
        return Fragment("\n".join(block for block in blocks if isinstance(block, str)))
    rows: list[tuple[Cell, ...]] = []
    for block in blocks:
        if isinstance(block, str):
            lines = (nfc(line.strip(EDGE_SPACE)) for line in block.split("\n"))
            rows.extend((Cell(line),) for line in lines if line)
        else:
            rows.extend(block)
    grid = tuple(rows)
    return Fragment(grid_text(grid), grid)


def render(markup: str) -> str:
    """Any HTML fragment or page as paragraphs separated by blank lines (the whole body: no page zoning)."""
    root = parse_html(markup)
    if root is None:
        return ""
    _clean(root)
    body = root.find("body")
    return render_element(body if body is not None else root)


def _own_text(element: lxml.html.HtmlElement) -> str:
    """The element's own inline text: without nested blocks and without link text (menus are links)."""
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag and tag not in BLOCK_TAGS and tag != "a":
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return _SPACE.sub("", "".join(parts))


def main_element(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding the article: a known container, else the one whose paragraphs hold the most text.

    Every block's own prose (its inline text without links, when at least MIN_PARAGRAPH_CHARS long) counts for
    its parent in full and for its grandparent by half, as Readability scores a page: the article's container
    collects its paragraphs' text whatever tag they are (`<p>`, or `<div>` on many portals), while menus and link
    lists score nothing.
    """
    for selector in CONTENT_SELECTORS:
        found = [f for f in _select(root, selector) if len(_text_of(f)) >= MIN_CONTAINER_CHARS]
        if found:
            return found[0]
    scores: dict[lxml.html.HtmlElement, float] = {}
    for element in root.iter(*BLOCK_TAGS, "td"):
        length = len(_own_text(element))
        if length < MIN_PARAGRAPH_CHARS:
            continue
        for ancestor, share in zip((element, *element.iterancestors()), ANCESTOR_SHARES, strict=False):
            scores[ancestor] = scores.get(ancestor, 0.0) + length * share
    if not scores:
        body = root.find("body")
        return body if body is not None else root
    best = max(scores, key=lambda element: scores[element])
    # A block that holds nearly all of its container's prose (`<div class="news_txt">` of `<br>`-separated
    # paragraphs, beside the title and the share bar) is the article, not the container around it.
    while True:
        inner = max((c for c in best if c in scores), key=lambda c: scores[c], default=None)
        if inner is None or scores[inner] < DESCEND_SHARE * scores[best]:
            return best
        best = inner


def _select(root: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    """The few selector forms CONTENT_SELECTORS uses (#id, .class, tag), by XPath (no cssselect dependency)."""
    if selector.startswith("#"):
        return root.xpath(f'//*[@id="{selector[1:]}"]')
    if selector.startswith("."):
        return root.xpath(f'//*[contains(concat(" ", normalize-space(@class), " "), " {selector[1:]} ")]')
    return root.xpath(f"//{selector}")


# `<title>` is usually `headline - section - site`: the parts are separated by these.
TITLE_SEPARATOR = re.compile(r"\s*(?:_{1,2}|-{1,2}|\||｜|—{1,2}|–)\s*")
MIN_HEADLINE_CHARS = 6
_CJK = re.compile(r"[\u4e00-\u9fff]")


def split_page_title(text: str) -> tuple[str, str | None]:
    """(headline, site) of a page's `<title>`: the first part when it reads as a headline, the last as the site
    (the last part in Chinese when the site also gives its name in Latin letters or its domain after it:
    `…_澎湃新闻-The Paper` is 澎湃新闻, `…_长江网_cjn.cn` is 长江网)."""
    parts = [part for part in TITLE_SEPARATOR.split(text) if part]
    if len(parts) < 2 or len(parts[0]) < MIN_HEADLINE_CHARS:
        return text, None
    named = [part for part in parts[1:] if _CJK.search(part)]
    return parts[0], named[-1] if named else parts[-1]


def _meta(root: lxml.html.HtmlElement) -> dict[str, str]:
    values: dict[str, str] = {}
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        key = (
            (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        )
        content = _SPACE.sub(" ", element.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    for role, names in META_NAMES.items():
        for name in names:
            if name in found:
                values[role] = found[name]
                break
    return values


def _wechat(markup: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for role, pattern in WECHAT_VARIABLES.items():
        match = pattern.search(markup)
        if match is None:
            continue
        value = next(group for group in match.groups() if group)
        if role == "timestamp":
            values["date"] = unix_day(int(value))
        else:
            values[role] = value.strip()
    return values


def _wechat_author(root: lxml.html.HtmlElement, account: str | None) -> str | None:
    """The author a WeChat page names in its meta list, or None (none named, or the account's own name)."""
    for path in WECHAT_AUTHOR_PATHS:
        for element in root.xpath(path):
            name = _SPACE.sub(" ", _shown_text(element)).strip()
            if name and len(name) <= AUTHOR_MAX_CHARS:
                return None if account is not None and name == account.strip() else name
    return None


def _fill_from_scripts(root: lxml.html.HtmlElement, markup: str) -> None:
    """Put each script-assigned literal into its (empty of text) element, before the scripts are dropped."""
    for found in SCRIPT_FILLED.finditer(markup):
        element_id, literal = found.groups()
        try:
            value = str(json.loads(f'"{literal}"'))
        except ValueError:
            continue  # not a string JSON reads (a JavaScript-only escape): the element keeps what it has
        targets = root.xpath("//*[@id=$name]", name=element_id)
        fragment = parse_html(f"<div>{value}</div>") if value.strip() else None
        if not targets or fragment is None or _shown_text(targets[0]):
            continue
        body = fragment.find(".//div")
        target = targets[0]
        target.text = body.text if body is not None else value
        for child in list(body) if body is not None else []:
            target.append(child)


def _shown_text(element: lxml.html.HtmlElement) -> str:
    """The element's text outside its scripts and styles: what a page shows before its scripts run."""
    return "".join(element.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")).strip()


# A page saved as the body of a string literal (a scraper's JSON value written out without its quotes): no real
# line break, but escaped ones (`\\n`) and escaped quotes (`\\"`) everywhere.
ESCAPED_PAGE_MIN_BREAKS = 10


def unescape_saved_string(markup: str) -> str:
    """The page inside a JSON string literal, unescaped; `markup` itself when it is not one (or not valid)."""
    if "\n" in markup or markup.count("\\n") < ESCAPED_PAGE_MIN_BREAKS or '\\"' not in markup:
        return markup
    try:
        return str(json.loads(f'"{markup}"'))
    except ValueError:
        return markup


def read_page(markup: str) -> Page:
    """A whole saved page: the main element's paragraphs, with the page's title, date, account and address."""
    markup = unescape_saved_string(markup)
    root = parse_html(markup)
    if root is None:
        return Page("")
    meta = _meta(root)
    title_element = root.find(".//title")
    if "title" not in meta and title_element is not None and _text_of(title_element):
        title, site = split_page_title(_text_of(title_element))
        meta["title"] = title
        if site and "account" not in meta:
            meta["account"] = site
    scripted = _wechat(markup)
    meta.update(scripted)
    author = _wechat_author(root, meta.get("account"))
    _fill_from_scripts(root, markup)
    _clean(root)
    main = main_element(root)
    if "title" in scripted:
        _deck_below(main, scripted["title"])
    mark_captions(main)
    text = render_element(main)
    heading = next((h for h in root.iter("h1") if _text_of(h)), None)
    if heading is not None and "title" in meta and not _same_headline(_text_of(heading), meta["title"]):
        heading = None  # an <h1> that is the site's name (山西省人民政府网站), not the article's headline
    if (main.find(".//h1") is None or "title" in scripted) and (heading is not None or "title" in meta):
        # The page's headline stands outside the article's element (WeChat's #activity-name): put it first, as
        # the parser reads a title, so the headings inside the article are read as body headings; the meta lines
        # printed under it (date, 来源, 作者) follow it, as they stand on the page. A title the page's scripts
        # hold (WeChat's `msg_title`) is the article's own: an <h1> inside the article is then one of its headings.
        title = _text_of(heading) if heading is not None else meta["title"]
        title, meta_lines = _page_header(root, main, title)
        if author is not None and not any(_names_author(line) for line in meta_lines):
            meta_lines.append(AUTHOR_LINE.format(author))
        lines = [escape_markdown(title)] + [escape_markdown(line) for line in meta_lines]
        text = "# " + "\n\n".join(lines) + f"\n\n{text}" if text else text
    if text:
        text = "\n\n".join([text, *(escape_markdown(line) for line in _meta_after(root, main))])
    return Page(text, meta)


def _deck_below(main: lxml.html.HtmlElement, title: str) -> None:
    """An <h1> that opens the article under a title of the page's own, saying something else, is its deck (the
    line under the headline): it becomes an <h2>, which the parser reads as the subtitle."""
    first = next((h for h in main.iter("h1") if _text_of(h)), None)
    if first is None or _same_headline(_text_of(first), title):
        return
    ancestors = set(first.iterancestors())
    for element in main.iter():
        if element is first:
            first.tag = "h2"
            return
        if (element.text or "").strip():
            return  # text stands above it: a heading of the article
        if element is not main and element not in ancestors and (element.tail or "").strip():
            return


def _headline_key(text: str) -> str:
    return _SPACE.sub("", text).replace("\u3000", "")


def _same_headline(one: str, other: str) -> bool:
    """Whether two renderings name the same headline (one may carry the site's name, or spaces)."""
    shorter, longer = sorted((_headline_key(one), _headline_key(other)), key=len)
    return len(shorter) >= max(MIN_HEADLINE_CHARS, len(longer) * SAME_HEADLINE_SHARE) and shorter in longer


def _leaf_lines(root: lxml.html.HtmlElement, main: lxml.html.HtmlElement) -> Iterator[tuple[bool, str]]:
    """(after the article?, text) of every leaf block outside the article's element, in page order; a line that
    nested leaf blocks print again right after itself comes once."""
    inside = set(main.iter())
    ancestors = set(main.iterancestors())
    after = False
    previous = None
    for element in root.iter(*BLOCK_TAGS, "td"):
        if element is main:
            after = True
            continue
        if element in inside or element in ancestors:
            continue
        if any(isinstance(c.tag, str) and c.tag.lower() in BLOCK_TAGS for c in element):
            continue
        line = _text_of(element)
        if line and (after, line) != previous:
            previous = (after, line)
            yield previous


def _lines_before(root: lxml.html.HtmlElement, main: lxml.html.HtmlElement) -> list[str]:
    """The text of every leaf block before the article's element, in page order."""
    return [line for _, line in itertools.takewhile(lambda found: not found[0], _leaf_lines(root, main))]


def _page_header(
    root: lxml.html.HtmlElement, main: lxml.html.HtmlElement, title: str
) -> tuple[str, list[str]]:
    """The headline and the meta lines (date, 来源, 作者) printed above the article's element.

    The headline is the page's own (`title`) where the page prints it again above the article; the meta lines
    are those that read as meta lines (`pipeline.metaline`) in the META_WINDOW_LINES lines after it, so a
    sidebar's dated links never come along. Where the page does not print `title` (its `<title>` names the
    section, `新闻动态--中国地理学会官网`), a headline-like line right above the first meta line is the headline.
    """
    lines = [part for line in _lines_before(root, main) for part in _headline_and_meta(line)]
    anchors = [index for index, line in enumerate(lines) if _same_headline(line, title)]
    if anchors:
        start = anchors[-1] + 1
        printed = lines[anchors[-1]]
        if len(_headline_key(printed)) < len(_headline_key(title)):
            title = printed  # the <title> adds to the headline (`… 东区办事处`): the page prints it without
    else:
        window = lines[-META_WINDOW_LINES:]
        first_meta = next(
            (i for i, line in enumerate(window) if _is_meta(line)),
            None,
        )
        if first_meta is None or first_meta == 0:
            return title, []
        above = window[first_meta - 1]
        if not (MIN_HEADLINE_CHARS <= len(above) <= META_LINE_MAX_CHARS) or _is_meta(above):
            return title, []
        title = above
        start = len(lines) - len(window) + first_meta
    meta_lines = [line for line in lines[start : start + META_WINDOW_LINES] if _is_meta(line)]
    return title, meta_lines


_GAP = re.compile(r"\s*\u3000\s*|\s{2,}")


def _headline_and_meta(line: str) -> list[str]:
    """A headline printed with its meta line after a gap (`标题 \u3000 来源于：东区办事处`) as two lines; any other
    line as it is."""
    for gap in _GAP.finditer(line):
        head, rest = line[: gap.start()], line[gap.end() :]
        if head and _is_meta(rest) and not _is_meta(head):
            return [head, rest]
    return [line]


def _meta_after(root: lxml.html.HtmlElement, main: lxml.html.HtmlElement) -> list[str]:
    """The meta lines among the first META_WINDOW_LINES leaf blocks after the article's element: portals print
    the publication date and the editor under the article as often as above it (`发布日期：… 责任编辑：…`)."""
    below = (line for after, line in _leaf_lines(root, main) if after)
    return [line for line in itertools.islice(below, META_WINDOW_LINES) if _is_meta(line)]


def _names_author(line: str) -> bool:
    meta = read_meta_line(line)
    return meta is not None and any(
        CREDIT_LABELS.get(credit.label) in AUTHOR_ROLES for credit in meta.credits
    )


def _is_meta(line: str) -> bool:
    return len(line) <= META_LINE_MAX_CHARS and read_meta_line(line) is not None


def looks_like_html(text: str) -> bool:
    """A capture that is an HTML page (not markdown or text that happens to hold a tag)."""
    head = text.lstrip()[:1024].lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    return head.startswith("<") and "<body" in text[:20000].lower()
