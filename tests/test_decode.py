from __future__ import annotations

import codecs

import pytest

from pipeline.decode import DecodeError, common_han_share, decode_bytes, sniff_binary

SIMPLIFIED = "坚持在党的领导下做好人大工作。区委带头坚持和捍卫“两个确立”，增强“四个意识”，坚定“四个自信”。"
TRADITIONAL = (
    "堅持在黨的領導下做好人大工作。區委帶頭堅持和捍衛「兩個確立」，增強「四個意識」，堅定「四個自信」。"
)


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (SIMPLIFIED.encode("utf-8"), "utf-8", SIMPLIFIED),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8-sig", SIMPLIFIED),
        (SIMPLIFIED.encode("utf-16"), "utf-16", SIMPLIFIED),
        (("abc " + SIMPLIFIED).encode("utf-16-le"), "utf-16-le", "abc " + SIMPLIFIED),
        (SIMPLIFIED.encode("gb18030"), "gb18030", SIMPLIFIED),
        (SIMPLIFIED.encode("gbk"), "gb18030", SIMPLIFIED),
        (TRADITIONAL.encode("big5"), "big5", TRADITIONAL),
        ("行一\r\n行二\u00a0\u3000\u200b\n".encode(), "utf-8", "行一\r\n行二\u00a0\u3000\u200b\n"),
    ],
)
def test_encodings_round_trip(data: bytes, encoding: str, text: str) -> None:
    decoded = decode_bytes(data)
    assert decoded.encoding == encoding
    assert decoded.text == text  # kept exactly: CRLF, NBSP, ideographic and zero-width spaces untouched


def test_big5_bytes_are_not_taken_for_gb18030() -> None:
    data = TRADITIONAL.encode("big5")
    assert common_han_share(data.decode("gb18030"), "gb18030") < 0.9
    assert decode_bytes(data).encoding == "big5"


@pytest.mark.parametrize(
    ("data", "reason", "detail_part"),
    [
        (b"", "empty_file", "0 bytes"),
        (b" \n\t\r\n", "blank_file", "whitespace"),
        ("\u3000\n".encode(), "blank_file", "whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary_file", "PNG"),
        (b"%PDF-1.7\n", "binary_file", "PDF"),
        (b"PK\x03\x04rest", "binary_file", "ZIP"),
        (bytes(range(256)) * 4, "binary_file", "NUL"),
        (b"\x01\x02\x03\x04\x05\x06\x07 plain", "not_text", "control"),
    ],
)
def test_bad_bytes_are_rejected_with_reason(data: bytes, reason: str, detail_part: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_bytes(data)
    assert caught.value.reason_code == reason
    assert detail_part in caught.value.detail


def test_sniff_binary_accepts_text() -> None:
    assert sniff_binary(SIMPLIFIED.encode()) is None
    assert sniff_binary(SIMPLIFIED.encode("utf-16-le")) is None


WIDE_CODECS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


@pytest.mark.parametrize("codec", WIDE_CODECS)
def test_utf16_and_utf32_with_or_without_bom_decode_exactly(codec: str) -> None:
    """The wide encodings are full of NULs: they must be read before the binary check, never rejected as binary."""
    text = "一、总体要求\n" + SIMPLIFIED + "\nPage 2 of 3 — 第二段。\n"
    decoded = decode_bytes(text.encode(codec))
    assert decoded.text == text
    assert decoded.encoding == codec
    assert decoded.n_replaced_bytes == 0


def test_wide_text_in_the_wrong_byte_order_is_not_taken_for_text() -> None:
    swapped = SIMPLIFIED.encode("utf-16-le")
    swapped = bytes(b for pair in zip(swapped[1::2], swapped[0::2], strict=True) for b in pair)  # read as BE…
    with pytest.raises(DecodeError) as caught:
        decode_bytes(b"\x00\x01\x02\x03" + swapped[:-4] + b"\x00\x00\x00\x00")
    assert caught.value.reason_code in ("binary_file", "not_text", "garbled_text", "undecodable")


def test_a_few_damaged_bytes_are_replaced_and_counted() -> None:
    good = (SIMPLIFIED + "\n") * 4
    damaged = bytearray(good.encode("utf-8"))
    damaged[3] = 0xFF  # the lead byte of 持: 0xFF and its two orphaned continuation bytes are each invalid
    decoded = decode_bytes(bytes(damaged))
    assert decoded.encoding == "utf-8"
    assert decoded.n_replaced_bytes == 3
    assert decoded.text == "坚\ufffd\ufffd\ufffd" + good[2:]


def test_a_truncated_last_character_is_replaced() -> None:
    data = SIMPLIFIED.encode("utf-8")[:-1]
    decoded = decode_bytes(data)
    assert decoded.n_replaced_bytes == 2  # bytes counted; the cut sequence is one U+FFFD
    assert decoded.text == SIMPLIFIED[:-1] + "\ufffd"


def test_utf8_and_gb18030_lines_in_one_file_are_garbled_not_accepted() -> None:
    utf8_line = "上周关注的重点工作进展顺利。\n".encode()
    gb_line = "人大常委会召开会议审议报告。\n".encode("gb18030")
    with pytest.raises(DecodeError) as caught:
        decode_bytes((utf8_line + gb_line) * 3)
    assert caught.value.reason_code == "garbled_text"
    assert "mixed encodings" in caught.value.detail


def test_utf8_read_as_gb18030_is_recognised_as_mojibake() -> None:
    """The classic 涓婂懆… mojibake: UTF-8 bytes that happen to be valid GB18030 must not become the text."""
    from pipeline.decode import misread_utf8_line

    mojibake = "上周关注".encode().decode("gb18030")
    assert misread_utf8_line("标题\n" + mojibake + "\n", "gb18030") == (2, mojibake, "上周关注")
    assert misread_utf8_line(SIMPLIFIED, "gb18030") is None


def test_a_codepage_guess_that_reads_chinese_bytes_as_symbols_is_refused() -> None:
    from pipeline.decode import Decoded, implausible_reading

    data = SIMPLIFIED.encode("gb18030")
    as_cp1251 = Decoded(data.decode("cp1251", errors="replace"), "cp1251")
    assert implausible_reading(data, as_cp1251) is not None
    french = "Le congrès populaire a adopté la résolution à l'unanimité.".encode("cp1252")
    assert implausible_reading(french, Decoded(french.decode("cp1252"), "cp1252")) is None
