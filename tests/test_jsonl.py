"""Pretty JSON for reports and manifests, and the manifest's per-document map written entry by entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pipeline.jsonl import Streamed, dumps_pretty, write_json_streamed

_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.dates()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
_MAPS = st.dictionaries(st.text(max_size=5), _VALUES, max_size=4)


@given(before=_VALUES, documents=_MAPS, after=_VALUES, rejects=_MAPS)
@hypothesis_settings(max_examples=200, deadline=None)
def test_streamed_entries_write_the_bytes_of_the_whole_dump(
    tmp_path_factory: Any, before: Any, documents: dict[str, Any], after: Any, rejects: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("json") / "manifest.json"
    data = {"before": before, "documents": documents, "after": after, "rejects": rejects}
    streamed = {**data, "documents": Streamed(documents.items), "rejects": Streamed(rejects.items)}
    write_json_streamed(path, streamed)
    assert path.read_text(encoding="utf-8") == dumps_pretty(data)


def test_entries_are_read_while_the_file_is_written(tmp_path: Path) -> None:
    taken: list[str] = []

    def entries() -> Any:
        for key in ("a", "b"):
            taken.append(key)
            yield key, {"day": dt.date(2024, 1, 2)}

    stream = Streamed(entries)
    assert taken == []  # nothing is read until the file is written
    write_json_streamed(tmp_path / "m.json", {"n": 1, "documents": stream})
    assert taken == ["a", "b"]
    expected = {"n": 1, "documents": {"a": {"day": "2024-01-02"}, "b": {"day": "2024-01-02"}}}
    assert (tmp_path / "m.json").read_text(encoding="utf-8") == dumps_pretty(expected)
