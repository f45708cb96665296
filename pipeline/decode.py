"""Bytes → text in a fixed order, so that the same bytes always decode the same way, and never into nonsense.

Order: byte-order mark → UTF-32/UTF-16 without a BOM (NULs where the high bytes of the code units are, and the
decoded characters are ordinary text) → binary check (signatures, then NUL bytes) → strict UTF-8 → GB18030 and
Big5 (each kept only if the decoded Han characters are mostly common ones for that encoding, because Big5 bytes
always "decode" as GB18030 into nonsense) → UTF-8 with a few invalid bytes replaced by U+FFFD (counted) →
`charset-normalizer` last. Wide encodings come before the binary check because their text is full of NULs.

A decode that succeeds but reads as nonsense is rejected as `garbled_text`: UTF-8 lines read as GB18030 (the
characteristic rare-Han mojibake 涓婂懆…, caught by re-encoding the line and reading it as UTF-8), a file that is
mostly UTF-8 with too many invalid bytes to repair (mixed encodings), and a charset-normalizer guess that does
not look like text in that encoding. The decoded text is kept exactly as decoded (newlines and Unicode
untouched) because every offset in the release points into it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache

# Signatures of binary formats people drop into capture folders by mistake: (magic bytes, description).
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"RIFF", "RIFF container (WebP/WAV/AVI)"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (also docx/xlsx/epub)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document (doc/xls)"),
    (b"BM", "BMP image"),
    (b"\x00\x00\x01\x00", "ICO image"),
    (b"\x7fELF", "ELF executable"),
    (b"SQLite format 3\x00", "SQLite database"),
)

# UTF-32 marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
WIDE_CODECS = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")

# A legacy-encoding guess is kept only when this share of its Han characters are common ones.
# Measured on real captures: GB18030 text scores >= 0.98, Big5 bytes read as GB18030 score <= 0.45.
COMMON_HAN_THRESHOLD = 0.90
# Decoded text with more than this share of control or replacement characters is not text.
MAX_CONTROL_SHARE = 0.01
BINARY_PROBE_BYTES = 4096
# BOM-less UTF-16/32 is accepted when this share of the probe's characters are ordinary text characters
# (ASCII, Latin-1, punctuation, CJK, kana, Hangul, full-width forms). Text in the wrong byte order scores near 0.
MIN_WIDE_PLAUSIBLE_SHARE = 0.90

# UTF-8 with a few invalid bytes (a flipped bit, a truncated last character) is kept, each invalid sequence
# replaced by U+FFFD and the bytes counted in `n_replaced_bytes`, when at most 0.1 % of the bytes are invalid
# (at least 8 are always allowed, so a short capture survives one damaged character; never more than 64) and
# at least 90 % of its non-ASCII bytes are valid UTF-8 (so a Latin-1 "café" or a GB18030 line is not repaired).
MAX_REPLACED_BYTES = 64
MIN_REPLACED_BUDGET = 8
REPLACED_BYTES_PER_BYTE = 0.001
MIN_REPAIRED_UTF8_SHARE = 0.90
# A file whose non-ASCII bytes are at least this share valid UTF-8, but with more invalid bytes than the budget,
# mixes encodings: any single-encoding reading garbles part of it.
MIXED_UTF8_SHARE = 0.5

# A charset-normalizer guess is checked when this share of the non-whitespace bytes are non-ASCII. Measured:
# Chinese captures are >= 0.8 non-ASCII in every encoding, English/French/German text <= 0.1.
HIGH_BIT_SHARE = 0.25
# A single-byte codepage (cp1250, cp1251, ptcp154, koi8-r, latin-1 …) reading mostly non-ASCII bytes is kept only
# when the text looks like an alphabetic language written with spaces: >= 80 % of its non-ASCII characters are
# letters and >= 80 % lie in words of at most 24 characters. Chinese bytes read this way give long unbroken
# runs of symbols and letters (one "word" per line).
MIN_LETTER_SHARE = 0.80
MIN_WORDED_SHARE = 0.80
MAX_WORD_LENGTH = 24
# A line is UTF-8 read as a CJK legacy encoding when, re-encoded, it is valid UTF-8 whose (at least this many)
# Han characters are common while the legacy reading's are not.
MIN_MISREAD_HAN = 2


class DecodeError(ValueError):
    """The bytes are not a text capture; `reason_code` is one of the reject reasons in the field dictionary."""

    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.reason_code = reason_code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text, the codec used, and how many invalid bytes were replaced by U+FFFD (UTF-8 only)."""

    text: str
    encoding: str
    n_replaced_bytes: int = 0


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data`, or None if it may be text (BOM-less UTF-16/32 is text)."""
    for magic, description in BINARY_SIGNATURES:
        if data.startswith(magic):
            hex_magic = " ".join(f"{b:02X}" for b in magic[:4])
            return f"{description} signature ({hex_magic})"
    probe = data[:BINARY_PROBE_BYTES]
    if b"\x00" in probe and wide_codec(probe) is None:
        return f"NUL bytes in the first {len(probe)} bytes and no UTF-16/UTF-32 pattern"
    return None


# Characters ordinary text is made of, in any of the languages a capture may hold.
_PLAUSIBLE = re.compile(
    r"[\t\n\r\x20-\x7e\u00a0-\u024f\u2000-\u206f\u2190-\u21ff\u2460-\u24ff\u3000-\u30ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef\ufeff]"
)


def _plausible_share(text: str) -> float:
    return len(_PLAUSIBLE.findall(text)) / len(text) if text else 0.0


def _wide_nul_pattern(probe: bytes, codec: str) -> bool:
    """NULs where the codec's high bytes are: every top byte of a UTF-32 unit; more high than low bytes in UTF-16."""
    little = codec.endswith("le")
    if codec.startswith("utf-32"):
        usable = probe[: len(probe) - len(probe) % 4]
        top = usable[3::4] if little else usable[0::4]
        return bool(top) and top.count(0) == len(top)
    usable = probe[: len(probe) - len(probe) % 2]
    high, low = (usable[1::2], usable[0::2]) if little else (usable[0::2], usable[1::2])
    return high.count(0) > low.count(0)


def _decode_prefix(probe: bytes, codec: str) -> str | None:
    """Strictly decode a probe that may end inside a character (a cut code unit or surrogate pair)."""
    unit = 4 if codec.startswith("utf-32") else 2
    usable = probe[: len(probe) - len(probe) % unit]
    for cut in (usable, usable[:-2]):
        text = _strict(cut, codec)
        if text is not None:
            return text
    return None


def wide_codec(probe: bytes) -> str | None:
    """The BOM-less UTF-32/UTF-16 codec (le/be) whose NUL pattern fits `probe` and which decodes it to text."""
    if b"\x00" not in probe:
        return None
    for codec in WIDE_CODECS:
        if not _wide_nul_pattern(probe, codec):
            continue
        text = _decode_prefix(probe, codec)
        if (
            text
            and control_share(text) <= MAX_CONTROL_SHARE
            and _plausible_share(text) >= MIN_WIDE_PLAUSIBLE_SHARE
        ):
            return codec
    return None


@cache
def _common_han(encoding: str) -> frozenset[str]:
    """Level-1 (most frequent) Han characters of GB2312 or Big5, derived from the codecs themselves."""
    chars: set[str] = set()
    if encoding == "gb18030":
        for lead in range(0xB0, 0xD8):
            for trail in range(0xA1, 0xFF):
                try:
                    chars.add(bytes((lead, trail)).decode("gb2312"))
                except UnicodeDecodeError:
                    continue
    else:
        for lead in range(0xA4, 0xC7):
            for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
                try:
                    chars.add(bytes((lead, trail)).decode("big5"))
                except UnicodeDecodeError:
                    continue
    return frozenset(chars)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def common_han_share(text: str, encoding: str) -> float:
    """Share of Han characters in `text` that are level-1 characters of `encoding` (1.0 if there are none)."""
    han = [c for c in text if _is_han(c)]
    if not han:
        return 1.0
    common = _common_han(encoding)
    return sum(c in common for c in han) / len(han)


def _common_share_any(text: str) -> float:
    """Common-Han share for simplified or traditional text, whichever it is."""
    return max(common_han_share(text, "gb18030"), common_han_share(text, "big5"))


# Unicode category Cc (U+0000–U+001F, U+007F–U+009F) except the whitespace controls \t \n \v \f \r, and U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def control_share(text: str, replaced: int = 0) -> float:
    """Share of characters that are control characters (other than whitespace) or U+FFFD.

    Up to `replaced` U+FFFD are not counted: those are the marked invalid bytes of a repaired UTF-8 capture.
    """
    if not text:
        return 0.0
    found = len(_CONTROL.findall(text)) - min(replaced, text.count("\ufffd"))
    return found / len(text)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding, errors="strict")
    except (UnicodeDecodeError, LookupError):
        return None


_ESCAPED = re.compile(r"[\udc80-\udcff]")
_ASCII = bytes(range(0x80))


@dataclass(frozen=True, slots=True)
class Utf8Profile:
    """How much of `data` is UTF-8: its non-ASCII bytes and how many of them are invalid UTF-8."""

    n_high: int
    n_invalid: int

    @property
    def valid_share(self) -> float:
        return 1 - self.n_invalid / self.n_high if self.n_high else 1.0


def utf8_profile(data: bytes) -> Utf8Profile:
    escaped = data.decode("utf-8", errors="surrogateescape")  # one lone surrogate per invalid byte
    return Utf8Profile(len(data.translate(None, _ASCII)), len(_ESCAPED.findall(escaped)))


def replacement_budget(n_bytes: int) -> int:
    """How many invalid bytes a UTF-8 capture of `n_bytes` may have and still be kept (see the constants)."""
    return min(MAX_REPLACED_BYTES, max(MIN_REPLACED_BUDGET, int(n_bytes * REPLACED_BYTES_PER_BYTE)))


def _repaired_utf8(data: bytes, encoding: str = "utf-8") -> Decoded | None:
    """UTF-8 with its few invalid bytes replaced by U+FFFD (Python's errors="replace"), or None if too many."""
    profile = utf8_profile(data)
    if profile.n_invalid > replacement_budget(len(data)) or profile.valid_share < MIN_REPAIRED_UTF8_SHARE:
        return None
    return Decoded(data.decode("utf-8", errors="replace"), encoding, profile.n_invalid)


@cache
def _is_single_byte(encoding: str) -> bool:
    """A codepage that maps (almost) every byte 0x80–0xFF to one character on its own (cp125x, koi8, latin-1)."""
    return sum(_strict(bytes([b]), encoding) is not None for b in range(0x80, 0x100)) >= 96


@cache
def _is_ascii_compatible(encoding: str) -> bool:
    """Printable ASCII and whitespace decode to themselves (not EBCDIC cp037/cp875, not UTF-16)."""
    sample = bytes(range(0x09, 0x7F))
    return _strict(sample, encoding) == sample.decode("ascii")


def misread_utf8_line(text: str, encoding: str) -> tuple[int, str, str] | None:
    """First line of `text` that is UTF-8 bytes read as `encoding`: (line number, as read, as UTF-8)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            as_utf8 = line.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if (
            sum(_is_han(c) for c in as_utf8) >= MIN_MISREAD_HAN
            and _common_share_any(as_utf8) >= COMMON_HAN_THRESHOLD
            and _common_share_any(line) < COMMON_HAN_THRESHOLD
        ):
            return number, line, as_utf8
    return None


def _reject_misread(decoded: Decoded) -> None:
    misread = misread_utf8_line(decoded.text, decoded.encoding)
    if misread is not None:
        number, line, as_utf8 = misread
        raise DecodeError(
            "garbled_text",
            f"mixed encodings: line {number} is UTF-8 read as {decoded.encoding} ({line[:12]!r} is {as_utf8[:12]!r})",
        )


def _worded_share(text: str) -> tuple[float, float]:
    """(share of non-ASCII characters that are letters, share lying in words of <= MAX_WORD_LENGTH)."""
    n_non_ascii = n_letters = n_worded = 0
    for word in text.split():
        non_ascii = [c for c in word if not c.isascii()]
        n_non_ascii += len(non_ascii)
        n_letters += sum(c.isalpha() for c in non_ascii)
        if len(word) <= MAX_WORD_LENGTH:
            n_worded += len(non_ascii)
    if not n_non_ascii:
        return 1.0, 1.0
    return n_letters / n_non_ascii, n_worded / n_non_ascii


def high_bit_share(data: bytes) -> float:
    """Share of the non-whitespace bytes that are non-ASCII."""
    solid = data.translate(None, b" \t\r\n\f\v")
    return len(solid.translate(None, _ASCII)) / len(solid) if solid else 0.0


def implausible_reading(data: bytes, decoded: Decoded) -> str | None:
    """Why `decoded` (a charset-normalizer guess) does not look like text in its encoding, or None if it does."""
    encoding = decoded.encoding
    if not _is_ascii_compatible(encoding):
        return f"{encoding} does not read ASCII bytes as ASCII"
    share = high_bit_share(data)
    if share < HIGH_BIT_SHARE:
        return None
    sample = repr(decoded.text.strip()[:16])
    if _is_single_byte(encoding):
        letters, worded = _worded_share(decoded.text)
        if letters < MIN_LETTER_SHARE or worded < MIN_WORDED_SHARE:
            return (
                f"{share:.0%} of bytes are non-ASCII and the {encoding} reading {sample} is not words of a "
                f"language ({letters:.0%} letters, {worded:.0%} in words of <= {MAX_WORD_LENGTH} characters)"
            )
        return None
    non_ascii_letters = [c for c in decoded.text if not c.isascii() and c.isalpha()]
    han = sum(_is_han(c) for c in non_ascii_letters)
    common = _common_share_any(decoded.text)
    if not non_ascii_letters or han / len(non_ascii_letters) < 0.5 or common < COMMON_HAN_THRESHOLD:
        return (
            f"the {encoding} reading {sample} is not Chinese text "
            f"({han} Han of {len(non_ascii_letters)} letters, {common:.0%} of them common)"
        )
    return None


def _charset_normalizer(data: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    encoding = codecs.lookup(best.encoding).name
    text = _strict(data, encoding)
    return Decoded(text, encoding) if text is not None else None


def _best_legacy(data: bytes) -> Decoded | None:
    """GB18030 or Big5, whichever decodes strictly with the larger share of common Han characters."""
    scored: list[tuple[float, int, Decoded]] = []
    for rank, encoding in enumerate(("gb18030", "big5")):
        text = _strict(data, encoding)
        if text is None:
            continue
        share = common_han_share(text, encoding)
        if share >= COMMON_HAN_THRESHOLD:
            scored.append((share, -rank, Decoded(text, encoding)))
    return max(scored, key=lambda item: item[:2])[2] if scored else None


def _from_bom(data: bytes) -> Decoded | None:
    for bom, encoding in BOMS:
        if not data.startswith(bom):
            continue
        if encoding == "utf-8-sig":
            text = _strict(data, encoding)
            decoded = (
                Decoded(text, encoding) if text is not None else _repaired_utf8(data[len(bom) :], encoding)
            )
        else:
            text = _strict(data, encoding)
            decoded = Decoded(text, encoding) if text is not None else None
        if decoded is None:
            raise DecodeError(
                "undecodable", f"starts with a {encoding} byte-order mark but is not {encoding}"
            )
        return decoded
    return None


def _without_bom_wide(data: bytes) -> Decoded | None:
    encoding = wide_codec(data[:BINARY_PROBE_BYTES])
    if encoding is None:
        return None
    try:
        return Decoded(data.decode(encoding, errors="strict"), encoding)
    except UnicodeDecodeError as error:
        raise DecodeError(
            "undecodable", f"reads as {encoding} (no byte-order mark) up to byte {error.start}, which is not"
        ) from None


def _without_bom(data: bytes) -> Decoded:
    """Single-byte-unit text: strict UTF-8, GB18030/Big5, repaired UTF-8, then a checked charset-normalizer guess."""
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    decoded = _best_legacy(data)
    if decoded is not None:
        _reject_misread(decoded)
        return decoded
    decoded = _repaired_utf8(data)
    if decoded is not None:
        return decoded
    profile = utf8_profile(data)
    if profile.valid_share >= MIXED_UTF8_SHARE:
        raise DecodeError(
            "garbled_text",
            f"mixed encodings or damaged bytes: mostly UTF-8, but {profile.n_invalid} of the {profile.n_high} "
            f"non-ASCII bytes are not (a capture may have at most {replacement_budget(len(data))} replaced and "
            f"{1 - MIN_REPAIRED_UTF8_SHARE:.0%} of its non-ASCII bytes)",
        )
    decoded = _charset_normalizer(data)
    if decoded is None:
        raise DecodeError(
            "undecodable", "not UTF-8/UTF-16/UTF-32, GB18030 or Big5, and charset-normalizer found no match"
        )
    problem = implausible_reading(data, decoded)
    if problem is not None:
        raise DecodeError("garbled_text", f"charset-normalizer guessed {decoded.encoding}, but {problem}")
    if not _is_single_byte(decoded.encoding):
        _reject_misread(decoded)
    return decoded


def decode_bytes(data: bytes) -> Decoded:
    """Decode a capture, or raise DecodeError with a reject reason (empty, binary, undecodable, garbled, not text)."""
    if not data:
        raise DecodeError("empty_file", "file has 0 bytes")
    decoded = _from_bom(data) or _without_bom_wide(data)
    if decoded is None:
        binary = sniff_binary(data)
        if binary is not None:
            raise DecodeError("binary_file", binary)
        decoded = _without_bom(data)

    share = control_share(decoded.text, decoded.n_replaced_bytes)
    if share > MAX_CONTROL_SHARE:
        raise DecodeError(
            "not_text", f"decodes as {decoded.encoding} but {share:.0%} of characters are control characters"
        )
    if not decoded.text.strip():
        raise DecodeError("blank_file", f"{len(data)} bytes of whitespace only")
    return decoded
