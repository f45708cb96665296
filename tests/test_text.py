from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.text import first_sentence, iter_sentences, join_wrapped, match_key, split_lines


def test_split_lines_keeps_offsets_for_every_newline_style() -> None:
    text = "一\r\n  二\u3000\r三\n\n"
    lines = split_lines(text)
    assert [(line.text, line.start, line.end) for line in lines] == [
        ("一", 0, 1),
        ("二", 5, 6),
        ("三", 8, 9),
        ("", 10, 10),
        ("", 11, 11),
    ]


@given(st.text(alphabet=st.sampled_from(list("ab 中。\n\r\u3000\u00a0")), max_size=60))
def test_split_lines_spans_slice_back(text: str) -> None:
    for line in split_lines(text):
        assert text[line.start : line.end] == line.text
        assert "\n" not in line.text and "\r" not in line.text


def test_match_key_unifies_width_and_space() -> None:
    assert match_key("文章有问题？点此查看 未经处理的缓存") == match_key("文章有问题?点此查看未经处理的缓存")


def test_sentences_include_closing_quotes() -> None:
    text = "他说：“好。”然后走了！还有"
    assert [text[a:b] for a, b in iter_sentences(text)] == ["他说：“好。”", "然后走了！", "还有"]
    assert first_sentence("加强人大“四个机关”建设。区委准确把握") == "加强人大“四个机关”建设。"
    assert first_sentence("只有一句。") is None


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (["人大代表", "履职"], "人大代表履职"),
        (["the people's", "congress"], "the people's congress"),
        (["C", "N", "V", "D"], "CNVD"),  # a word set one character per line
        (["月1", "9", "日"], "月19日"),
        (["of", "it"], "of it"),  # two-character words are words
        (["2024", "5"], "2024 5"),
    ],
)
def test_join_wrapped(parts: list[str], joined: str) -> None:
    assert join_wrapped(parts) == joined


def test_match_key_is_the_same_memoized_or_not() -> None:
    """Keys of short texts are memoized (up to 256 characters); a long text's key is computed the same way."""
    from pipeline.text import _match_key

    for text in ("文章有问题？点此查看", "  ＡＢＣ　開會  ", "x" * 256, "後" * 257 + " ？"):
        assert match_key(text) == _match_key(text) == match_key(text)
    assert match_key("後" * 257 + " ？") == "后" * 257 + "?"
