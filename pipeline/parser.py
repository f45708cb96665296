"""Decoded text + capture format → one structured document (header, sections, paragraphs, credits, related).

The same steps run for every format; the format only supplies data (`pipeline/formats/`). Every line of the
raw text ends in exactly one place: a record (paragraph, heading, credit, related entry), a header field, or
the `dropped` list with the reason it was dropped (`renda show` prints it).

Steps:
1. split lines with offsets and read each line's markup (markdown formats only: `pipeline.markdown`, which also
   cuts a line at its `<br>` and block-element HTML and marks indented code);
2. head: from the top, consume chrome, header lines, images, promotion and credits;
3. tail: from the format's cut marker (or the end) upwards, consume chrome, the related list, credits,
   images, promotion and notes; short lines count only between two furniture lines;
4. body: group lines into blocks (one per line, or markdown paragraphs ended by a blank line or a hard break),
   joining lines the capture split mid-sentence;
5. classify blocks as headings, captions, list items or body paragraphs; build sections; mark lead sentences.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline import rules
from pipeline.dates import find_date, parse_date
from pipeline.fields import BODY_KINDS
from pipeline.formats.base import CaptureFormat, HeaderRule
from pipeline.html import Cell, Grid, grid_text
from pipeline.markdown import Markdown, block_text, read_inline, read_lines, read_markdown, read_plain_lines
from pipeline.metaline import is_control_line, read_meta_line
from pipeline.people import split_names, split_people
from pipeline.script import to_simplified
from pipeline.text import (
    EDGE_SPACE,
    Line,
    ends_sentence,
    has_clause_marks,
    join_wrapped,
    match_key,
    nfc,
    split_lines,
)

CONTINUATION_START = "。，、；：！？）」』”’,.;:!?)\u00a0"
OPENING_MARKS = {"“": "”", "（": "）", "《": "》", "「": "」", "『": "』", "(": ")"}


@dataclass(frozen=True, slots=True)
class Dropped:
    """A raw line that is in no record, and why. `line_number` counts lines as the parser splits them: a
    paragraph indent inside a line and a markdown line's `<br>` or block-element HTML start a new one."""

    line_number: int
    char_start: int
    char_end: int
    reason: str
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    """One line with what its markup says (`md`) and what it is in the document's frame."""

    line: Line
    md: Markdown

    @property
    def text(self) -> str:
        return self.md.text

    @property
    def blank(self) -> bool:
        return self.line.is_blank

    @property
    def image(self) -> bool:
        return not self.blank and bool(rules.IMAGE_LINE.fullmatch(self.line.text))

    @property
    def empty_markup(self) -> bool:
        """Only markup (an image, an empty link, a rule, `#`, `****`): nothing to read."""
        return not self.blank and (
            not self.md.text
            or bool(rules.HORIZONTAL_RULE.fullmatch(self.line.text))
            or bool(rules.HORIZONTAL_RULE.fullmatch(self.md.text))  # `\*\*\*` escaped in a rendered page
            or (bool(rules.LINK_ONLY_LINE.fullmatch(self.line.text)) and not self.md.text.strip())
            or (  # a stray `*`, `——` or `…` a converter left alone on a line
                len(self.md.text.strip()) <= rules.STRAY_MARK_MAX_CHARS
                and set(self.md.text.strip()) <= rules.STRAY_MARKS
            )
        )


@dataclass
class Block:
    rows: list[Row]
    text: str
    heading_level: int | None = None
    bold_only: bool = False
    bullet: bool = False
    bold_lead: str | None = None
    inline_image: bool = False
    before_image: bool = False
    kind: str | None = None  # "code" or "table" when the markup says so
    grid: Grid = ()  # a table's rows of cells

    @property
    def char_start(self) -> int:
        return self.rows[0].line.start

    @property
    def char_end(self) -> int:
        return self.rows[-1].line.end


@dataclass
class ParsedDocument:
    capture_format: str
    header: dict[str, str] = field(default_factory=dict)
    sections: list[dict[str, Any]] = field(default_factory=list)
    paragraphs: list[dict[str, Any]] = field(default_factory=list)
    credits: list[dict[str, Any]] = field(default_factory=list)
    related: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def body_paragraphs(self) -> list[dict[str, Any]]:
        return [p for p in self.paragraphs if p["kind"] in BODY_KINDS]


def read_rows(text: str, fmt: CaptureFormat) -> list[Row]:
    """The lines of a capture as the parser reads them (markdown formats: with their markup read)."""
    if fmt.markdown:
        return [Row(line, md) for line, md in read_lines(text, fmt.indented_code)]
    return [Row(line, md) for line, md in read_plain_lines(text)]


def parse_text(
    text: str, fmt: CaptureFormat, templates: Callable[[list[Row]], list[int]] | None = None
) -> ParsedDocument:
    """Parse one decoded capture with the rules of `fmt`.

    `templates` gives the rows that are page furniture learned from the document's origin
    (`pipeline.templates.template_rows`): they are dropped first, as `template`, before any rule reads the head
    or tail, and read as blank lines from then on.
    """
    doc = ParsedDocument(capture_format=fmt.name)
    rows = read_rows(text, fmt)
    if templates is not None:
        for index in templates(rows):
            row = rows[index]
            _drop(doc, row, "template")
            line = row.line
            rows[index] = Row(Line(line.number, line.start, line.start, ""), Markdown(""))
    body_start = _read_head(rows, fmt, doc)
    if fmt.date_search_lines and "date" not in doc.header:
        body_start = _search_date(rows, body_start, fmt.date_search_lines, doc)
    cut = _tail_cut(rows, body_start, fmt, doc)
    body_end = _read_tail(rows, body_start, cut, fmt, doc)
    blocks = _early_credits(_blocks(rows, body_start, body_end, fmt, doc), doc)
    _mark_signatures(blocks)
    _structure(blocks, doc)
    _dateline_credits(text, doc)
    _closing_reporter(text, doc)
    doc.credits = [
        {**credit, "item_index": i} for i, credit in enumerate(sorted(doc.credits, key=_credit_order))
    ]
    doc.dropped.sort(key=lambda d: d.line_number)
    return doc


def _dateline_credits(text: str, doc: ParsedDocument) -> None:
    """The reporter of a news dateline (`新华社巴黎12月9日电（记者唐霁）`) as a credit pointing into the paragraph."""
    for paragraph in doc.body_paragraphs[: rules.DATELINE_PARAGRAPHS]:
        start = paragraph["char_start"]
        found = rules.DATELINE_REPORTER.search(
            text, start, min(paragraph["char_end"], start + rules.DATELINE_SEARCH_CHARS)
        )
        if found is None or found.start() - start > rules.DATELINE_MAX_OFFSET:
            continue
        doc.credits.append(
            {
                "item_index": len(doc.credits),
                "role": rules.CREDIT_LABELS[found["label"]],
                "label": found["label"],
                "value": nfc(" ".join(found["value"].split())),
                "char_start": found.start("credit"),
                "char_end": found.end("credit"),
            }
        )
        return


def _closing_reporter(text: str, doc: ParsedDocument) -> None:
    """The reporter in brackets after the article's last sentence (`…举行。（张巨峰）`) as a credit pointing into the
    last paragraph, when no credit names an author or reporter yet."""
    body = doc.body_paragraphs
    if not body or any(credit["role"] in ("author", "reporter") for credit in doc.credits):
        return
    last = body[-1]
    found = rules.CLOSING_REPORTER.search(text, last["char_start"], last["char_end"])
    if found is None:
        return
    names = [name for name in re.split(r"[\s\u3000、]+", found["value"]) if name]
    if any(name in rules.NOT_A_NAME or name.endswith(rules.NOT_A_NAME_ENDINGS) for name in names):
        return
    if found["label"] is None and any(len(name) > rules.BARE_NAME_MAX_CHARS for name in names):
        return  # without 记者 a four-character word in brackets is a note (`（史上最全）`) more often than a name
    doc.credits.append(
        {
            "item_index": len(doc.credits),
            "role": rules.CREDIT_LABELS[found["label"]] if found["label"] else "reporter",
            "label": found["label"] or rules.BRACKETS_LABEL,  # the brackets are all that marks it
            "value": nfc(" ".join(names)),
            "char_start": found.start("credit"),
            "char_end": found.end("credit"),
        }
    )


