"""Bytes → text, strictly, in a fixed order, so that the same bytes always decode the same way.

Order: byte-order mark → strict UTF-8 → GB18030 and Big5 (each accepted only if the decoded Han characters are
mostly common ones for that encoding, because Big5 bytes always "decode" as GB18030 into nonsense) →
`charset-normalizer` last. The decoded text is kept exactly as decoded (newlines and Unicode untouched) because
every offset in the release points into it.
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

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# A legacy-encoding guess is kept only when this share of its Han characters are common ones.
# Measured on real captures: GB18030 text scores >= 0.98, Big5 bytes read as GB18030 score <= 0.45.
COMMON_HAN_THRESHOLD = 0.90
# Decoded text with more than this share of control or replacement characters is not text.
MAX_CONTROL_SHARE = 0.01
BINARY_PROBE_BYTES = 4096


class DecodeError(ValueError):
    """The bytes are not a text capture; `reason_code` is one of the reject reasons in the field dictionary."""

    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.reason_code = reason_code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data`, or None if it may be text."""
    for magic, description in BINARY_SIGNATURES:
        if data.startswith(magic):
            hex_magic = " ".join(f"{b:02X}" for b in magic[:4])
            return f"{description} signature ({hex_magic})"
    probe = data[:BINARY_PROBE_BYTES]
    if b"\x00" in probe and not _looks_like_utf16(probe):
        return f"NUL bytes in the first {len(probe)} bytes and no UTF-16 pattern"
    return None


def _looks_like_utf16(probe: bytes) -> bool:
    """UTF-16 without a BOM: NULs only at one byte parity, and the bytes decode to ordinary text."""
    return _utf16_without_bom(probe) is not None


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 codec (le/be) that decodes `data` with no control characters, if NULs fall on one parity."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if even and odd:
        return None
    encoding = "utf-16-le" if odd else "utf-16-be"
    sample = data[: len(data) - len(data) % 2]
    try:
        text = sample.decode(encoding, errors="strict")
    except UnicodeDecodeError:
        # A probe may cut a surrogate pair; retry without its last unit.
        try:
            text = sample[:-2].decode(encoding, errors="strict")
        except UnicodeDecodeError:
            return None
    return encoding if control_share(text) <= MAX_CONTROL_SHARE else None


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


# Unicode category Cc (U+0000–U+001F, U+007F–U+009F) except the whitespace controls \t \n \v \f \r, and U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def control_share(text: str) -> float:
    """Share of characters that are control characters (other than whitespace) or U+FFFD."""
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding, errors="strict")
    except (UnicodeDecodeError, LookupError):
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


def decode_bytes(data: bytes) -> Decoded:
    """Decode a capture, or raise DecodeError with a reject reason (empty, binary, undecodable, not text)."""
    if not data:
        raise DecodeError("empty_file", "file has 0 bytes")
    binary = sniff_binary(data)
    if binary is not None:
        raise DecodeError("binary_file", binary)

    decoded: Decoded | None = None
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = _strict(data, encoding)
            if text is None:
                raise DecodeError(
                    "undecodable", f"starts with a {encoding} byte-order mark but is not {encoding}"
                )
            decoded = Decoded(text, encoding)
            break
    if decoded is None:
        text = _strict(data, "utf-8")
        if text is not None:
            decoded = Decoded(text, "utf-8")
    if decoded is None and b"\x00" in data:
        encoding = _utf16_without_bom(data)
        text = _strict(data, encoding) if encoding else None
        if encoding and text is not None:
            decoded = Decoded(text, encoding)
    if decoded is None:
        decoded = _best_legacy(data)
    if decoded is None:
        decoded = _charset_normalizer(data)
    if decoded is None:
        raise DecodeError(
            "undecodable", "not UTF-8/UTF-16, GB18030 or Big5, and charset-normalizer found no match"
        )

    share = control_share(decoded.text)
    if share > MAX_CONTROL_SHARE:
        raise DecodeError(
            "not_text", f"decodes as {decoded.encoding} but {share:.0%} of characters are control characters"
        )
    if not decoded.text.strip():
        raise DecodeError("blank_file", f"{len(data)} bytes of whitespace only")
    return decoded
