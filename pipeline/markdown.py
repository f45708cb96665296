"""Markdown read by a CommonMark parser (markdown-it-py), and the HTML inside it by the HTML reader (lxml).

The parser's model stays one of lines, because every raw line must end in a record, a header field or the
dropped list: the block markers at the start of a line (`#`, `>`, `- `, `1. `, fences) are read per line here.
What stands inside a line or a paragraph is read by markdown-it-py, so a paragraph's `text` is what a reader of
the rendered page sees:

- a link keeps its text and loses its address; an image is dropped;
- emphasis and strong markers go; a run of two or more `*` or `_` that pairs with nothing (`****`, a `**` the
  converter left alone on a line) is markup with nothing to mark and goes too, as it always did;
- a code span keeps its content without the backticks; an escaped character is itself; an entity its character;
- a tag naming an HTML element (`pipeline.html.HTML_ELEMENTS`) is read by the HTML reader: a `<table>` becomes
  rows by newline and cells by tab, `<u>`, `<span>`, `<strong>` leave their text; `<stdin>` or
  `gopher://<host>:<port>` is text that happens to sit in angle brackets and stays.

Where this goes beyond plain CommonMark, it is for what Chinese captures hold:
- emphasis beside CJK punctuation (`**一是政策落实不到位。**部分…`) opens and closes as the CJK-friendly amendment to
  CommonMark says (https://github.com/tats-u/markdown-cjk-friendly/blob/main/specification.md); plain CommonMark
  leaves those asterisks in the text;
- a bare address (`https://mp.weixin.qq.com/s?__biz=…`) is text, so the `__` inside it is not emphasis; a
  `javascript:` link is read for its text like any other (nothing here is rendered or followed);
- `<br>` is a hard line break, and this parser ends a paragraph at a hard break (a line ending in two spaces)
  unless the next line continues the sentence. So a line is cut at a `<br>` into two lines, the first ending in
  a hard break, and at the edges of block elements (`<p>…</p><p>…</p>`) into lines with an empty line between
  them: the layout the converter would have written without HTML. The cut points are token positions from the
  parser, so the offsets of every line stay offsets into the raw text. Nothing is cut inside a table, a link or
  emphasis; a `<br>` there joins like a soft line break;
- an indented code block is code only where it does not read as Chinese prose (`rules.reads_as_prose`):
  html2text indents a padded paragraph the way it indents a `<pre>`.
"""

from __future__ import annotations

import bisect
import dataclasses
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE, autolink
from markdown_it.rules_inline.html_inline import html_inline
from markdown_it.rules_inline.state_inline import Delimiter, StateInline
from markdown_it.token import Token

from pipeline.html import BLOCK_TAGS, BOLD_TAGS, HTML_ELEMENTS, Grid, read_fragment
from pipeline.rules import reads_as_prose
from pipeline.text import EDGE_SPACE, Line, join_wrapped, split_lines, trimmed_line

# --- the inline parser ----------------------------------------------------------------------------------------


def _is_cjk(char: str) -> bool:
    """A CJK character as the amendment defines it (East Asian Width W, F or H), without its fine print on
    emoji sequences and variation selectors: emoji pictographs are left out by their block."""
    return unicodedata.east_asian_width(char) in ("W", "F", "H") and not 0x1F000 <= ord(char) <= 0x1FAFF


def _flanking(src: str, start: int, maximum: int, marker: str) -> tuple[bool, bool, int]:
    """(can open, can close, run length) of the delimiter run at `start`, by the CJK-friendly amendment: a CJK
    punctuation mark beside the run counts like a letter, and a CJK character outside it like a space."""
    end = start
    while end < maximum and src[end] == marker:
        end += 1
    last = src[start - 1] if start > 0 else " "  # the start and the end of the text count as whitespace
    after = src[end] if end < maximum else " "
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(after))
    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
    next_punct = isMdAsciiPunct(ord(after)) or isPunctChar(after)
    last_cjk, next_cjk = _is_cjk(last), _is_cjk(after)
    last_plain_punct, next_plain_punct = last_punct and not last_cjk, next_punct and not next_cjk
    left = not next_space and (not next_plain_punct or last_space or last_plain_punct or last_cjk)
    right = not last_space and (not last_plain_punct or next_space or next_plain_punct or next_cjk)
    if marker == "*":
        return left, right, end - start
    return left and (not right or last_punct), right and (not left or next_punct), end - start