def span_text(raw_text: str, char_start: int, char_end: int, markdown: bool, kind: str = "body") -> str:
    """Rebuild a paragraph's `text` from its raw span: the documented relation between text and offsets.

    The span's non-blank lines are trimmed and joined without a space between Chinese characters (one space
    between Latin words), then NFC-normalised. In a markdown format the lines are read as the parser reads them
    (`pipeline.markdown.read_lines`) and the paragraph's text is the inline reading of their markdown joined
    (`block_text`): markup removed, links kept as their text. Rows of table cells keep their line breaks. Code
    keeps its lines: trimmed non-blank lines joined by newlines, markup and all.
    """
    span = raw_text[char_start:char_end]
    if kind == "code":
        return nfc("\n".join(line.text for line in split_lines(span) if not line.is_blank))
    reader = read_lines if markdown else read_plain_lines
    readings = [md for line, md in reader(span) if not line.is_blank]
    if kind == "table":
        return grid_text(paragraph_grid(readings, markdown))
    if markdown:
        return nfc(block_text(md.source for md in readings))
    return nfc(join_wrapped([md.text for md in readings]))


# --- tables ---------------------------------------------------------------------------------------------------

_CELL_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def _cell_text(text: str) -> str:
    """A cell's text: runs of ASCII whitespace closed up to one space, edges trimmed, NFC (as `pipeline.html`
    reads an HTML cell)."""
    return nfc(_CELL_SPACE.sub(" ", text).strip(EDGE_SPACE))


# A `|` that separates the cells of a markdown pipe table (not escaped).
_PIPE = re.compile(r"(?<!\\)\|")


def is_separator(md: Markdown) -> bool:
    """The delimiter row of a pipe table (`---|---`, `:---|---:`)."""
    return "-" in md.source and bool(rules.TABLE_MARKUP.fullmatch(md.source))


def _pipe_cells(source: str) -> list[str]:
    """The cells of a pipe-table row as GFM splits them: at unescaped `|`, a leading and a trailing `|` being
    edges, not empty cells; each cell's inline markdown read (emphasis and links gone, escapes resolved)."""
    line = source.strip(EDGE_SPACE)
    parts = _PIPE.split(line)
    if line.startswith("|"):
        parts = parts[1:]
    if len(parts) > 1 and line.endswith("|") and not line.endswith("\\|"):
        parts = parts[:-1]
    return [read_inline(part).text for part in parts]


def paragraph_grid(readings: list[Markdown], markdown: bool) -> Grid:
    """The rows of cells of a `table` paragraph, from its lines as read: an HTML table's own cells; a pipe
    table's rows split at `|` (markdown formats), those above its `---|---` line header cells; a line with
    tabs split at the tabs; any other line one cell. Rows without cell text are left out. `grid_text` of the
    result is the paragraph's text."""
    header = markdown and any(is_separator(md) for md in readings)
    rows: list[tuple[Cell, ...]] = []
    for md in readings:
        if md.grid is not None:
            rows.extend(md.grid)
            continue
        if markdown and is_separator(md):
            header = False
            continue
        if rules.CELL_SEPARATOR in md.text.strip(EDGE_SPACE):
            texts = md.text.split(rules.CELL_SEPARATOR)
        elif markdown and _PIPE.search(md.source):
            texts = _pipe_cells(md.source)
        else:
            texts = [md.text]
        cells = tuple(Cell(_cell_text(text), is_header=header) for text in texts)
        if any(cell.text for cell in cells):
            rows.append(cells)
    return tuple(rows)


def _search_date(rows: list[Row], body_start: int, limit: int, doc: ParsedDocument) -> int:
    """The first date printed in the first `limit` non-blank lines that are not running text (a sentence's date
    is an event's); returns where the body starts.

    The line stays text, unless it is the body's first line and only dates the document (`rules.DATE_META_LINE`:
    a law's enactment note, a date alone): then it is header, and the body starts after it.
    """
    for index, row in enumerate(rows):
        if row.blank:
            continue
        limit -= 1
        found = None if rules.RUNNING_TEXT.search(row.line.text) else find_date(row.line.text)
        if found is not None:
            doc.header["date"] = found
            first_in_body = index >= body_start and all(r.blank for r in rows[body_start:index])
            if first_in_body and rules.DATE_META_LINE.fullmatch(row.line.text.strip()):
                return _date_meta_run(rows, index, doc)
            return body_start
        if limit == 0:
            break
    return body_start


def _date_meta_run(rows: list[Row], index: int, doc: ParsedDocument) -> int:
    """Drop the run of date meta lines that starts at `index` (a law's 题注: adopted, promulgated, amended …);
    returns where the body starts. The document's date is the run's latest: the date of this text version."""
    latest = doc.header["date"]
    end = index
    for row in rows[index:]:
        if row.blank:
            end += 1
            continue
        text = row.line.text.strip()
        found = find_date(text)
        if found is None or not rules.DATE_META_LINE.fullmatch(text):
            break
        _drop(doc, row, "header:date")
        latest = max(latest, found)
        end += 1
    doc.header["date"] = latest
    return end


def _credit_order(credit: dict[str, Any]) -> int:
    return int(credit["char_start"])


def _drop(doc: ParsedDocument, row: Row, reason: str) -> None:
    doc.dropped.append(Dropped(row.line.number, row.line.start, row.line.end, reason, row.line.text))


# --- furniture ------------------------------------------------------------------------------------------------


def _promo(row: Row) -> bool:
    text = to_simplified(row.text or row.line.text)
    if rules.PROMO_STRONG.search(text):
        return True
    return (
        len(text) <= rules.PROMO_WEAK_MAX_CHARS
        and "。" not in text  # a full stop anywhere makes it prose (`…情况。详情如下：`)
        and not (
            has_clause_marks(text) and text.endswith(("：", ":"))
        )  # `据统计，…，详情如下：` leads into text
        and bool(rules.PROMO_WEAK.search(text))
    )


def _furniture(row: Row, doc: ParsedDocument) -> str | None:
    """Why a non-blank line is page furniture rather than article text, or None."""
    if row.empty_markup or row.image:
        return "image" if row.image else "markup"
    if _promo(row):
        return "promotion"
    if is_control_line(row.text):
        return "controls"
    if rules.PUBLICATION_NOTE.fullmatch(row.text):
        return "publication_note"
    if rules.LINK_ITEM_LINE.fullmatch(row.line.text) or rules.LINK_FRAGMENT.fullmatch(row.line.text):
        return "link_list"
    if row.md.bold_only and len(row.text) <= rules.BOLD_FURNITURE_MAX_CHARS:
        return "bold_furniture"
    names = [
        n
        for n in (doc.header.get("account"), doc.header.get("author_slot"))
        if n and len(n) >= rules.ACCOUNT_NAME_MIN_CHARS
    ]
    if any(match_key(row.text) == match_key(name) for name in names):
        return "account_name"
    if _repeats_title(row.text, doc.header.get("title")):
        return "title_repeat"
    if any(re.match(rules.account_blurb(name), row.text) for name in names):
        return "account_blurb"
    return None


