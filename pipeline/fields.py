"""The field dictionary: the single place where every column of every table is described.

Pydantic models (`models.py`), Arrow schemas (`arrow.py`), `schemas/*.json` and the datasheet are all generated
from here, so a column name means one thing everywhere (`doc_id` in `paragraphs` is the `doc_id` of
`documents`). Naming follows a written convention: `_id` for identifiers, `_index` for 0-based positions,
`n_` for counts, `char_start`/`char_end` for offsets, `is_` for booleans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.formats import FORMATS
from pipeline.issuers import ISSUER_EVIDENCE, ISSUER_LEVELS, ISSUER_TYPES
from pipeline.logical_types import LOGICAL_TYPES
from pipeline.rules import CREDIT_ROLE_LABELS


@dataclass(frozen=True)
class Field:
    """One column. `allowed` turns a string column into a closed vocabulary; `minimum` bounds integers."""

    name: str
    type: str  # a key of pipeline.logical_types.LOGICAL_TYPES
    description: str
    description_zh: str
    example: object
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: int | None = None
    pattern: str | None = None
    # Few distinct values: loaded as a pandas category (closed vocabularies are categories anyway).
    category: bool = False

    def __post_init__(self) -> None:
        if self.type not in LOGICAL_TYPES:
            raise ValueError(f"field {self.name}: unknown logical type {self.type!r}")

    @property
    def is_category(self) -> bool:
        return self.category or self.allowed is not None


@dataclass(frozen=True)
class Table:
    """One release table: its columns in order, its primary key and how its rows are ordered."""

    name: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[str, ...]
    usage_notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fields(self) -> list[Field]:
        return [FIELDS[name] for name in self.columns]


# Container kinds (files holding one article per row or item); `pipeline.containers` maps suffixes onto them.
CONTAINER_KINDS = ("csv", "tsv", "jsonl", "json", "parquet", "feed")
# Derived from the registry: a format added under pipeline/formats/ is a valid value without another edit.
CAPTURE_FORMATS = tuple(FORMATS)
# The kinds that are the article's running text: counted in n_paragraphs/n_chars, read by the research layers.
BODY_KINDS = ("body", "list_item")
PARAGRAPH_KINDS = (*BODY_KINDS, "caption", "code", "table", "signature")
# Header fields whose coverage (documents with a value: not null, not an empty list) the metrics and the
# datasheet report.
COVERAGE_FIELDS = ("title", "account", "published_date", "column", "source", "authors", "editors")
# Kinds of a title cited in 《》; `pipeline.layers.citations` maps title endings and context words onto them.
CITATION_KINDS = (
    "law",
    "regulation",
    "opinion",
    "measure",
    "plan",
    "decision",
    "notice",
    "report",
    "speech",
    "proposal",
    "agreement",
    "statement",
    "publication",
    "work",
    "other",
)
CREDIT_ROLES = tuple(CREDIT_ROLE_LABELS)  # the roles a credit label maps onto (`rules.CREDIT_ROLE_LABELS`)
STAGES = ("ingest", "parse", "validate")
# Why an input was rejected: each code with what it means (the datasheet prints this table).
REJECT_REASON_DESCRIPTIONS: dict[str, str] = {
    "empty_file": "The file has 0 bytes.",
    "blank_file": "The file decodes to whitespace only.",
    "binary_file": "The bytes are an image, archive, PDF or other binary format (signature or NUL bytes).",
    "undecodable": "No supported encoding decodes the bytes.",
    "garbled_text": "The bytes decode, but only into mojibake: UTF-8 lines read as GB18030, mixed encodings in one "
    "file, or a codepage guess (cp1250, ptcp154, johab …) that does not read as text; the detail says what was seen.",
    "not_text": "The bytes decode, but the result is mostly control or replacement characters.",
    "excluded": "The path matches an `ingest.exclude` pattern in params.yaml (not an article capture).",
    "hidden_file": "A hidden file (name starting with '.'), such as .gitkeep or .DS_Store.",
    "not_regular_file": "A FIFO, socket or device node (or a symlink to one) in the raw folder: never opened, since "
    "reading a FIFO or a device can block or never end.",
    "symlink_outside": "A symlink whose target lies outside the raw folder: not followed, so a build reads only what "
    "the raw folder holds.",
    "symlink_loop": "A symlink that loops (to itself, or to a folder above it).",
    "broken_symlink": "A symlink whose target does not exist.",
    "undecodable_name": "A file name that is not valid UTF-8 (shown with its bytes as \\xNN); rename it to read it.",
    "unreadable": "The file or folder exists but cannot be read (permissions, I/O error); the detail gives the error.",
    "too_large": "The input is over a limit in `ingest.limits` (bytes of a file, decompressed bytes of a Parquet "
    "container, characters or lines of a document); the detail gives the measured size and the limit.",
    "ingest_error": "Reading the file raised an unexpected error; the detail names it. The other files are read.",
    "no_text_column": "A container file (CSV/JSONL/JSON/Parquet) in which no column holds article text.",
    "malformed_container": "A container file that cannot be read as a table (broken CSV, bad JSON, bad Parquet).",
    "empty_container": "A container file with a header but no data rows.",
    "empty_row": "A container row whose text cell is empty.",
    "malformed_row": "A container row that cannot be read (a JSONL line that is not a JSON object, a CSV row with "
    "the wrong number of cells); the other rows of the file are read.",
    "no_body": "Parsing found no body paragraph (only chrome, header or credits).",
    "page_credits": "The document is a page's credit block, not an article: its title is a credit line (本版责编：…) "
    "and its text a line or two (版式设计 …, 本版邮箱：…), at most 200 characters; newspaper feeds list it as an item of "
    "its own.",
    "parse_error": "The parser raised an error on this document; the detail names it.",
    "duplicate_document": "Same doc_id (same content) as a document seen earlier in path order.",
    "invalid_record": "A record failed its pydantic model; the detail gives the field and the error.",
    "invalid_table": "A table-level check failed (offsets outside the text, body missing, keys).",
}
REJECT_REASONS = tuple(REJECT_REASON_DESCRIPTIONS)

_FIELD_LIST: tuple[Field, ...] = (
    # --- identity and provenance -----------------------------------------------------------------------------
    Field(
        "doc_id",
        "string",
        "Stable document identifier: the first 16 hex digits of the SHA-256 of the document's own raw bytes "
        "(a whole file, or one row of a container file). It depends on content only, never on run order or "
        "location, so the same capture gets the same id in every release.",
        "文档标识：文档原始字节 SHA-256 的前 16 位十六进制，仅由内容决定。",
        "3f1c9a0b5e2d7c41",
        pattern=r"^[0-9a-f]{16}$",
    ),
    Field(
        "source_file",
        "string",
        "Path of the raw capture relative to the raw folder, with '/' separators.",
        "原始采集文件相对于原始目录的路径。",
        "freewechat_text/000_697b98e90949ce70.txt",
    ),
    Field(
        "source_row",
        "int32",
        "0-based index of the data row inside a container file (CSV/JSONL/Parquet; the item of a feed), header excluded; null for "
        "a file that holds one article.",
        "容器文件（CSV/JSONL/Parquet）中数据行的序号（从 0 起，不含表头）；单篇文件为空。",
        None,
        nullable=True,
        minimum=0,
    ),
    Field(
        "capture_format",
        "string",
        "How the article was captured, detected from the content: the format whose rules were used to parse it. "
        "'generic' means no known format matched and the fallback parser produced plain paragraphs.",
        "采集格式（由内容识别）；generic 表示未识别、使用通用解析。",
        "freewechat_text",
        allowed=CAPTURE_FORMATS,
    ),
    Field(
        "container",
        "string",
        "Container file type when the article is one row of a table file ('csv', 'tsv', 'jsonl', 'json', "
        "'parquet') or one item of an RSS/Atom feed ('feed'); null for a file that holds one article.",
        "文章所在的容器类型（csv/tsv/jsonl/json/parquet，或 RSS/Atom 订阅源 feed）；单篇文件为空。",
        "csv",
        nullable=True,
        allowed=CONTAINER_KINDS,
    ),
    Field(
        "container_fields",
        "string",
        "The container row's other columns: every column that is not read into a field of its own (text, title, "
        "date, url, account) and has a value, as one JSON object string with the column names as keys, sorted, "
        "and the cells as text (NFC; numbers and dates as written, lists and objects as JSON text; a blank, "
        "null or `nan` cell is left out). Null for a document that is not a container row, and for a row "
        "without such columns. Read it with `pd.json_normalize(documents.container_fields.dropna().map(json.loads)"
        ".tolist())` in pandas, or `SELECT container_fields->>'$.province' FROM 'documents.parquet'` in DuckDB.",
        "容器行中未映射为字段（正文、标题、日期、链接、账号）的其他列，JSON 对象字符串（键按列名排序，值为文本）；"
        "非容器文档或无此类列时为空。",
        '{"province":"江苏省","year":"2026"}',
        nullable=True,
    ),
    Field(
        "url",
        "string",
        "Address of the original article when the capture shows it (a `原文链接` line or a container's URL column).",
        "原文链接（采集中给出时）。",
        "https://mp.weixin.qq.com/s?__biz=…",
        nullable=True,
    ),
    Field(
        "raw_sha256",
        "string",
        "SHA-256 of the raw file's bytes as found (for a container row: of the whole container file; null in "
        "`sources` for an entry that was not read).",
        "原始文件字节的 SHA-256。",
        "af60f79ae91e4d76370da1ea25f96f3d87163983a5ef85775d24ce3333cf8768",
        pattern=r"^[0-9a-f]{64}$",
    ),
    Field(
        "encoding",
        "string",
        "Text encoding the raw bytes were decoded with (Python codec name; 'utf-8-sig' when a BOM was present).",
        "解码所用的字符编码。",
        "utf-8",
        category=True,
    ),
    Field(
        "n_replaced_bytes",
        "int32",
        "Number of invalid bytes of an otherwise UTF-8 capture that were replaced by U+FFFD (�) in the raw text "
        "(at most 0.1 % of the bytes, at least 8 and at most 64 allowed); 0 when the bytes decoded cleanly.",
        "原本为 UTF-8 的采集中被替换为 U+FFFD（�）的无效字节数；正常解码时为 0。",
        0,
        minimum=0,
    ),
    # --- origin of snapshot files -----------------------------------------------------------------------------
    Field(
        "origin_source",
        "string",
        "Name of the snapshot source the file was fetched from (`sources/<name>.yaml`); null for a capture put "
        "into the raw folder by hand.",
        "快照来源名称（sources/<name>.yaml）；手工放入的文件为空。",
        "npc_laws",
        nullable=True,
    ),
    Field(
        "origin_url",
        "string",
        "Where the file was fetched from: the git repository, or the file's HTTP(S) URL.",
        "文件的获取地址：git 仓库或 HTTP(S) 地址。",
        "https://github.com/example/laws.git",
        nullable=True,
    ),
    Field(
        "origin_path",
        "string",
        "The file's path in the repository, or relative to the source's base URL.",
        "文件在仓库中（或相对于基础地址）的路径。",
        "laws/宪法.md",
        nullable=True,
    ),
    Field(
        "origin_commit",
        "string",
        "The git commit the file was taken at (40 hex digits); null for HTTP files, which are pinned by "
        "`raw_sha256` instead.",
        "文件所取自的 git 提交；HTTP 文件为空（以 raw_sha256 固定）。",
        "5b9a1b484ee5daba311a1848e20ca6d3baafbdb2",
        nullable=True,
        pattern=r"^[0-9a-f]{40}$",
    ),
    # --- header ------------------------------------------------------------------------------------------------
    Field(
        "account",
        "string",
        "Name of the official account (公众号) or site that published the article, as shown in the capture.",
        "发布文章的公众号或网站名称。",
        "北京人大",
        nullable=True,
        category=True,
    ),
    Field(
        "issuer_name",
        "string",
        "Name of the body that issued the document, as the registry (issuers/*.yaml) or the account name gives "
        "it; null when unresolved.",
        "发布主体名称（来自登记表或账号名称）；未识别时为空。",
        "北京人大",
        nullable=True,
    ),
    Field(
        "issuer_type",
        "string",
        "What kind of body issued the document, resolved from the account name (registry, then type markers such "
        "as 人大, 人民政府, 日报), else the snapshot source's default; 'unknown' when nothing resolved it. "
        + "; ".join(f"{key}: {text}" for key, text in ISSUER_TYPES.items())
        + ".",
        "发布主体类型（人大、政府、党委、政协、法院、检察院、事业单位、媒体、企业、社会组织、个人、未知）。",
        "people_congress",
        allowed=tuple(ISSUER_TYPES),
    ),
    Field(
        "issuer_level",
        "string",
        "Administrative level of the issuer: "
        + "; ".join(f"{key}: {text}" for key, text in ISSUER_LEVELS.items())
        + ".",
        "发布主体层级：中央、省级、地市级、县级、未知。",
        "provincial",
        allowed=tuple(ISSUER_LEVELS),
    ),
    Field(
        "region_code",
        "string",
        "GB/T 2260 code of the issuer's region, as specific as the evidence allows (provincial level when read "
        "from a name: 110000 北京市); null for national bodies and when unknown.",
        "发布主体所在行政区划代码（GB/T 2260）；中央或未知时为空。",
        "110000",
        nullable=True,
        pattern=r"^\d{6}$",
    ),
    Field(
        "region_name",
        "string",
        "Name of the region of `region_code` (GB/T 2260).",
        "行政区划名称。",
        "北京市",
        nullable=True,
    ),
    Field(
        "issuer_evidence",
        "string",
        "What resolved the issuer: "
        + "; ".join(f"{key}: {text}" for key, text in ISSUER_EVIDENCE.items())
        + ".",
        "发布主体的判定依据：登记表、名称、采集来源、无。",
        "registry",
        allowed=tuple(ISSUER_EVIDENCE),
    ),
    Field(
        "in_scope",
        "bool",
        "Whether the issuer type is one the dataset is about (`issuers.in_scope` in params.yaml; by default "
        "people_congress and government). Out-of-scope documents are kept: filter on this column.",
        "发布主体类型是否属于本数据集范围（默认人大与政府）。",
        True,
    ),
    Field(
        "published_date",
        "date",
        "Publication date shown in the capture (calendar date, no time zone).",
        "采集中显示的发布日期。",
        "2023-12-23",
        nullable=True,
    ),
    Field(
        "column",
        "string",
        "Column (栏目) tag: the bracketed 【…】 prefix of a title, without brackets.",
        "栏目：标题前【】中的标签（不含括号）。",
        "学习贯彻人大工作会议精神",
        nullable=True,
    ),
    Field(
        "title",
        "string",
        "Article title as written, without the 【column】 prefix.",
        "文章标题（去掉【栏目】前缀）。",
        "怀柔区委书记郭延红:奋力谱写新时代人民代表大会制度的怀柔篇章",
        nullable=True,
    ),
    Field(
        "authors",
        "list<string>",
        "Names of the credited authors, in the order of the credit line; without a credit, the person who signs the "
        "document at its end with a profession (邓学平律师 above the date); empty when none is credited.",
        "署名作者姓名（按署名顺序）。",
        ["郭延红"],
    ),
    Field(
        "author_positions",
        "list<string?>",
        "Position or affiliation printed with each author, same order and length as `authors`; null where the "
        "credit gives none.",
        "与作者一一对应的职务或单位；未注明时为空。",
        ["中共北京市怀柔区委书记"],
    ),
    Field(
        "editors",
        "list<string>",
        "Names credited as editor (编辑, 责编, 责任编辑), in order. 审核 (reviewer) is not an editor.",
        "编辑、责编、责任编辑署名（审核不计入）。",
        ["吕明"],
    ),
    Field(
        "source",
        "string",
        "Value of the 来源 (source) credit: the outlet the text was taken from.",
        "来源行的内容。",
        "《北京人大》杂志",
        nullable=True,
    ),
    Field(
        "script",
        "string",
        "Script of the document's Han characters: 'traditional' when opencc t2s changes at least 5 % of them, "
        "'simplified' otherwise, 'none' when the text has no Han characters.",
        "文字：繁体（opencc t2s 改变至少 5% 的汉字）、简体，或无汉字。",
        "simplified",
        allowed=("simplified", "traditional", "none"),
    ),
    Field(
        "conversion",
        "string",
        "Conversion used for the *_simplified columns of a traditional-script document (`opencc <version> t2s`); "
        "null for other documents.",
        "繁体文档生成简体列所用的转换；其他文档为空。",
        "opencc 1.4.2 t2s",
        nullable=True,
    ),
    Field(
        "kicker",
        "string",
        "The line printed above a newspaper headline (引题), when the capture has a headline stack; else null.",
        "引题（主标题上方的一行），无则为空。",
        "总书记的人民情怀",
        nullable=True,
    ),
    Field(
        "subtitle",
        "string",
        "The line printed below a headline (副题), when the capture has a headline stack; else null.",
        "副题（主标题下方的一行），无则为空。",
        "——记全国人大代表张三",
        nullable=True,
    ),
    Field(
        "title_simplified",
        "string",
        "`title` converted to simplified characters; null unless the document is in traditional script.",
        "标题的简体版本（仅繁体文档）。",
        None,
        nullable=True,
    ),
    Field(
        "heading_simplified",
        "string",
        "`heading` converted to simplified characters; null unless the document is in traditional script.",
        "章节标题的简体版本（仅繁体文档）。",
        None,
        nullable=True,
    ),
    Field(
        "text_simplified",
        "string",
        "`text` converted to simplified characters; null unless the document is in traditional script. The "
        "original `text` is kept unchanged.",
        "段落文本的简体版本（仅繁体文档），原文保留在 text。",
        None,
        nullable=True,
    ),
    Field(
        "record_sha256",
        "string",
        "SHA-256 of the document's parsed records (its rows in documents, sections, paragraphs, credits and "
        "related; this column, the location columns source_file, source_row, raw_sha256 and container, and the "
        "enrich columns dup_cluster, is_canonical and layer_error excluded). Compare it across releases: the "
        "same doc_id with another record_sha256 was parsed differently; a document moved to another file or "
        "row, or another row of its container edited, keeps it.",
        "文档解析结果（各表记录）的 SHA-256，用于比较不同版本的解析是否变化。",
        "9b1f…",
        pattern=r"^[0-9a-f]{64}$",
    ),
    Field(
        "n_sections",
        "int32",
        "Number of rows in `sections` for this document (the untitled lead section included).",
        "本文档的章节数（含无标题的开篇部分）。",
        4,
        minimum=0,
    ),
    Field(
        "n_paragraphs",
        "int32",
        "Number of body paragraphs (kind 'body' or 'list_item'): captions, code, tables and signatures are not "
        "counted.",
        "正文段落数（body 与 list_item）。",
        14,
        minimum=0,
    ),
    Field(
        "n_chars",
        "int32",
        "Number of characters (Unicode code points) in the text of the document's body paragraphs.",
        "正文段落文本的字符数。",
        3268,
        minimum=0,
    ),
    # --- structure ---------------------------------------------------------------------------------------------
    Field(
        "section_index",
        "int32",
        "0-based position of the section in its document. Section 0 is an untitled lead when the body starts "
        "before the first heading.",
        "章节在文档中的序号（从 0 起）。",
        1,
        minimum=0,
    ),
    Field(
        "heading",
        "string",
        "Text of the section heading; null for the untitled lead section.",
        "章节标题；开篇部分为空。",
        "牢牢把握政治方向,持续加强党对人大工作的全面领导",
        nullable=True,
    ),
    Field(
        "level",
        "int32",
        "Heading depth: 1 for the outermost heading style of the document, 2 for the next, …; 0 for the untitled "
        "lead section. Styles are ranked in order of first appearance (一、 before （一） before 1.).",
        "标题层级：按首次出现顺序排列的标题样式，开篇部分为 0。",
        1,
        minimum=0,
    ),
    Field(
        "paragraph_index",
        "int32",
        "0-based position of the paragraph in its document (not restarted per section).",
        "段落在全文中的序号（从 0 起，不按章节重计）。",
        3,
        minimum=0,
    ),
    Field(
        "kind",
        "string",
        "What the paragraph is: 'body' text, 'list_item', picture 'caption', 'code', 'table' or 'signature' (a "
        "letter's or a release's signer, date and closing dateline such as （新华社北京6月18日电）).",
        "段落类型：正文、列表项、图片说明、代码、表格。",
        "body",
        allowed=PARAGRAPH_KINDS,
    ),
    Field(
        "text",
        "string",
        "Paragraph text, Unicode NFC. Characters are kept as captured (ASCII ':' ',' '?' stay ASCII); the only "
        "changes from the raw slice are: edge whitespace trimmed, lines of one paragraph joined, markup removed. "
        "In markdown formats the inline markdown and HTML are read by CommonMark (markdown-it-py) and lxml: a link "
        "keeps its text, an image goes, escapes and entities become their characters, a table's cells are "
        "separated by tabs and its rows by newlines; `code` keeps its lines as written. For formats with one "
        "paragraph per line, text == NFC(raw_text[char_start:char_end]). In `tables`: the text of one cell "
        "(whitespace runs closed up, trimmed, NFC), null for an empty cell.",
        "段落文本（NFC），保留采集原字符；仅去除首尾空白、合并换行、去除 markdown 与 HTML 标记（链接留文字、图片去除、"
        "转义与实体还原；表格单元格以制表符、行以换行分隔；代码原样保留）。在 tables 表中为单元格文本，空单元格为空。",
        "坚持在党的领导下做好人大工作。区委带头坚持和捍卫“两个确立”……",
    ),
    Field(
        "lead_sentence",
        "string",
        "Run-in lead sentence that opens the paragraph and acts as its sub-heading (a prefix of `text`); null "
        "when the paragraph has none.",
        "段首起小标题作用的句子（为 text 的前缀）；无则为空。",
        "坚持在党的领导下做好人大工作。",
        nullable=True,
    ),
    Field(
        "char_start",
        "int64",
        "Offset (Unicode code points, 0-based, inclusive) into the document's decoded raw text "
        "(`raw_texts.raw_text`) where this item's source span starts. In the research layers (terms, "
        "citations, figures, officials; called `raw_start` before 0.2.0) it is null where the paragraph's text "
        "differs from its raw span there (markup removed, lines joined): `text_start` always holds.",
        "在解码后原文（raw_texts.raw_text）中的起始偏移（码点，含）。",
        412,
        minimum=0,
    ),
    Field(
        "char_end",
        "int64",
        "Offset (exclusive) into the decoded raw text where the item's source span ends.",
        "在解码后原文中的结束偏移（不含）。",
        640,
        minimum=0,
    ),
    Field(
        "row_index",
        "int32",
        "0-based position of the row in its table paragraph, in the order of the paragraph's text lines (rows "
        "without any cell text are left out, in both).",
        "行在表格中的序号（从 0 起，与段落文本的行一一对应）。",
        0,
        minimum=0,
    ),
    Field(
        "cell_index",
        "int32",
        "0-based position of the cell in its row as written (a cell spanning columns counts once: with spans, "
        "cell_index is not the column number).",
        "单元格在行中的序号（从 0 起；跨列单元格只计一次）。",
        1,
        minimum=0,
    ),
    Field(
        "is_header",
        "bool",
        "The cell is a header cell: an HTML `<th>` or a cell of `<thead>`, or a cell of a markdown pipe table's "
        "rows above its `---|---` line.",
        "是否为表头单元格（HTML 的 th/thead，或 markdown 表格分隔行以上的行）。",
        False,
    ),
    Field(
        "row_span",
        "int32",
        "Rows the cell spans (HTML `rowspan`; 1 when absent and for markdown and tab-separated tables).",
        "单元格跨越的行数（HTML rowspan，缺省为 1）。",
        1,
        minimum=1,
    ),
    Field(
        "col_span",
        "int32",
        "Columns the cell spans (HTML `colspan`; 1 when absent and for markdown and tab-separated tables).",
        "单元格跨越的列数（HTML colspan，缺省为 1）。",
        1,
        minimum=1,
    ),
    Field(
        "item_index",
        "int32",
        "0-based order of the item within its document's list: the credit, related article, term occurrence, "
        "citation, figure or official of that table (called `position` before 0.2.0).",
        "条目在文档列表中的序号（从 0 起）；0.2.0 之前名为 position。",
        0,
        minimum=0,
    ),
    Field(
        "role",
        "string",
        "Normalised credit role, from the label printed in the capture (作者→author, 责编→editor, 来源→source, "
        "译者→translator, …).",
        "署名角色（由原文标签归一化）。",
        "author",
        allowed=CREDIT_ROLES,
    ),
    Field(
        "label",
        "string",
        "The credit label exactly as printed (作者, 责编, 来源, …); （） for a reporter named in brackets after the "
        "article's last sentence.",
        "原文中的署名标签。",
        "责编",
    ),
    Field(
        "value",
        "string",
        "The credit's value as printed after its label, whitespace-trimmed.",
        "署名标签后的内容。",
        "吕明",
    ),
    Field(
        "raw_text",
        "string",
        "The decoded raw text of the document: the whole file, or the text cell of a container row, exactly as "
        "decoded (no newline or Unicode normalisation). All char_start/char_end offsets point into it.",
        "文档的解码原文（未做换行或 Unicode 规范化），所有偏移量均指向此文本。",
        "查看原文\n其他\n\n【学习贯彻人大工作会议精神】…",
    ),
    Field(
        "entry_kind",
        "string",
        "What the raw folder entry is: a regular `file`, a `symlink` (followed only to a file inside the raw "
        "folder), or a `fifo`, `socket`, `device` or `other` entry that is never opened (its reject says why).",
        "原始目录条目的类型：普通文件、符号链接、FIFO、套接字、设备或其他。",
        "file",
        allowed=("file", "symlink", "fifo", "socket", "device", "other"),
    ),
    Field(
        "n_bytes",
        "int64",
        "Size of the raw file in bytes (null for an entry that was not read).",
        "原始文件的字节数。",
        10743,
        minimum=0,
    ),
    # --- rejects -----------------------------------------------------------------------------------------------
    Field(
        "stage",
        "string",
        "Pipeline stage that rejected the input.",
        "拒收该输入的处理阶段。",
        "ingest",
        allowed=STAGES,
    ),
    Field(
        "reason_code",
        "string",
        "Why the input was rejected, from a closed list (see the datasheet).",
        "拒收原因代码。",
        "binary_file",
        allowed=REJECT_REASONS,
    ),
    Field(
        "detail",
        "string",
        "Human-readable detail of the rejection (what was found, what was expected).",
        "拒收详情。",
        "PNG image signature (89 50 4E 47)",
    ),
    # --- templates ---------------------------------------------------------------------------------------------
    Field(
        "origin",
        "string",
        "Where a group of documents came from, the unit template lines are learned in: the container file for "
        "container rows, else the folder of the file ('.' for the raw folder itself).",
        "文档来源分组：容器文件本身，或文件所在文件夹。",
        "portal_news_html",
    ),
    Field(
        "line",
        "string",
        "A page-furniture line learned from its origin (site name, breadcrumb, footer, follow prompt), as "
        "printed in most of the documents that have it (NFC); lines count as one when their match keys agree "
        "(NFKC, no whitespace, digits as one placeholder).",
        "从同一来源学习到的版面模板行（站名、导航、页脚、关注提示等），取最常见的原文写法。",
        "首页 > 新闻中心",
    ),
    Field(
        "zone",
        "string",
        "Which end of the document the line recurs at: 'head' (among the first lines) or 'tail' (among the "
        "last lines); the parser drops it there only.",
        "模板行所在位置：文首（head）或文末（tail）。",
        "head",
        allowed=("head", "tail"),
    ),
    Field(
        "n_documents",
        "int32",
        "Distinct documents of the origin that have the line at that end (near-copies of one article count once).",
        "同一来源中在该位置含有此行的不同文档数（同一文章的近似副本只计一次）。",
        7,
        minimum=1,
    ),
    Field(
        "n_origin_documents",
        "int32",
        "Distinct documents of the origin that were counted (near-copies of one article count once).",
        "该来源中参与计数的不同文档数。",
        12,
        minimum=1,
    ),
)

FIELDS: dict[str, Field] = {f.name: f for f in _FIELD_LIST}

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "documents",
            "One row per article: provenance, header fields (title, account, date, column), credits and counts.",
            ("doc_id",),
            (
                "doc_id",
                "source_file",
                "source_row",
                "container",
                "container_fields",
                "capture_format",
                "raw_sha256",
                "encoding",
                "n_replaced_bytes",
                "url",
                "account",
                "issuer_name",
                "issuer_type",
                "issuer_level",
                "region_code",
                "region_name",
                "issuer_evidence",
                "in_scope",
                "published_date",
                "column",
                "title",
                "title_simplified",
                "kicker",
                "subtitle",
                "script",
                "conversion",
                "authors",
                "author_positions",
                "editors",
                "source",
                "n_sections",
                "n_paragraphs",
                "n_chars",
                "record_sha256",
                "repost_of",
                "dup_cluster",
                "is_canonical",
                "layer_error",
            ),
            (
                "`authors` and `author_positions` are parallel lists: zip them, do not sort one.",
                "`container_fields` is a JSON object string: `json.loads` it (or DuckDB's `->>`); the columns it holds "
                "differ from one container file to the next.",
            ),
        ),
        Table(
            "sections",
            "One row per section: the untitled lead (heading null) and each headed section, in order.",
            ("doc_id", "section_index"),
            ("doc_id", "section_index", "heading", "heading_simplified", "level", "char_start", "char_end"),
            ("char_start/char_end span the heading line; for the untitled lead section they are null.",),
        ),
        Table(
            "paragraphs",
            "One row per paragraph of the article body, with its kind, lead sentence and raw offsets.",
            ("doc_id", "paragraph_index"),
            (
                "doc_id",
                "section_index",
                "paragraph_index",
                "kind",
                "text",
                "text_simplified",
                "lead_sentence",
                "char_start",
                "char_end",
            ),
            ("Count body text with kind in ('body', 'list_item'); captions are picture descriptions.",),
        ),
        Table(
            "credits",
            "One row per footer or header credit (来源, 作者, 编辑, 审核, …) as printed, with its normalised role.",
            ("doc_id", "item_index"),
            ("doc_id", "item_index", "role", "label", "value", "char_start", "char_end"),
        ),
        Table(
            "related",
            "One row per related-article link listed under the article by the capture's platform.",
            ("doc_id", "item_index"),
            ("doc_id", "item_index", "column", "title", "char_start", "char_end"),
        ),
        Table(
            "tables",
            "One row per cell of a table paragraph (`paragraphs.kind` = 'table'): an HTML data table (saved page, "
            "inline HTML in markdown, a container cell) or a markdown pipe table.",
            ("doc_id", "paragraph_index", "row_index", "cell_index"),
            (
                "doc_id",
                "paragraph_index",
                "row_index",
                "cell_index",
                "text",
                "is_header",
                "row_span",
                "col_span",
            ),
            (
                "The table paragraph's text is these cells' text, cells joined by tab in cell_index order and rows by "
                "newline in row_index order (an empty cell is an empty string there).",
                "Cells have no offsets of their own: the paragraph's char_start/char_end span the table as captured "
                "(the `<table>…</table>` markup, the pipe table's lines with its `---|---` line, or the tab-separated "
                "lines). A saved page's table is kept in its raw text as one line of canonical HTML (rows, cells, "
                "th, rowspan/colspan and text only).",
                "A table nested in a cell is flattened into that cell's text. A table used for page layout (fewer "
                "than two cells with text, or a cell holding a heading, list, another table or running text of two "
                "sentences or more) is not a table: its cells' content is read as paragraphs.",
            ),
        ),
        Table(
            "raw_texts",
            "The decoded raw text of every document, so that every offset in the other tables can be checked.",
            ("doc_id",),
            ("doc_id", "source_file", "source_row", "encoding", "raw_text"),
        ),
        Table(
            "sources",
            "One row per raw file read: its path, size and SHA-256, whatever became of it (documents or rejects).",
            ("source_file",),
            (
                "source_file",
                "entry_kind",
                "raw_sha256",
                "n_bytes",
                "origin_source",
                "origin_url",
                "origin_path",
                "origin_commit",
            ),
            (
                "The origin_* columns are set for files fetched by `renda snapshot` (data/raw/snapshots/<name>/) "
                "and null for captures placed in the raw folder by hand.",
            ),
        ),
        Table(
            "rejects",
            "One row per input (file or container row) that did not become a document, with stage and reason.",
            ("source_file", "source_row", "stage"),
            ("source_file", "source_row", "stage", "reason_code", "detail"),
            ("source_row is null for whole files; a file rejected at ingest has no doc_id.",),
        ),
        Table(
            "templates",
            "One row per page-furniture line learned from an origin (a container file or a folder): a line that "
            "recurs at the head or tail of enough distinct documents of that origin; the parser drops it there "
            "first.",
            ("origin", "zone", "line"),
            ("origin", "zone", "line", "n_documents", "n_origin_documents"),
            (
                "Thresholds (templates.* in params.yaml) decide what is learned; a dropped line appears in no "
                "paragraph and is listed by `renda show` with the reason `template`.",
            ),
        ),
    )
}

_LAYER_FIELDS: tuple[Field, ...] = (
    Field(
        "repost_of",
        "string",
        "Account the article was reposted from, when the capture says so (`以下文章来源于 X`).",
        "转载来源公众号（`以下文章来源于 X`）。",
        "亿人安全",
        nullable=True,
        category=True,
    ),
    Field(
        "dup_cluster",
        "string",
        "doc_id of the canonical document of this document's near-duplicate cluster (MinHash over character "
        "shingles of the body, parameters in params.yaml); a document without near-duplicates is its own cluster.",
        "近重复簇中代表文档的 doc_id（MinHash）；无重复时为自身。",
        "3f1c9a0b5e2d7c41",
        pattern=r"^[0-9a-f]{16}$",
    ),
    Field(
        "is_canonical",
        "bool",
        "True for the one document that represents its near-duplicate cluster (earliest published_date, then "
        "smallest doc_id): count these to avoid counting a reposted article several times.",
        "是否为近重复簇的代表文档（最早发布，其次 doc_id 最小）。",
        True,
    ),
    Field(
        "layer_error",
        "string",
        "Null when the research layers (terms, citations, figures, officials) were extracted; otherwise the error "
        "that stopped them for this document, which then has no layer rows. The document's own records stand.",
        "研究层（术语、引用、数字、官员）抽取失败时的错误说明；成功时为空。",
        "OverflowError: int too large to convert",
        nullable=True,
    ),
    Field(
        "term",
        "string",
        "A quoted expression of the body text, without its quotation marks, as written (NFC).",
        "正文中引号内的表述（不含引号）。",
        "两个确立",
    ),
    Field(
        "quote_style",
        "string",
        "Quotation marks around the term: “” (double), ‘’ (single), 「」 or 『』 (corner brackets).",
        "引号类型。",
        "“”",
        allowed=("“”", "‘’", "「」", "『』"),
    ),
    Field(
        "is_numbered",
        "bool",
        "The term is a numbered formulation (it starts with a number: 两个确立, 四个意识, 一府一委两院, 1+3).",
        "是否为数字概括式提法（以数字开头）。",
        True,
    ),
    Field(
        "numbers",
        "list<int64>",
        "The integers a numbered formulation counts, in order (一府一委两院 → [1, 1, 2]), scales multiplied "
        "(五千亿 → [500000000000], 21亿 → [2100000000]); empty otherwise. Signed 64-bit: a numeral above "
        "2^63 − 1 (一万亿亿亿) is left out, and a term left with none is not `is_numbered`.",
        "提法中的数字（按顺序）。",
        [2],
    ),
    Field(
        "n_occurrences",
        "int32",
        "How many times the item occurs in the document's body paragraphs.",
        "在正文中出现的次数。",
        2,
        minimum=1,
    ),
    Field(
        "text_start",
        "int32",
        "Offset (code points, inclusive) of the item in its paragraph's `text`.",
        "在所在段落 text 中的起始偏移。",
        12,
        minimum=0,
    ),
    Field(
        "text_end",
        "int32",
        "Offset (exclusive) of the item's end in its paragraph's `text`.",
        "在所在段落 text 中的结束偏移。",
        16,
        minimum=0,
    ),
    Field(
        "cited_title",
        "string",
        "Title of a cited document inside 《》, as written (inner 〈〉 kept).",
        "《》中被引用文件的标题（原文）。",
        "怀柔区预算审查监督办法",
    ),
    Field(
        "normalized_title",
        "string",
        "Match key of the cited title: NFKC, no whitespace, simplified characters, 〈〉 unified as 《》. Group "
        "citations of the same document across articles by it.",
        "被引标题的归一化键（NFKC、去空白、简体）。",
        "怀柔区预算审查监督办法",
    ),
    Field(
        "title_key",
        "string",
        "Grouping key of the cited document: count citations of one document by it, within and across "
        "articles. The match key (NFKC, no whitespace, simplified characters) without brackets and quotes, "
        "without the leading 中华人民共和国 and without drafting markers (（草案）, （修订草案征求意见稿）, "
        "（2018年修正）, a trailing 草案 or 征求意见稿; 修正案 and （试行） are kept: they name other documents). "
        "Within one article a shorthand takes the key of the one full title it ends (网络安全法 and "
        "中华人民共和国网络安全法 → 网络安全法; 纲要（草案） → 国民经济和社会发展第十五个五年规划纲要), unless "
        "several full titles end with it or they differ by a place (物业管理条例, 北京市物业管理条例).",
        "被引文件分组键：去掉“中华人民共和国”前缀和草案、修订等标记；同一文章内简称归并到全称。",
        "网络安全法",
    ),
    Field(
        "citation_kind",
        "string",
        "What kind of document the title names, from rules kept as data. A word printed next to the brackets "
        "decides first (电视剧《…》, 纪录片《…》 are works; 《…》杂志 and 发表于《…》 are publications); then the "
        "title's ending (trailing notes such as （草案） ignored): law (法, 法典), regulation (条例, 规定, 细则, 办法, "
        "章程, 指引, 标准…), opinion (意见), measure (措施), plan (规划, 计划, 方案, 纲要, 路线图, 战略), decision "
        "(决定, 决议), notice (通知, 通告, 公告, 通报), report (报告, 白皮书, 周报…), speech (讲话, 致辞, 贺信), "
        "proposal (建议, 议案, 提案), agreement (条约, 公约, 协定, 议定书, 协议, 宪章), statement (声明, 宣言, 公报, "
        "共识, 倡议), publication (杂志, 日报, 报, 期刊…). A title with none of these is a work (a book, article, "
        "film, TV series, play, song, poem or programme: an ending such as 传, 歌, 曲, 诗, 史, a Latin-script "
        "title, or simply no genre ending, which official documents nearly always carry), unless it reads as "
        "an official document (关于…, 中华人民共和国…, an issuing body, 清单, 名录, 年度): other.",
        "被引文件类型：法律、法规、意见、措施、规划、决定、通知、报告、讲话、建议、条约、声明、报刊、作品（书、文章、"
        "影视、戏剧、歌曲等）、其他。",
        "regulation",
        allowed=CITATION_KINDS,
    ),
    Field(
        "amount",
        "float64",
        "The number of a figure (a count, amount or share) in its base unit `unit`, the printed multiplier "
        "folded in: amount = printed number × `multiplier` (`62.6万人` → 626000 人; `14.2万亿元` → "
        "14200000000000 元, `2000亿元` → 200000000000 元, `5千元` → 5000 元). float64 holds every whole number up "
        "to 2^53 (about 9.007 × 10^15) exactly; a figure above that is not recorded rather than stored rounded.",
        "数值（换算为基本单位，如 14.2万亿元 → 14200000000000 元；不超过 2^53 时整数精确）。",
        16.0,
    ),
    Field(
        "unit",
        "string",
        "Base unit of `amount`, from one vocabulary kept as data (元, 美元, 人, 人次, 个, 项, 户, 吨, 公里, 平方米, "
        "%, 百分点, 倍, …): every printed form of a unit maps to it (亿元 and 千元 → 元, full-width ％ → %, "
        "千米 → 公里, 个百分点 → 百分点, 公斤 → 千克). Different units of one quantity (米 and 公里, 亩 and "
        "平方米) are not converted into each other.",
        "基本单位（亿元、千元计为元，％计为 %，千米计为公里）。",
        "个",
        category=True,
    ),
    Field(
        "unit_text",
        "string",
        "What is printed between the number and the counted thing: multiplier, approximation mark (余, 多) "
        "and unit as written (`亿元`, `万余人`, `％`, `个百分点`).",
        "原文中数字后的单位写法（含万、亿等倍数词和“余”“多”）。",
        "个",
        category=True,
    ),
    Field(
        "multiplier",
        "int64",
        "The factor of the printed Chinese multiplier (万 → 10000, 亿 → 100000000, 万亿 → 10^12, 千 → 1000, "
        "百万 → 1000000), 1 when none is printed.",
        "倍数词的倍数（万 = 10000，亿 = 10^8，无则为 1）。",
        1,
        minimum=1,
    ),
    Field(
        "counted",
        "string",
        "What is counted, read next to the figure (after the unit, or before the number); best effort, null when "
        "nothing noun-like stands there.",
        "计数对象（尽力识别，可能为空）。",
        "代表之家",
        nullable=True,
    ),
    Field(
        "figure_text",
        "string",
        "The figure as written in the text, thing included (`16个代表之家`, `审议报告15个`).",
        "原文中的数字表述。",
        "16个代表之家",
    ),
    Field(
        "name",
        "string",
        "Name of an official, as written (spaces removed).",
        "官员姓名。",
        "郭延红",
    ),
    Field(
        "official_position",
        "string",
        "Position printed with the name (`中共北京市怀柔区委书记`), from a position list kept as data.",
        "与姓名一同出现的职务。",
        "怀柔区委书记",
        nullable=True,
    ),
    Field(
        "found_in",
        "string",
        "Where the official was found: 'title' (a byline in the title), 'credit' (a credited author with an "
        "official position, from a credit line or the speaker byline of a report) or 'text' (a position "
        "followed by a name in a body paragraph).",
        "出处：标题、署名或正文。",
        "title",
        allowed=("title", "credit", "text"),
    ),
)
# A column name means one thing everywhere: a layer may not redefine a field.
assert not {f.name for f in _LAYER_FIELDS} & set(FIELDS), "layer field names must be new"
FIELDS.update({f.name: f for f in _LAYER_FIELDS})

LAYER_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "terms",
            "One row per distinct quoted expression in a document's body (enrich layer), with the numbers of "
            "numbered formulations and where it first occurs.",
            ("doc_id", "term"),
            (
                "doc_id",
                "term",
                "is_numbered",
                "numbers",
                "n_occurrences",
                "paragraph_index",
                "text_start",
                "text_end",
                "char_start",
                "char_end",
            ),
            ("Every occurrence, with its own offsets, is a row of term_occurrences.",),
        ),
        Table(
            "term_occurrences",
            "One row per occurrence of a quoted expression in a body paragraph (enrich layer).",
            ("doc_id", "item_index"),
            (
                "doc_id",
                "paragraph_index",
                "item_index",
                "term",
                "quote_style",
                "text_start",
                "text_end",
                "char_start",
                "char_end",
            ),
        ),
        Table(
            "citations",
            "One row per document title cited in 《》 in a body paragraph (enrich layer).",
            ("doc_id", "item_index"),
            (
                "doc_id",
                "paragraph_index",
                "item_index",
                "cited_title",
                "normalized_title",
                "title_key",
                "citation_kind",
                "text_start",
                "text_end",
                "char_start",
                "char_end",
            ),
        ),
        Table(
            "figures",
            "One row per figure (number with a unit, and what it counts) in a body paragraph (enrich layer).",
            ("doc_id", "item_index"),
            (
                "doc_id",
                "paragraph_index",
                "item_index",
                "amount",
                "unit",
                "unit_text",
                "multiplier",
                "counted",
                "figure_text",
                "text_start",
                "text_end",
                "char_start",
                "char_end",
            ),
        ),
        Table(
            "officials",
            "One row per official named with a position: title bylines, author credits, and position + name "
            "mentions in body paragraphs (enrich layer).",
            ("doc_id", "item_index"),
            (
                "doc_id",
                "found_in",
                "item_index",
                "name",
                "official_position",
                "paragraph_index",
                "text_start",
                "text_end",
                "char_start",
                "char_end",
            ),
            (
                "paragraph_index and the text offsets are null for officials found in the title or a credit; the "
                "raw offsets (char_start, char_end) are the credit's span for credits and null for titles.",
            ),
        ),
    )
}
TABLES.update(LAYER_TABLES)
# What `validate` writes and `enrich` reads: every table but the research layers.
CORE_TABLES: tuple[str, ...] = tuple(name for name in TABLES if name not in LAYER_TABLES)

# Offsets on sections are nullable (the untitled lead has no heading line); everywhere else they are required.
NULLABLE_OVERRIDES: dict[tuple[str, str], bool] = {
    # An entry that is not read (a FIFO, a broken symlink, an unreadable file) has no bytes to count or hash.
    ("sources", "raw_sha256"): True,
    ("sources", "n_bytes"): True,
    ("sections", "char_start"): True,
    ("sections", "char_end"): True,
    ("tables", "text"): True,  # an empty cell keeps its place in the row
    ("officials", "paragraph_index"): True,
    ("officials", "text_start"): True,
    ("officials", "text_end"): True,
    # A layer row's raw offsets are null where its paragraph's text is not a slice of the raw text.
    **{(table, column): True for table in LAYER_TABLES for column in ("char_start", "char_end")},
}


# Breaking renames, by the version that made them: the release's CHANGELOG.md lists them with the old name.
RENAMED_COLUMNS: tuple[tuple[str, str, str, str], ...] = tuple(
    ("0.2.0", table, old, new)
    for table in ("credits", "related", "term_occurrences", "citations", "figures", "officials")
    for old, new in (("position", "item_index"),)
) + tuple(
    ("0.2.0", table, old, new)
    for table in LAYER_TABLES
    for old, new in (("raw_start", "char_start"), ("raw_end", "char_end"))
)


def is_nullable(table: str, column: str) -> bool:
    """Whether `column` may be null in `table` (the dictionary default, unless overridden for that table)."""
    return NULLABLE_OVERRIDES.get((table, column), FIELDS[column].nullable)