def _emphasis(state: StateInline, silent: bool) -> bool:
    """markdown-it's emphasis tokenizer with `_flanking` in place of CommonMark's flanking rules."""
    marker = state.src[state.pos]
    if silent or marker not in ("*", "_"):
        return False
    can_open, can_close, length = _flanking(state.src, state.pos, state.posMax, marker)
    for _ in range(length):
        token = state.push("text", "", 0)
        token.content = marker
        state.delimiters.append(
            Delimiter(
                marker=ord(marker),
                length=length,
                token=len(state.tokens) - 1,
                end=-1,
                open=can_open,
                close=can_close,
            )
        )
    state.pos += length
    return True


def _drop_unpaired_runs(state: StateInline) -> None:
    """After emphasis is paired: the markers left of a run of two or more `*`/`_` are markup, not text."""
    lists = [state.delimiters] + [m["delimiters"] for m in state.tokens_meta if m and "delimiters" in m]
    for delimiters in lists:
        for delimiter in delimiters:
            if delimiter.marker not in (0x2A, 0x5F) or delimiter.length < 2:
                continue
            token = state.tokens[delimiter.token]
            if token.type == "text" and token.content == chr(delimiter.marker):
                token.content = ""


_SCHEME = re.compile(r"(?:^|[^A-Za-z0-9.+-])(https?|ftp)$", re.IGNORECASE)
# The characters of an address (RFC 3986) except those that end one in prose: brackets, quotes, `*`, backslash.
_ADDRESS = re.compile(r"://[A-Za-z0-9\-._~:/?#@!$&+,;=%]+")


def _bare_address(state: StateInline, silent: bool) -> bool:
    """`https://…` in running text is one text token: the `_` and `*` inside an address are not emphasis.
    Found at its `:` the way markdown-it's linkify finds one, without making it a link."""
    position = state.pos
    if state.src[position] != ":":
        return False
    scheme = _SCHEME.search(state.pending)
    found = _ADDRESS.match(state.src, position)
    if scheme is None or found is None or found.end() - position <= 3:
        return False
    if not silent:
        state.pending = state.pending[: -len(scheme.group(1))]
        token = state.push("text", "", 0)
        token.content = scheme.group(1) + found.group(0)
    state.pos = found.end()
    return True


def _located_html(state: StateInline, silent: bool) -> bool:
    """markdown-it's inline HTML rule, keeping where the tag stands in the source (for cutting lines)."""
    start = state.pos
    if not html_inline(state, silent):
        return False
    if not silent:
        state.tokens[-1].meta = {"start": start, "end": state.pos}
    return True


def _quick_autolink(state: StateInline, silent: bool) -> bool:
    """markdown-it's autolink rule behind an exact early refusal. At every `<` the rule walks to the next `>` one
    character at a time in Python and then tries its two regexes (`<https://…>`, `<a@b.c>`) on what lies between;
    one line of a saved page holds thousands of tags (`<td>`, `<span style="color: red">`), none of them an
    autolink. So: no `>` ahead, a `<` before it (the rule fails on both), or neither regex matching between them
    is a refusal found by `str.find` and the same regexes; anything else goes to the rule itself."""
    src = state.src
    start = state.pos
    if src[start] != "<":
        return False
    end = src.find(">", start + 1, state.posMax)
    if end < 0:
        return False
    inner = src[start + 1 : end]
    if "<" in inner or (AUTOLINK_RE.search(inner) is None and EMAIL_RE.search(inner) is None):
        return False
    return autolink(state, silent)


def _inline_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True})
    # Links are read for their text and never rendered or followed, so no address is refused: markdown-it's
    # guard against `javascript:` links would leave `[对作者说句悄悄话](javascript:;)` as text.
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    parser.inline.ruler.at("emphasis", _emphasis)
    parser.inline.ruler.at("html_inline", _located_html)
    parser.inline.ruler.at("autolink", _quick_autolink)
    parser.inline.ruler.before("emphasis", "bare_address", _bare_address)
    parser.inline.ruler2.before("fragments_join", "unpaired_runs", _drop_unpaired_runs)
    return parser


_INLINE = _inline_parser()