def _sentence_rest(rows: list[Row], index: int) -> int:
    """The end of the lines that finish the sentence `rows[index]` breaks off (`…与文章作者和本` / `公众号无关。`): the
    lines right after it, with no blank line between, up to the one that ends a sentence."""
    end = index + 1
    text = rows[index].text
    while (
        not ends_sentence(text)
        and end < len(rows)
        and not rows[end].blank
        and end - index < rules.BROKEN_SENTENCE_MAX_LINES
    ):
        text = rows[end].text
        end += 1
    return end if ends_sentence(text) else index + 1


def _title_run_end(rows: list[Row], index: int, doc: ParsedDocument) -> int:
    """The end of a run of lines (up to a blank one) that together print the title again, broken over lines as
    on the page; `index` itself when they do not."""
    end = index
    while end < len(rows) and not rows[end].blank and end - index < rules.TITLE_MAX_LINES:
        end += 1
    if end - index < 2 or (end < len(rows) and not rows[end].blank):
        return index
    return (
        end
        if _repeats_title("".join(row.text for row in rows[index:end]), doc.header.get("title"))
        else index
    )


def _repeats_title(text: str, title: str | None) -> bool:
    """A line that is the headline printed again: a video's caption under its player, or a decision's title
    repeated above its text with the passing note (`…的决议（2007年6月29日…通过）`)."""
    if not title or len(title) < rules.ACCOUNT_NAME_MIN_CHARS:
        return False
    key = match_key(title)
    return match_key(text) == key or match_key(rules.TRAILING_NOTE.sub("", text)) == key


# --- head -----------------------------------------------------------------------------------------------------


def _read_head(rows: list[Row], fmt: CaptureFormat, doc: ParsedDocument) -> int:
    """Consume chrome, header lines, furniture and credits from the top; return the first body row."""
    unused = list(fmt.header_rules)
    chrome_keys: set[str] = set()
    index = 0
    while index < len(rows):
        row = rows[index]
        if row.blank:
            index += 1
            continue
        if row.md.code or row.md.fence:
            return index  # code is article content (and a fence is read whole by `_blocks`): the body begins
        if (
            fmt.chrome.where(row.line.text) in ("head", "anywhere")
            or _breadcrumb(rows, index, fmt)
            or match_key(row.text) in chrome_keys  # the breadcrumb's last item printed again (`云南要闻`)
        ):
            _drop(doc, row, "chrome")
            chrome_keys.add(match_key(row.text))
            index += 1
            continue
        consumed = _header_rule_at(rows, index, unused, fmt, doc)
        if consumed:
            index += consumed
            continue
        if _header_bar(row) and _meta_line_at(row, doc, "header"):
            index += 1
            continue
        consumed = _credit_at(rows, index, doc)
        if consumed:
            index += consumed
            continue
        if _meta_line_at(row, doc, "header"):
            index += 1
            continue
        if (reason := _furniture(row, doc)) is not None and not _is_body_heading(rows, index, doc):
            end = _sentence_rest(rows, index) if reason == "promotion" else index + 1
            for line in rows[index:end]:
                _drop(doc, line, f"head:{reason}")
            index = end
            continue
        if (end := _title_run_end(rows, index, doc)) > index:
            for line in rows[index:end]:
                _drop(doc, line, "head:title_repeat")
            index = end
            continue
        return _summary_points(rows, index, doc)
    return len(rows)


def _summary_points(rows: list[Row], index: int, doc: ParsedDocument) -> int:
    """Drop the bullet-marked summary points from `index` when a news dateline follows them; the body start."""
    points = []
    for position in range(index, len(rows)):
        row = rows[position]
        if row.blank:
            continue
        if rules.SUMMARY_BULLET.match(row.text):
            points.append(row)
            continue
        if points and rules.NEWS_DATELINE.match(row.text):
            for point in points:
                _drop(doc, point, "head:summary")
            return position
        break
    return _pull_quotes(rows, index, doc)


def _pull_quotes(rows: list[Row], index: int, doc: ParsedDocument) -> int:
    """Drop the pull quotes a newspaper prints between its headline and its text; the body start.

    A pull quote is a line too long for a heading that never ends a sentence (`形成…的反腐倡廉法规制度体系，为…提供
    了坚强制度支撑`) and that the text repeats further down: body paragraphs end their sentences, and never stand
    twice."""
    if "title" not in doc.header:
        return index
    quotes: list[Row] = []
    end = index
    for position in range(index, len(rows)):
        row = rows[position]
        if row.blank:
            continue
        text = row.text.strip()
        if (
            len(text) <= rules.BARE_HEADING_MAX_CHARS
            or rules.RUNNING_TEXT.search(text)
            or text.endswith((*rules.CLAUSE_END, "：", ":"))  # runs on, or leads into what follows
            or row.md.heading_level
            or len(quotes) == rules.PULL_QUOTES_MAX
            or not _repeated_below(rows, position)
        ):
            break
        quotes.append(row)
        end = position + 1
    for quote in quotes:
        _drop(doc, quote, "head:summary")
    return end


def _repeated_below(rows: list[Row], index: int) -> bool:
    """Whether the opening of row `index` (its first `rules.PULL_QUOTE_KEY_CHARS` characters, as match keys) is
    printed again in a later row."""
    key = match_key(rows[index].text)[: rules.PULL_QUOTE_KEY_CHARS]
    return any(key in match_key(row.text) for row in rows[index + 1 :] if not row.blank)


def _header_rule_at(
    rows: list[Row], index: int, unused: list[HeaderRule], fmt: CaptureFormat, doc: ParsedDocument
) -> int:
    """Apply the first header rule that matches row `index`; return how many rows it consumed (0: none).

    Rules are ordered: once rule i matched, rules before it (and it) retire unless they are repeatable.
    """
    row = rows[index]
    for position, rule in enumerate(unused):
        if rule.before_indented and not _stands_above_indent(rows, index):
            continue
        found = rule.match(row.text, doc.header) if fmt.markdown else None
        if found is None:
            found = rule.match(row.line.text, doc.header)
        if found is None:
            continue
        block = found.pop("block", None)
        doc.header.update(found)
        _drop(doc, row, f"header:{rule.name}")
        consumed = 1
        if rule.block_follows and not block:
            for follower in rows[index + 1 :]:
                consumed += 1
                if follower.blank:
                    if consumed > 2:
                        break
                    continue
                _drop(doc, follower, f"header:{rule.name}")
        unused[:] = [r for r in unused[: position + 1] if r.repeatable] + unused[position + 1 :]
        return consumed
    return 0


def _header_bar(row: Row) -> bool:
    """A meta line with a date or several credits (`来源：本站原创  作者：X时间：…  浏览：33`, `来源: | 发布时间: …`): read
    as one bar before any single-credit reading, which would run its first value to the end of the line."""
    meta = read_meta_line(row.text)
    return meta is not None and (meta.date is not None or len(meta.credits) >= 2)


def _meta_line_at(row: Row, doc: ParsedDocument, zone: str) -> bool:
    """Read a head line made only of date, credits and page controls (`pipeline.metaline`); True if it was one.

    The credits point at the line's own characters when the line is read as printed, else at the whole line."""
    meta = read_meta_line(row.text)
    if meta is None:
        return False
    if meta.date is not None and "date" not in doc.header:
        doc.header["date"] = meta.date
    as_printed = row.text == row.line.text
    for credit in meta.credits:
        start = row.line.start + credit.start if as_printed else row.line.start
        end = row.line.start + credit.end if as_printed else row.line.end
        _add_credits(doc, [(start, end, credit.label, credit.value)])
    _drop(doc, row, f"{zone}:meta")
    return True


