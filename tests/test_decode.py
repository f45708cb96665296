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