@lru_cache(maxsize=1)
def inline_tokens(source: str) -> list[Token]:
    """The inline tokens of `source` (read-only: callers share them). The last source's tokens are kept, because
    `read_lines` parses a line with HTML twice in a row when it is not cut or its one piece is the whole line (a
    `<table>` line): once to find where to cut it (`html_cuts`), then to read it (`read_inline`)."""
    return _INLINE.parseInline(source)[0].children or []


# Block structure is read only to find indented code blocks: no inline parsing.
_BLOCK = MarkdownIt("commonmark", {"html": True}).disable(["inline", "text_join"])

# --- inline reading -------------------------------------------------------------------------------------------

# Characters that can start inline markup; a text without any is its own reading (most Chinese lines).
_MARKUP_CHARS = re.compile(r"[\\`*_\[\]<&]")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_VALUED_ATTRIBUTE = re.compile(r"\s[A-Za-z_:][\w.:-]*\s*=")
_SPACES = re.compile(r" {2,}")
_TAB_SPACES = re.compile(r" *\t *")


@dataclass(frozen=True, slots=True)
class Inline:
    """What the inline markup of a text says, and the text a reader sees."""

    text: str
    bold_only: bool = False
    bold_lead: str | None = None
    image: bool = False
    # The text held an HTML data table: its rows of cells; `text` is its rows by newline and cells by tab.
    grid: Grid | None = None

    @property
    def table(self) -> bool:
        return self.grid is not None


# Tags up to this long are read once per process (`_tag`, `is_markup` memoized): a saved page's line repeats the
# same few (`<td>`, `<span style=…>`) thousands of times and each is read three times (cut, pieces, HTML). Longer
# ones (an inline image's data address) are read each time, so the memo stays small.
_MEMO_TAG_CHARS = 256


def _tag(content: str) -> tuple[bool, str] | None:
    """(closing, lower-case name) of a tag token, or None for a comment, declaration or instruction."""
    return _known_tag(content) if len(content) <= _MEMO_TAG_CHARS else _read_tag(content)


def _read_tag(content: str) -> tuple[bool, str] | None:
    found = _TAG.match(content)
    return (found.group(1) == "/", found.group(2).lower()) if found else None


_known_tag = lru_cache(maxsize=4096)(_read_tag)


def is_markup(content: str) -> bool:
    """Whether an HTML-shaped token is markup: a comment or declaration, a tag naming an HTML element, or a
    tag with an attribute value. `<stdin>`, `<host>`, `<unsigned char>` are text in angle brackets."""
    return _known_markup(content) if len(content) <= _MEMO_TAG_CHARS else _read_markup(content)


def _read_markup(content: str) -> bool:
    tag = _tag(content)
    return tag is None or tag[1] in HTML_ELEMENTS or bool(_VALUED_ATTRIBUTE.search(content))


_known_markup = lru_cache(maxsize=4096)(_read_markup)


def _tidy(text: str) -> str:
    """The reading of a text's lines as one paragraph: each line trimmed with runs of spaces closed up (tabs,
    which separate table cells, kept), the lines joined as soft wraps."""
    lines = (_SPACES.sub(" ", _TAB_SPACES.sub("\t", line)).strip(EDGE_SPACE) for line in text.split("\n"))
    return join_wrapped([line for line in lines if line])


def _pieces(tokens: list[Token]) -> tuple[list[tuple[str, bool]], bool, bool]:
    """(text, bold) pieces of the tokens in order; whether an image stood there; whether HTML markup did."""
    pieces: list[tuple[str, bool]] = []
    bold = 0
    image = markup = False
    for token in tokens:
        kind = token.type
        if kind in ("text", "text_special", "code_inline"):
            pieces.append((token.content, bold > 0))
        elif kind in ("softbreak", "hardbreak"):
            pieces.append(("\n", bold > 0))
        elif kind in ("strong_open", "strong_close"):
            bold += token.nesting
        elif kind == "image":
            image = True
        elif kind == "html_inline" and not is_markup(token.content):
            pieces.append((token.content, bold > 0))
        elif kind == "html_inline":
            markup = True
            tag = _tag(token.content)
            if tag is not None and tag[1] in BOLD_TAGS:
                bold = max(0, bold + (-1 if tag[0] else 1))
            elif tag is not None and tag[1] == "br":
                pieces.append(("\n", bold > 0))
    return pieces, image, markup