def _stands_above_indent(rows: list[Row], index: int) -> bool:
    """Row `index` is unindented and the next text line is an indented paragraph (`HeaderRule.before_indented`)."""
    following = _next_text(rows, index)
    return not rows[index].line.indented and following is not None and following.line.indented


def _is_body_heading(rows: list[Row], index: int, doc: ParsedDocument) -> bool:
    """A `#`, numbered or bold heading after the title opens the body; it is not furniture."""
    row = rows[index]
    if not (row.md.bold_only or row.md.heading_level) or _promo(row) or "title" not in doc.header:
        return False
    if _repeats_title(row.text, doc.header.get("title")):
        return False  # the page's headline inside its article element, under a title its metadata gave
    if row.md.heading_level and row.text:
        return True
    if rules.numbered(row.text):
        return True
    nxt = _next_text(rows, index)
    return nxt is not None and len(nxt.text) > rules.BARE_HEADING_MAX_CHARS and not _promo(nxt)


def _next_text(rows: list[Row], index: int) -> Row | None:
    for position in range(index + 1, len(rows)):
        if not rows[position].blank and not rows[position].empty_markup:
            return rows[position]
    return None


def _breadcrumb(rows: list[Row], index: int, fmt: CaptureFormat) -> bool:
    """`首页 > 政府信息公开 > …`: the format's separator lines (`Chrome.breadcrumb`) and the items they separate."""
    separators = fmt.chrome.breadcrumb
    if not separators:
        return False
    text = rows[index].line.text
    if text in separators:
        return True
    neighbours = [r.line.text for r in (rows[index - 1] if index else None, _next_row(rows, index)) if r]
    return len(text) <= rules.BREADCRUMB_ITEM_MAX_CHARS and any(n in separators for n in neighbours)


def _next_row(rows: list[Row], index: int) -> Row | None:
    for position in range(index + 1, len(rows)):  # no slice: copying the rest of the rows made this quadratic
        if not rows[position].blank:
            return rows[position]
    return None


# --- credits --------------------------------------------------------------------------------------------------


def _credit_at(rows: list[Row], index: int, doc: ParsedDocument) -> int:
    """Credits on row `index` (returns 1), a label whose value is on the next line (returns 2), or 0."""
    row = rows[index]
    parts = _credit_parts(row)
    if parts:
        _add_credits(doc, parts)
        return 1
    pair = _label_value(rows, index)
    if pair is None:
        return 0
    label, value_row = pair
    _add_credits(doc, [(row.line.start, value_row.line.end, label, value_row.text)])
    return value_row.line.number - index + 1


_LABEL_ONLY = re.compile(rf"({'|'.join(map(re.escape, rules.CREDIT_LABELS))})\s*[:：]")


def is_credit_line(row: Row) -> bool:
    """Whether the line is all credits (`责任编辑：X`, `本报记者  李  鹤`): the credit rules read it."""
    return bool(_credit_parts(row))


def _label_value(rows: list[Row], index: int) -> tuple[str, Row] | None:
    """`来源：` alone on a line with its value on the next line: (label, value row)."""
    label = _LABEL_ONLY.fullmatch(rows[index].text)
    nxt = _next_row(rows, index)
    if label and nxt is not None and len(nxt.text) <= rules.CREDIT_VALUE_MAX_CHARS and not _credit_parts(nxt):
        return label.group(1), nxt
    return None


def _credit_parts(row: Row) -> list[tuple[int, int, str, str]]:
    """(start, end, label, value) for each credit on the line; [] if the line is not all credits."""
    text = row.line.text
    parts: list[tuple[int, int, str, str]] = []
    offset = 0
    pieces = rules.CREDIT_SPLIT.split(text)
    for piece in pieces:
        local = text.index(piece, offset)
        offset = local + len(piece)
        cleaned = read_markdown(piece).text
        bracketed = rules.BRACKETED_CREDIT.fullmatch(cleaned)
        if bracketed is not None:
            cleaned = bracketed["inner"].strip()
        found = (
            rules.CREDIT_LINE.fullmatch(cleaned)
            or rules.BYLINE_CREDIT.fullmatch(cleaned)
            or rules.PHOTO_CREDIT.fullmatch(cleaned)
            or rules.SLASH_CREDIT.fullmatch(cleaned)
            or rules.SPACED_SOURCE_CREDIT.fullmatch(cleaned)
            or rules.SUPPLIED_BY.fullmatch(cleaned)
        )
        if found is None or len(found["value"]) > rules.CREDIT_VALUE_MAX_CHARS:
            return []
        parts.append(
            (row.line.start + local, row.line.start + local + len(piece), found["label"], found["value"])
        )
    return parts


def _add_credits(doc: ParsedDocument, parts: list[tuple[int, int, str, str]]) -> None:
    for start, end, label, value in parts:
        doc.credits.append(
            {
                "item_index": len(doc.credits),
                "role": rules.CREDIT_LABELS[label],
                "label": label,
                "value": nfc(value.strip()),
                "char_start": start,
                "char_end": end,
            }
        )


# --- tail -----------------------------------------------------------------------------------------------------


def _tail_cut(rows: list[Row], body_start: int, fmt: CaptureFormat, doc: ParsedDocument) -> int:
    """Index of the format's first end-of-article marker after the head (everything from it is chrome)."""
    if not fmt.tail_cut:
        return len(rows)
    for index in range(body_start, len(rows)):
        if match_key(rows[index].line.text) in fmt.tail_cut:
            for row in rows[index:]:
                if not row.blank:
                    _drop(doc, row, "chrome")
            return index
    return len(rows)


def _read_tail(rows: list[Row], body_start: int, cut: int, fmt: CaptureFormat, doc: ParsedDocument) -> int:
    """Consume chrome, related list, credits and furniture from the cut upwards; return the end of the body."""
    seen_tail_chrome = cut < len(rows)
    related_line = fmt.chrome.related
    related: list[dict[str, Any]] = []
    pending: list[tuple[Row, str]] = []  # weak furniture waiting for a strong line above it
    list_number: int | None = None  # the number of the numbered link item last read (`4、[…](http…)`)
    accepted_end = cut
    index = cut - 1
    while index >= body_start:
        row = rows[index]
        if row.blank:
            index -= 1
            continue
        if row.md.code or row.md.fence:
            break  # code is article content (and a fence is read whole by `_blocks`): the body ends here
        if fmt.chrome.where(row.line.text) in ("tail", "anywhere"):
            _drop(doc, row, "chrome")
            seen_tail_chrome = True
            pending, accepted_end = _accept(doc, pending), index
            index -= 1
            continue
        related_match = related_line.fullmatch(row.line.text) if related_line is not None else None
        if related_match is not None and seen_tail_chrome and not doc.credits:
            related.append(
                {
                    "column": nfc(related_match["column"]),
                    "title": nfc(related_match["title"].strip()),
                    "char_start": row.line.start,
                    "char_end": row.line.end,
                }
            )
            pending, accepted_end = _accept(doc, pending), index
            index -= 1
            continue
        if _credit_parts(row):
            _add_credits(doc, _credit_parts(row))
            pending, accepted_end = _accept(doc, pending), index
            index -= 1
            continue
        if _meta_line_at(row, doc, "tail"):
            pending, accepted_end = _accept(doc, pending), index
            index -= 1
            continue
        previous = _previous_row(rows, index, body_start)
        pair = _label_value(rows, previous.line.number) if previous is not None else None
        if previous is not None and pair is not None and pair[1] is row:
            _add_credits(doc, [(previous.line.start, row.line.end, pair[0], row.text)])
            pending, accepted_end = _accept(doc, pending), previous.line.number
            index = previous.line.number - 1
            continue
        reason = _furniture(row, doc)
        if reason is not None and _figure_label(
            row.text, row.md.bold_only, _before_image(rows, row.line.number)
        ):
            break  # `**攻击结果附图：**` above its pictures: the body's last heading, not furniture
        number = _item_number(row.line.text)
        if reason == "link_list":
            list_number = number
        elif number is not None and list_number is not None and number == list_number - 1:
            reason, list_number = "link_list", number  # an item of the numbered link list whose link was lost
        if reason is not None:
            pending.append((row, f"tail:{reason}"))
            pending, accepted_end = _accept(doc, pending), index
            index -= 1
            continue
        if len(row.text) <= rules.TAIL_SHORT_MAX_CHARS and not rules.numbered(row.text):
            pending.append((row, "tail:short"))
            index -= 1
            continue
        break
    doc.related = [{"item_index": i, **item} for i, item in enumerate(reversed(related))]
    return accepted_end


def _early_credits(blocks: list[Block], doc: ParsedDocument) -> list[Block]:
    """A byline among the first blocks of the body (`文/刘淑洋 亿欧专栏作者` under a lead line) or the last ones
    (`原文：alex@github` / `译文：…` above the original's address) is a credit, not a heading or a paragraph: the
    blocks without it."""
    kept = []
    for index, block in enumerate(blocks):
        near_edge = index < rules.EARLY_CREDIT_BLOCKS or index >= len(blocks) - rules.LATE_CREDIT_BLOCKS
        parts = _credit_parts(block.rows[0]) if near_edge and len(block.rows) == 1 else []
        if parts:
            _add_credits(doc, parts)
            _drop(doc, block.rows[0], "body:credit")
            continue
        kept.append(block)
    return kept


def _mark_signatures(blocks: list[Block]) -> None:
    """Blocks of a signature block (a letter's or a release's: signer, date, closing dateline) get that kind.

    They follow a letter or a speech, at the end or in the middle of a report that quotes one; they are neither
    headings nor body text. The signer is a name alone right above the date, perhaps under the office it signs for
    (`张扣扣委托辩护人` over `邓学平律师`): up to rules.SIGNER_LINES_MAX lines."""
    for index, block in enumerate(blocks):
        if block.kind is not None or len(block.rows) != 1:
            continue
        text = block.text.strip()
        dated = find_date(text) is not None and rules.DATE_META_LINE.fullmatch(text) and len(text) <= 16
        if dated or rules.CLOSING_DATELINE.fullmatch(text):
            block.kind = "signature"
            for above in reversed(blocks[max(0, index - rules.SIGNER_LINES_MAX) : index] if dated else []):
                if (
                    above.kind is not None
                    or len(above.rows) != 1
                    or not rules.SIGNER_NAME.fullmatch(above.text.strip())
                ):
                    break
                above.kind = "signature"


_ITEM_NUMBER = re.compile(r"\s*[（(]?(\d{1,2})[）)、．.]")


def _item_number(text: str) -> int | None:
    """The number a list item starts with (`3、`, `(3)`, `3.`), else None."""
    found = _ITEM_NUMBER.match(text)
    return int(found.group(1)) if found is not None else None


def _figure_label(text: str, bold_only: bool, before_image: bool) -> bool:
    """A short bold label right above a picture (`**攻击结果附图：**`): it heads the figures below it, as a
    `label` heading in the body and as the body's last line when furniture follows the figures."""
    return (
        bold_only
        and before_image
        and text.endswith(("：", ":"))
        and len(text) <= rules.LABEL_HEADING_MAX_CHARS
    )


def _before_image(rows: list[Row], number: int) -> bool:
    """The next non-blank line after line `number` is an image."""
    nxt = _next_row(rows, number)
    return nxt is not None and nxt.image


def _accept(doc: ParsedDocument, pending: list[tuple[Row, str]]) -> list[tuple[Row, str]]:
    for row, reason in pending:
        _drop(doc, row, reason)
    return []


def _previous_row(rows: list[Row], index: int, floor: int) -> Row | None:
    for row in reversed(rows[floor:index]):
        if not row.blank:
            return row
    return None


# --- body blocks ----------------------------------------------------------------------------------------------


def _related_list_rows(rows: list[Row], start: int, end: int) -> set[int]:
    """Line numbers of the lists of links to other articles inside the body (`**推荐阅读**` and the linked titles
    under it): they stand above the references or the sign-off, so the tail reader does not reach them, and
    they are not the article's text."""
    taken: set[int] = set()
    lines = [row for row in rows[start:end] if not row.blank]
    for index, row in enumerate(lines):
        if not rules.RELATED_LIST_HEAD.fullmatch(row.text):
            continue
        items = list(
            itertools.takewhile(
                lambda item: bool(
                    rules.LINK_ITEM_LINE.fullmatch(item.line.text)
                    or rules.LINK_FRAGMENT.fullmatch(item.line.text)
                ),
                lines[index + 1 :],
            )
        )
        if len(items) >= rules.RELATED_LIST_MIN_ITEMS:
            taken.update(r.line.number for r in (row, *items))
    return taken