def _as_html(tokens: list[Token]) -> str:
    """The tokens as an HTML fragment for the HTML reader: text escaped, markup as written, breaks as `<br>`."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(html.escape(token.content, quote=False))
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("<br>")
        elif token.type == "html_inline":
            markup = is_markup(token.content)
            parts.append(token.content if markup else html.escape(token.content, quote=False))
    return "".join(parts)


def _bold_lead(pieces: list[tuple[str, bool]]) -> str | None:
    """The bold run that opens the text (`**一是应急响应。**…`), when the text goes on after it."""
    lead: list[str] = []
    for text, bold in pieces:
        if not lead and not text.strip(EDGE_SPACE + "\n"):
            continue
        if not bold:
            break
        lead.append(text)
    return _tidy("".join(lead)) or None


def read_inline(source: str) -> Inline:
    """Read the inline markdown (and inline HTML) of a line or of a paragraph's lines joined by newlines."""
    if not _MARKUP_CHARS.search(source):
        return Inline(_tidy(source))
    tokens = inline_tokens(source)
    pieces, image, markup = _pieces(tokens)
    grid = None
    if markup:
        fragment = read_fragment(_as_html(tokens))
        grid = fragment.grid
        text = fragment.text if grid is not None else _tidy(fragment.text)
    else:
        text = _tidy("".join(piece for piece, _ in pieces))
    table = grid is not None
    shown = [(piece, bold) for piece, bold in pieces if piece.strip(EDGE_SPACE + "\n")]
    bold_only = bool(shown) and all(bold for _, bold in shown)
    lead = None if table or bold_only or not shown or not shown[0][1] else _bold_lead(pieces)
    bold_only = bold_only and not table
    return Inline(text, bold_only, lead, image, grid)


def block_text(sources: Iterable[str]) -> str:
    """A paragraph's text from its lines' inline markdown, read in one pass over the lines joined by newlines:
    a link or a bold run the converter broke across two lines is still one link or one bold run."""
    return read_inline("\n".join(source for source in sources if source)).text


# --- line reading ---------------------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"(#{1,6})(?:\s+|$)")
# `•` and `·` are not CommonMark bullets, but Chinese text writes list items with them.
_LIST_MARKER = re.compile(r"(?:(?P<bullet>[-*+•·])|(?P<number>\d{1,2})[.)])\s+")


@dataclass(frozen=True, slots=True)
class Markdown:
    """What markdown markup says about one trimmed line, and its text with the markup removed."""

    text: str
    heading_level: int | None = None
    bullet: bool = False
    quote: bool = False
    bold_only: bool = False
    bold_lead: str | None = None
    fence: bool = False
    inline_image: bool = False
    # The line's inline markdown after its block markers: what a paragraph's text is read from (`block_text`).
    source: str = ""
    # The number of an ordered list item (`2. …`); the number stays in `text`, where it is the item's numbering.
    ordered: int | None = None
    # The line is an HTML data table: its rows of cells (`text` is them by newline and tab).
    grid: Grid | None = None
    # The line belongs to an indented code block: `text` is the line as written.
    code: bool = False

    @property
    def table(self) -> bool:
        return self.grid is not None


def _is_fence(line: str) -> bool:
    """Whether the line is a code fence (its `Markdown` says `fence`)."""
    return line.strip(EDGE_SPACE).startswith("```")


# Lines up to this long are read once per process (`read_markdown` memoized; a `Markdown` is immutable, so one
# reading serves every equal line): of the shared corpus' 84,000 line readings in parse, 36,000 are of the
# empty line and 58,000 repeat one read before (a template line, `微信扫一扫`, a fence).
_MEMO_LINE_CHARS = 256


def read_markdown(line: str) -> Markdown:
    """Read one line: block markers (`>`, bullets, `#`, a fence) at its start, then its inline markup."""
    return _known_line(line) if len(line) <= _MEMO_LINE_CHARS else _read_markdown(line)