def _blocks(rows: list[Row], start: int, end: int, fmt: CaptureFormat, doc: ParsedDocument) -> list[Block]:
    """Group body rows into blocks; drop images and markup; join lines the capture split mid-sentence.

    Markdown fences: one short fenced line is inline code the converter fenced, so it stays in its sentence
    (and blank lines after it do not end the block); a longer fence is a `code` block, and so is a run of lines
    of an indented code block (`Markdown.code`). A pipe table (header rows with `|`, right below them a `---|---`
    line, then `|` rows up to a blank or other line) is one `table` block, the `---|---` line inside its span;
    html2text's broken tables (a `---|---` or `|` line between blank lines) make their neighbouring cells `table`
    blocks; lines read as an HTML table (`Markdown.table`) or holding tabs are a row run of their own. A table
    block's text is its cells' (`paragraph_grid`).
    A block's text is the inline reading of its lines' markdown together (`block_text`), so a link or bold run
    broken across lines is read whole.
    """
    blocks: list[Block] = []
    run: list[Row] = []
    joined = _RunText()
    table_run = False  # the run is rows of cells (tab-separated): it becomes one `table` block
    glue = False
    fence: list[Row] | None = None
    fence_open: Row | None = None
    next_is_table = False
    pipe_table = False  # the run is a pipe table below its `---|---` line: `|` rows go on it
    code: list[Row] = []  # lines of an indented code block

    def flush(kind: str | None = None, rows_: list[Row] | None = None) -> None:
        nonlocal run, joined, next_is_table, table_run, pipe_table
        taken = rows_ if rows_ is not None else run
        if rows_ is None and table_run:
            kind, table_run, pipe_table = "table", False, False
        if not taken:
            return
        first = taken[0].md
        kind = kind or ("table" if next_is_table else None)
        grid: Grid = ()
        if kind == "code":
            text = nfc("\n".join(r.line.text for r in taken))
        elif kind == "table":
            grid = paragraph_grid([r.md for r in taken], fmt.markdown)
            text = grid_text(grid)  # rows by newline, cells by tab
        elif fmt.markdown:
            text = nfc(block_text(r.md.source for r in taken))
        else:
            text = nfc(join_wrapped([r.text for r in taken if r.text]))
        if kind == "table" and not grid:  # cells without text: only table markup, nothing to read
            for taken_row in taken:
                _drop(doc, taken_row, "table_markup")
        else:
            blocks.append(
                Block(
                    rows=taken,
                    text=text,
                    heading_level=first.heading_level if len(taken) == 1 else None,
                    bold_only=len(taken) == 1 and first.bold_only,
                    bullet=first.bullet,
                    bold_lead=first.bold_lead,
                    inline_image=first.inline_image,
                    kind=kind,
                    grid=grid,
                )
            )
        next_is_table = False
        if rows_ is None:
            run = []
            joined = _RunText()

    related_list = _related_list_rows(rows, start, end)
    for row in rows[start:end]:
        if row.line.number in related_list:
            flush()
            _drop(doc, row, "body:link_list")
            continue
        if fence is not None:
            if not row.md.fence:
                fence.append(row)
                continue
            opening = fence_open
            content = [r for r in fence if not r.blank]
            inline = len(content) == 1 and len(content[0].line.text) <= rules.INLINE_FENCE_MAX_CHARS and run
            if inline:
                run.extend(content)  # the fence markers stay inside the paragraph's span
                for fenced in content:
                    joined.add(fenced.text)
                glue = True
            else:
                _drop(doc, opening, "markup")
                _drop(doc, row, "markup")
                flush()
                if content:
                    flush("code", content)
            fence = None
            continue
        if row.md.fence:
            fence = []
            fence_open = row
            continue
        if row.md.code:
            flush()
            code.append(row)
            continue
        if code and not row.blank:
            flush("code", code)
            code = []
        if row.blank:
            if fmt.markdown and not glue:
                flush()
            continue
        if (
            row.md.table
            or rules.CELL_SEPARATOR in row.text.strip()
            or (pipe_table and _PIPE.search(row.md.source))
        ):
            # table cells (HTML tables, tab-separated rows, the rows of a pipe table)
            if run and not table_run:
                flush()
            run.append(row)
            table_run = True
            continue
        if (
            fmt.markdown
            and is_separator(row.md)
            and run
            and not table_run
            and all(_PIPE.search(r.md.source) for r in run)
        ):
            # A pipe table's `---|---` right below its header row: the header, this line and the rows below it
            # are one table paragraph (the line is its markup, inside its span).
            run.append(row)
            table_run = pipe_table = True
            continue
        if table_run:
            flush()
        if rules.TABLE_MARKUP.fullmatch(row.line.text):
            if run:
                next_is_table = True
                flush()
            elif blocks and blocks[-1].rows[-1].line.number == _previous_text_line(rows, row.line.number):
                _make_table(blocks[-1], fmt.markdown)
            _drop(doc, row, "table_markup")
            next_is_table = True
            glue = False
            continue
        if fmt.chrome.where(row.line.text) == "anywhere":
            flush()
            _drop(doc, row, "chrome")
            continue
        if row.image or row.empty_markup:
            flush()
            _drop(doc, row, "image" if row.image else "markup")
            continue
        if rules.BODY_PROMO.search(row.text) and (
            len(row.text) <= rules.BODY_PROMO_MAX_CHARS or row.md.bold_only
        ):
            flush()
            _drop(doc, row, "body:promotion")
            continue
        if rules.END_MARK.fullmatch(row.text):
            flush()
            _drop(doc, row, "body:end_mark")
            continue
        if run and not glue and not _continues(run, joined, row, fmt):
            flush()
        glue = False
        inline_bold = row.md.bold_only and bool(run) and _mid_sentence(joined)
        run.append(row)
        joined.add(row.text)
        standalone = (
            row.md.heading_level or row.md.bullet or (row.md.bold_only and fmt.markdown and not inline_bold)
        )
        if standalone and not _next_continues(rows, row, end):
            flush()
    if code:
        flush("code", code)
    if fence is not None:  # a fence never closed: its lines are code
        assert fence_open is not None
        _drop(doc, fence_open, "markup")
        flush()
        if any(not r.blank for r in fence):
            flush("code", [r for r in fence if not r.blank])
    flush()
    for block in blocks:
        block.before_image = _before_image(rows, block.rows[-1].line.number)
        block.bullet = block.bullet or _tight_list_item(rows, block)
    return blocks


def _make_table(block: Block, markdown: bool) -> None:
    """A block read as text turns out to be a table (a `---|---` line follows it): its cells, and its text
    read from them (unless no cell holds text)."""
    grid = paragraph_grid([r.md for r in block.rows], markdown)
    if grid:
        block.kind, block.grid, block.text = "table", grid, grid_text(grid)


def _tight_list_item(rows: list[Row], block: Block) -> bool:
    """A `1. ` item with another item on the line right before or after it: an item of a markdown list (a list
    item, never a heading). A numbered line standing alone between blank lines keeps its reading as text."""
    if block.rows[0].md.ordered is None or block.kind is not None:
        return False
    before, after = block.rows[0].line.number - 1, block.rows[-1].line.number + 1
    neighbours = [rows[i] for i in (before, after) if 0 <= i < len(rows)]
    return any(not row.blank and row.md.ordered is not None for row in neighbours)


def _previous_text_line(rows: list[Row], number: int) -> int | None:
    for position in range(number - 1, -1, -1):
        if not rows[position].blank:
            return rows[position].line.number
    return None


@dataclass
class _RunText:
    """What `_continues` needs of a growing block's joined text, kept as rows are added (never re-joined:
    re-joining the whole block for every new row made long captures quadratic)."""

    balance: Counter[str] = field(default_factory=Counter)
    tail: str = ""

    def add(self, text: str) -> None:
        for opening, closing in OPENING_MARKS.items():
            self.balance[opening] += text.count(opening) - text.count(closing)
        self.tail = (self.tail + text)[-rules.RUN_TAIL_CHARS :]

    def open_quote(self) -> bool:
        """An opening quote or bracket without its closing partner near the end: the sentence goes on."""
        window = self.tail[-rules.OPEN_QUOTE_WINDOW_CHARS :]
        return any(self.balance[opening] > 0 and opening in window for opening in OPENING_MARKS)


def _continues(run: list[Row], joined: _RunText, row: Row, fmt: CaptureFormat) -> bool:
    """Whether `row` belongs to the block in `run` (soft wrap, or a sentence the capture split)."""
    previous = run[-1]
    text = row.text
    if row.md.heading_level or row.md.bullet or previous.md.heading_level or row.line.indented:
        return False  # an indented line opens a paragraph of its own
    # A list item: `1.` may interrupt a paragraph, and a later number follows an item (CommonMark).
    if row.md.ordered is not None and (row.md.ordered == 1 or run[0].md.ordered is not None):
        return False
    if text[:1] in CONTINUATION_START:
        return True
    if joined.open_quote():
        return True
    if len(previous.text) == 1 and len(text) <= rules.SPELLED_OUT_MAX_CHARS:
        return True  # text set one character per line (`本` / `周` / … / `为中`): one sentence, not many
    if (
        fmt.markdown
        and previous.line.hard_break
        and _broken_at_emphasis(previous, joined)
        and not row.md.bold_only
    ):
        return True
    if fmt.markdown and not previous.line.hard_break and (not previous.md.bold_only or len(run) > 1):
        # A bold line goes on a sentence the line above left at a comma (`…我萌生了一个想法，` / `**…会不会有问题
        # 呢？**`): emphasis inside the paragraph, which goes on after it. Otherwise it stands alone.
        return not row.md.bold_only or _mid_sentence(joined)
    short_fragment = (
        len(text) <= rules.WRAPPED_FRAGMENT_MAX_CHARS
        and not ends_sentence(joined.tail)
        and not joined.tail.endswith(("：", ":"))
    )
    return short_fragment and not rules.heading_style(text)


def _broken_at_emphasis(previous: Row, joined: _RunText) -> bool:
    """A converter breaks the line after an inline bold run (`使用 **Zeek (原 Bro)**` / `或 **Corelight**` /
    `等工具采集的…。`, each line with a hard break): a line that ends in emphasis with its sentence unfinished goes
    on, unlike a bold line of its own (a heading) or a sentence or label that ends there."""
    return (
        not previous.md.bold_only
        and previous.md.source.rstrip().endswith(("**", "__"))
        and not ends_sentence(joined.tail)
        and not joined.tail.endswith(("：", ":"))
    )


def _mid_sentence(joined: _RunText) -> bool:
    """The run so far stops inside a sentence, at a comma or an enumeration mark."""
    return joined.tail.endswith(rules.CLAUSE_END)


def _next_continues(rows: list[Row], row: Row, end: int) -> bool:
    position = row.line.number + 1
    if position >= min(end, len(rows)):
        return False
    nxt = rows[position]
    return not nxt.blank and nxt.text[:1] in CONTINUATION_START and bool(nxt.text)


# --- structure ------------------------------------------------------------------------------------------------


def _heading_style(block: Block, is_last: bool) -> str | None:
    text = block.text
    if len(block.rows) != 1 or not text or block.kind is not None or block.inline_image:
        return None
    if text.endswith(("：", ":")):
        # A bold label line (`**攻击结果附图：**`) heads what follows only when a figure follows it, or when it is
        # one short word (`**点评：**`, `**译文：**`) over text; a longer one is a salutation or a lead-in.
        word = block.bold_only and len(text) - 1 <= rules.LABEL_WORD_MAX_CHARS and not is_last
        return "label" if word or _figure_label(text, block.bold_only, block.before_image) else None
    if is_last or (rules.CAPTION_PREFIX.match(text) and len(text) <= rules.CAPTION_MAX_CHARS):
        return None
    if rules.CAPTION_LEAD.match(text) and len(text) <= rules.CAPTION_LEAD_MAX_CHARS:
        return None  # `**图为…启动仪式。（刘通摄）**`: a caption, bold or not
    if block.before_image and not (block.bold_only or block.heading_level or rules.numbered(text)):
        return None  # a plain short line right above a picture labels the picture (a numbered one heads it)
    numbered = rules.heading_style(text)
    if block.heading_level and len(text) > rules.BOLD_HEADING_MAX_CHARS and ends_sentence(text):
        return None  # a summary of several sentences set as a heading (`## 习近平发表重要讲话强调，…。`) reads as text
    if block.heading_level:
        return numbered if numbered not in (None, rules.BARE_STYLE) else f"h{block.heading_level}"
    if rules.NUMBERING_ONLY.fullmatch(text):
        return None
    asks = text.endswith(("？", "?"))  # a bold question heads its answer (`**Q1.为什么要改版？**`)
    if block.bold_only and (asks or not ends_sentence(text)) and len(text) <= rules.BOLD_HEADING_MAX_CHARS:
        return numbered if numbered not in (None, rules.BARE_STYLE) else "bold"
    if block.bullet:
        return None
    return numbered


def _without_attributions(blocks: list[Block], styles: list[str | None]) -> list[str | None]:
    """A dash line after text (`——（奥地利）西格蒙德·弗洛伊德` under a quotation, `——编 者` under a note) says who
    wrote the lines above it: text, not a heading. Under a heading (`《冬夜读书示子聿》` / `——（宋）陆游`) it is the
    heading's second line and keeps its style."""
    kept = list(styles)
    for index, block in enumerate(blocks):
        after_text = index == 0 or kept[index - 1] is None
        if kept[index] is not None and after_text and rules.ATTRIBUTION.match(block.text):
            kept[index] = None
    return kept


def _with_chapter_numbers(blocks: list[Block], styles: list[str | None]) -> list[str | None]:
    """A number standing alone on its line (`01`, `**2**`) right above a heading is the chapter's number, which
    magazines and WeChat editors set over the chapter's title: a heading of its own. Anywhere else a bare number
    is text (a page number, a count)."""
    kept = list(styles)
    for index, block in enumerate(blocks[:-1]):
        if kept[index] is None and kept[index + 1] is not None and _chapter_number(block):
            kept[index] = rules.CHAPTER_NUMBER_STYLE
    return kept


def _with_parallel_headings(blocks: list[Block], styles: list[str | None]) -> list[str | None]:
    """A plain line named like sibling headings of one style (`1、工行高管团队及其他重要人员`, `1、建行…`; the line
    `邮储银行高管团队及其他重要人员：一正六副`, which its writer left unnumbered) is one more heading of that style, even
    above a picture, where a plain line otherwise labels the picture."""
    kept = list(styles)
    # the headings' words by their first and by their last character: a line shares a frame only with headings
    # that start or end as it does (a law has hundreds of headings and of short lines)
    by_end: dict[str, list[tuple[int, str, str]]] = {}
    for position, (block, style) in enumerate(zip(blocks, styles, strict=True)):
        words = rules.heading_words(block.text) if style is not None else ""
        if words and style is not None:
            by_end.setdefault(words[0], []).append((position, words, style))
            if words[-1] != words[0]:
                by_end.setdefault(words[-1], []).append((position, words, style))
    for index, block in enumerate(blocks):
        if kept[index] is not None or not _may_be_parallel_heading(block):
            continue
        label = rules.parallel_label(block.text)
        if not label:
            continue
        near = by_end.get(label[0], []) + (by_end.get(label[-1], []) if label[-1] != label[0] else [])
        siblings = Counter(style for _, words, style in set(near) if rules.frame_shared(label, words))
        style, count = max(siblings.items(), key=lambda item: (item[1], item[0]), default=(None, 0))
        if count >= rules.PARALLEL_SIBLINGS_MIN and style != rules.CHAPTER_NUMBER_STYLE:
            kept[index] = style
    return kept


def _may_be_parallel_heading(block: Block) -> bool:
    """A short plain line; a numbered one has had its reading, and one ending in a colon introduces what follows."""
    text = block.text
    return (
        len(block.rows) == 1
        and block.kind is None
        and not block.bullet
        and not block.inline_image
        and len(text) <= rules.BARE_HEADING_MAX_CHARS
        and not ends_sentence(text)
        and not text.endswith((*rules.CLAUSE_END, "：", ":"))
        and not rules.numbered(text)
        and not rules.CAPTION_PREFIX.match(text)
        and not rules.CAPTION_LEAD.match(text)
    )


def _chapter_number(block: Block) -> bool:
    return (
        len(block.rows) == 1
        and block.kind is None
        and not block.bullet
        and bool(rules.CHAPTER_NUMBER.fullmatch(block.text))
    )


def _is_caption(block: Block) -> bool:
    text = block.text
    if text.endswith(("：", ":")):
        return False  # `下图为此次攻击行动中的分析：` introduces the picture: a paragraph
    if rules.CAPTION_LEAD.match(text) and len(text) <= rules.CAPTION_LEAD_MAX_CHARS:
        return True
    if len(text) > rules.CAPTION_MAX_CHARS or ends_sentence(text) or text.endswith(("：", ":")):
        return False
    if rules.CAPTION_PREFIX.match(text) or block.inline_image:
        return True
    return block.before_image and not (block.bold_only or block.heading_level or rules.numbered(text))