def _read_markdown(line: str) -> Markdown:
    if _is_fence(line):
        return Markdown("", fence=True)
    rest = line.strip(EDGE_SPACE)
    quote = False
    while rest.startswith(">"):
        quote = True
        rest = rest[1:].lstrip(EDGE_SPACE)
    bullet = False
    ordered = None
    found = _LIST_MARKER.match(rest)
    if found and not rest.startswith(("**", "__")):
        if found["bullet"]:
            bullet = True
            rest = rest[found.end() :]
        else:
            ordered = int(found["number"])
    level = None
    heading = _MD_HEADING.match(rest)
    if heading:
        level = len(heading.group(1))
        rest = rest[heading.end() :]
    inline = read_inline(rest)
    return Markdown(
        inline.text,
        heading_level=level,
        bullet=bullet,
        quote=quote,
        bold_only=inline.bold_only,
        bold_lead=inline.bold_lead,
        inline_image=inline.image and bool(inline.text),
        source=rest,
        ordered=ordered,
        grid=inline.grid,
    )


_known_line = lru_cache(maxsize=4096)(_read_markdown)

# Elements a line is cut before (opening tag) and after (closing tag); a table is read whole.
PARAGRAPH_TAGS = BLOCK_TAGS - {"html", "body", "table", "tr"}
ATOMIC_TAGS = frozenset({"table"})


def html_cuts(source: str) -> list[tuple[int, int, bool]]:
    """Where a line is cut at its HTML: (start, end, paragraph) in `source`. A `<br>` is removed and ends a
    line (`paragraph` False); a block element's edge is a zero-width cut between paragraphs. Only tags at the
    top level count: not inside a link or emphasis (markdown would lose its pairing), nor inside a table."""
    cuts: list[tuple[int, int, bool]] = []
    atomic = 0
    for token in inline_tokens(source):
        if token.type != "html_inline" or token.level != 0 or not token.meta or not is_markup(token.content):
            continue
        tag = _tag(token.content)
        if tag is None:
            continue
        closing, name = tag
        start, end = token.meta["start"], token.meta["end"]
        if name in ATOMIC_TAGS:
            if not closing and atomic == 0:
                cuts.append((start, start, True))
            atomic = max(0, atomic + (-1 if closing else 1))
            if closing and atomic == 0:
                cuts.append((end, end, True))
        elif atomic:
            continue
        elif name == "br":
            cuts.append((start, end, False))
        elif name == "hr":
            cuts += [(start, start, True), (end, end, True)]
        elif name in PARAGRAPH_TAGS:
            cuts.append((end, end, True) if closing else (start, start, True))
    return cuts


def cut_line(text: str, line: Line) -> list[Line]:
    """`line` of `text` cut at its HTML (see `html_cuts`): the pieces with content, an empty line where a
    paragraph ends, a hard break where a `<br>` ends a piece. Numbers are set by the caller."""
    cuts = html_cuts(line.text) if "<" in line.text else []
    if not cuts:
        return [line]
    pieces: list[Line] = []
    pending: str | None = None  # the strongest break since the last piece kept: "line" or "paragraph"
    position = line.start
    for index, (start, end, is_paragraph) in enumerate([*cuts, (len(line.text), len(line.text), False)]):
        piece = trimmed_line(text, 0, position, line.start + start)
        position = line.start + end
        if not piece.is_blank:
            pieces += _after_break(pieces, pending, piece.start)
            pieces.append(piece)
            pending = None
        if index < len(cuts):
            pending = "paragraph" if is_paragraph or pending == "paragraph" else "line"
    if not pieces:
        return [line]
    pieces += _after_break(pieces, pending, line.end)
    pieces[0] = dataclasses.replace(pieces[0], indented=line.indented)
    last = max(i for i, piece in enumerate(pieces) if not piece.is_blank)
    pieces[last] = dataclasses.replace(pieces[last], hard_break=pieces[last].hard_break or line.hard_break)
    return pieces


def _after_break(pieces: list[Line], pending: str | None, position: int) -> list[Line]:
    """What a break leaves after the pieces kept so far: a `<br>` marks the last piece's hard break; a
    paragraph edge is an empty line at `position` (returned, for the caller to append)."""
    if not pieces or pending is None:
        return []
    if pending == "line":
        pieces[-1] = dataclasses.replace(pieces[-1], hard_break=True)
        return []
    return [Line(0, position, position, "")]


_PHYSICAL_BREAK = re.compile(r"\r\n|\r|\n")
# Runs of lines without a blank line among them.
_BLANK_LINES = re.compile(r"(?:[^\S\r\n]*\S[^\r\n]*(?:\r\n|\r|\n|$))+")