def _structure(blocks: list[Block], doc: ParsedDocument) -> None:
    """Headings open sections; everything else is a paragraph of the current section."""
    style_levels: dict[str, int] = {}
    styles = [_heading_style(b, is_last=i == len(blocks) - 1) for i, b in enumerate(blocks)]
    styles = _without_heading_runs(blocks, styles)
    styles = _without_attributions(blocks, styles)
    styles = _with_chapter_numbers(blocks, styles)
    styles = _with_parallel_headings(blocks, styles)
    for block, style in zip(blocks, styles, strict=True):
        if style is not None:
            level = style_levels.setdefault(style, len(style_levels) + 1)
            doc.sections.append(
                {
                    "section_index": len(doc.sections),
                    "heading": block.text,
                    "level": level,
                    "char_start": block.char_start,
                    "char_end": block.char_end,
                }
            )
            continue
        if not doc.sections:
            doc.sections.append(
                {"section_index": 0, "heading": None, "level": 0, "char_start": None, "char_end": None}
            )
        kind = block.kind or ("caption" if _is_caption(block) else "list_item" if block.bullet else "body")
        if kind == "table":
            doc.tables.extend(_cell_rows(block.grid, len(doc.paragraphs)))
        doc.paragraphs.append(
            {
                "section_index": doc.sections[-1]["section_index"],
                "paragraph_index": len(doc.paragraphs),
                "kind": kind,
                "text": block.text,
                "lead_sentence": _bold_lead(block),
                "char_start": block.char_start,
                "char_end": block.char_end,
            }
        )
    _mark_lead_sentences(doc)


def _without_heading_runs(blocks: list[Block], styles: list[str | None]) -> list[str | None]:
    """Plain lines of one heading style standing one after another with no text between them are a list (names,
    a contact block, `（一）《…协定》`, `（二）《…备忘录》`, …), not a heading above each, since none of them heads
    any text: a run of `rules.BARE_RUN_MIN` or more loses its heading style. A heading over its subheading (two
    lines) stays, and so do lines marked as headings (`#`, bold)."""
    result = list(styles)
    start = 0
    while start < len(result):
        end = start
        while end < len(result) and _plain_style(blocks[end], result[end]) == _plain_style(
            blocks[start], result[start]
        ):
            end += 1
        if _plain_style(blocks[start], result[start]) and end - start >= rules.BARE_RUN_MIN:
            result[start:end] = [None] * (end - start)
        start = max(end, start + 1)
    return result


def _plain_style(block: Block, style: str | None) -> str | None:
    """The heading style of a line that only its wording makes a heading (no `#`, no bold), else None."""
    return None if block.heading_level or block.bold_only else style


def _cell_rows(grid: Grid, paragraph_index: int) -> list[dict[str, Any]]:
    """`tables` rows of one table paragraph: a row per cell, an empty cell's text null."""
    return [
        {
            "paragraph_index": paragraph_index,
            "row_index": row_index,
            "cell_index": cell_index,
            "text": cell.text or None,
            "is_header": cell.is_header,
            "row_span": cell.row_span,
            "col_span": cell.col_span,
        }
        for row_index, row in enumerate(grid)
        for cell_index, cell in enumerate(row)
    ]


def _bold_lead(block: Block) -> str | None:
    """A bold run that opens a paragraph (`**一是应急响应。**…`) is its lead sentence."""
    lead = block.bold_lead
    if lead and block.text.startswith(lead) and len(lead) < len(block.text):
        return lead
    return None


def _mark_lead_sentences(doc: ParsedDocument) -> None:
    by_section: dict[int, list[tuple[dict[str, Any], str]]] = {}
    openers: Counter[tuple[int, str]] = Counter()
    for paragraph in doc.paragraphs:
        if paragraph["kind"] not in BODY_KINDS or paragraph["lead_sentence"]:
            continue
        opener = rules.PARALLEL_OPENER.match(paragraph["text"])
        if opener:
            openers[(paragraph["section_index"], opener.group(1))] += 1
    for paragraph in doc.paragraphs:
        if paragraph["kind"] not in BODY_KINDS or paragraph["lead_sentence"]:
            continue
        candidate = rules.lead_candidate(paragraph["text"])
        opener = rules.PARALLEL_OPENER.match(paragraph["text"])
        if (
            candidate is None
            and opener
            and openers[(paragraph["section_index"], opener.group(1))] >= rules.PARALLEL_OPENER_MIN_PARAGRAPHS
        ):
            sentence = rules.first_sentence(paragraph["text"])
            if sentence and len(sentence) <= rules.LEAD_PARALLEL_MAX_CHARS:
                candidate = sentence
        if candidate is not None:
            by_section.setdefault(paragraph["section_index"], []).append((paragraph, candidate))
    for candidates in by_section.values():
        if len(candidates) >= rules.LEAD_MIN_PER_SECTION:
            for paragraph, sentence in candidates:
                paragraph["lead_sentence"] = sentence


# --- documents fields -----------------------------------------------------------------------------------------


def author_slot_person(slot: str | None, header: dict[str, str], source: str | None) -> str | None:
    """The header's author slot if it names a person: not the account, an organisation or a slogan."""
    if not slot:
        return None
    key = match_key(slot)
    account = match_key(header.get("account") or "")
    if account and (key in account or account in key):
        return None
    if source and match_key(source) == key:
        return None
    if slot.endswith(rules.ORGANISATION_SUFFIXES) or any(m in slot for m in rules.SLOGAN_MARKERS):
        return None
    return slot


def _once_each(names: list[str], positions: list[str | None]) -> tuple[list[str], list[str | None]]:
    """Each person once, in order of first mention (a page's author field and the byline in its text name the same
    person); the position is the first one given for them."""
    kept: dict[str, str | None] = {}
    for name, position in zip(names, positions, strict=True):
        if kept.get(name) is None:
            kept[name] = position
    return list(kept), list(kept.values())


def _closing_signer(doc: ParsedDocument) -> tuple[str, str] | None:
    """The person who signs the document where it ends (the signature block after its last paragraph of text) with
    their profession: name and profession. A letter quoted inside a report is signed by someone who did not write
    the report, and its signature block has text after it."""
    for paragraph in reversed(doc.paragraphs):
        if paragraph["kind"] != "signature":
            return None
        found = rules.SIGNER_PERSON.fullmatch(paragraph["text"].strip())
        if found is not None:
            return found["name"], found["position"]
    return None


def document_fields(doc: ParsedDocument) -> dict[str, Any]:
    """Header and credit fields of the `documents` table, from the parsed header and credits."""
    authors: list[str] = []
    positions: list[str | None] = []
    editors: list[str] = []
    source: str | None = None
    for credit in doc.credits:
        if credit["role"] == "source" and source is None:
            source = credit["value"]
    for credit in doc.credits:
        if credit["role"] in rules.AUTHOR_ROLES:
            for name, position in split_people(credit["value"]):
                authors.append(name)
                positions.append(position)
        elif credit["role"] == "editor":
            editors.extend(split_names(credit["value"]))
    header = doc.header
    if not authors:
        slot = author_slot_person(header.get("author_slot"), header, source)
        if slot is not None:
            for name in split_names(slot):
                if not name.endswith("等"):
                    authors.append(name)
                    positions.append(None)  # an author slot names people, never their position
    if not authors and header.get("byline_name"):
        authors.append(re.sub(r"\s+", "", header["byline_name"]))
        positions.append(header.get("byline_position"))
    if not authors and (signer := _closing_signer(doc)) is not None:
        authors.append(signer[0])
        positions.append(signer[1])
    authors, positions = _once_each(authors, positions)
    editors = list(dict.fromkeys(editors))
    body = doc.body_paragraphs
    return {
        "account": nfc(header["account"]) if header.get("account") else None,
        "published_date": parse_date(header.get("date")),
        "column": nfc(header["column"]) if header.get("column") else None,
        "title": nfc(header["title"]) if header.get("title") else None,
        "kicker": nfc(header["kicker"]) if header.get("kicker") else None,
        "subtitle": nfc(header["subtitle"]) if header.get("subtitle") else None,
        "authors": authors,
        "author_positions": positions,
        "editors": editors,
        "source": source,
        "n_sections": len(doc.sections),
        "n_paragraphs": len(body),
        "n_chars": sum(len(p["text"]) for p in body),
    }