def indented_code(text: str) -> list[tuple[int, int]]:
    """Character spans of the code in a markdown text's indented code blocks, as CommonMark's block parser finds
    them (four spaces after a blank line, not a list item's own indentation), each block taken by its chunks
    between blank lines and a chunk that reads as Chinese prose left out (`rules.reads_as_prose`)."""
    starts = [0] + [m.end() for m in _PHYSICAL_BREAK.finditer(text)]
    spans = []
    for token in _BLOCK.parse(text):
        if token.type != "code_block" or not token.map:
            continue
        first, last = token.map
        end = starts[last] if last < len(starts) else len(text)
        for chunk in _BLANK_LINES.finditer(text, starts[first], end):
            if chunk.group(0).strip() and not reads_as_prose(chunk.group(0)):
                spans.append((chunk.start(), chunk.end()))
    return spans


def _inside(position: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    index = bisect.bisect_right(starts, position) - 1
    return index >= 0 and position < spans[index][1]


def _numbered(line: Line, number: int) -> Line:
    """`line` numbered `number`: itself when it already is (every line before the first cut one), without the
    cost of `dataclasses.replace` on each of a capture's lines."""
    return line if line.number == number else dataclasses.replace(line, number=number)


def read_lines(text: str, indented: bool = False) -> list[tuple[Line, Markdown]]:
    """The lines of a markdown capture and what each says: `split_lines`, then every line outside code cut at
    its HTML (`cut_line`) and read (`read_markdown`); numbered in order. With `indented`, lines of CommonMark
    indented code blocks are code, kept as written; fenced lines are never cut (the parser reads fences)."""
    spans = indented_code(text) if indented else []
    starts = [start for start, _ in spans]
    read: list[tuple[Line, Markdown]] = []
    fenced = False
    for line in split_lines(text):
        if spans and _inside(line.start, spans, starts):
            read.append((line, Markdown(line.text, source=line.text, code=not line.is_blank)))
            continue
        # A line cut at its HTML is read piece by piece, so it is cut before it is read: reading the whole line
        # too (every tag through markdown-it) cost as much as the cutting and the pieces together.
        fence = _is_fence(line.text)
        pieces = [line] if fenced or fence else cut_line(text, line)
        if fence:
            fenced = not fenced
        if pieces == [line]:
            read.append((line, read_markdown(line.text)))
            continue
        read.extend((piece, read_markdown(piece.text)) for piece in pieces)
    return [(_numbered(line, number), md) for number, (line, md) in enumerate(read)]


# --- plain text with HTML tables ------------------------------------------------------------------------------

_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.IGNORECASE)


def _table_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost `<table>…</table>` in a line; an unclosed table runs to the line's end."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for found in _TABLE_TAG.finditer(text):
        if not found.group(1):
            if depth == 0:
                start = found.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, found.end()))
    if depth:
        spans.append((start, len(text)))
    return spans


def read_plain_lines(text: str) -> list[tuple[Line, Markdown]]:
    """The lines of a plain-text capture (one paragraph per line) and what each says. Plain text has no markup,
    except that a table an exporter left as HTML (`<table>…</table>` on one line, in a CSV cell) is read by the
    HTML reader: the line is cut at the table's edges, and the table is a line of its own whose `grid` holds
    its cells (a layout table is read as its text)."""
    read: list[tuple[Line, Markdown]] = []
    for line in split_lines(text):
        spans = _table_spans(line.text) if "<" in line.text else []
        if not spans:
            read.append((line, Markdown(line.text, source=line.text)))
            continue
        position = line.start
        for start, end in [*spans, (len(line.text), len(line.text))]:
            before = trimmed_line(text, 0, position, line.start + start)
            if not before.is_blank:
                read.append((before, Markdown(before.text, source=before.text)))
            if start == end:
                break
            table = trimmed_line(text, 0, line.start + start, line.start + end)
            fragment = read_fragment(table.text)
            read.append(
                (
                    table,
                    Markdown(
                        fragment.text if fragment.grid else _tidy(fragment.text),
                        source=table.text,
                        grid=fragment.grid,
                    ),
                )
            )
            position = line.start + end
    return [(_numbered(line, number), md) for number, (line, md) in enumerate(read)]
