"""A raw folder of every hostile kind of entry builds to the end: each entry is a `sources` row and ends as
documents or rejects with the reason expected, no traceback, and nothing outside the raw folder is opened.

The folder is generated here (no committed binaries): symlinks of every sort, a FIFO, a socket, a device
node (when the machine lets us make one), a name that is not UTF-8, JSON that Python's reader chokes on,
Parquet that is corrupt or inflates past its limit, a CSV with one malformed record, and texts over the limits.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.fields import REJECT_REASONS
from pipeline.models import DocumentBundle, RawUnit, Reject
from pipeline.process import process
from pipeline.rawfiles import iter_raw_entries, shown_name
from pipeline.settings import LimitSettings, Settings
from pipeline.stages.ingest import ingest_file, read_entry

RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]
ARTICLE = "人大常委会召开会议，审议政府工作报告。会议指出，要坚持依法履职，推动高质量发展。\n" * 3

# Low limits so small generated files cross them.
LIMITS = {
    "max_file_bytes": 200_000,
    "max_container_bytes": 100_000,
    "max_document_chars": 50_000,
    "max_document_lines": 500,
    "max_json_depth": 16,
}


def _parquet_bytes(table: pa.Table, **options: object) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **options)
    return sink.getvalue()


FUZZ_SUFFIXES = (".txt", ".md", ".csv", ".jsonl", ".json", ".html", ".xml", ".parquet", "")


def _fuzzed_files(folder: Path, count: int) -> list[str]:
    """`count` seeded mutations of real-shaped captures (in a folder that sorts last, so an unmutated copy is
    the duplicate, not the original): cut, bytes flipped, NULs, BOMs and markup spliced in,
    re-encoded, under any container suffix. Returns their paths relative to the raw folder."""
    import random

    chooser = random.Random(20261202)
    seeds = [
        EXAMPLE.read_bytes(),
        *(p.read_bytes() for p in sorted(EXAMPLE.parents[3].glob("tests/fixtures/*/*"))),
    ]
    splices = [
        b"\x00",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"<p>",
        b"</table>",
        b'"',
        b"\n\n",
        b"{",
        b"\r",
        b"\xe3\x80\x80",
    ]
    folder.mkdir()
    names = []
    for index in range(count):
        data = bytearray(chooser.choice(seeds))
        for _ in range(chooser.randint(0, 8)):
            operation = chooser.randrange(4)
            position = chooser.randrange(len(data) + 1)
            if operation == 0 and data:
                data[min(position, len(data) - 1)] = chooser.randrange(256)
            elif operation == 1:
                data[position:position] = chooser.choice(splices)
            elif operation == 2:
                del data[position : position + chooser.randint(1, 64)]
            else:
                data = data[: chooser.randint(0, len(data))]
        if chooser.random() < 0.1:
            data = bytearray(
                bytes(data)
                .decode("utf-8", "replace")
                .encode(chooser.choice(["utf-16", "gb18030"]), "replace")
            )
        name = f"zfuzz/{index:03d}{chooser.choice(FUZZ_SUFFIXES)}"
        (folder.parent / name).write_bytes(bytes(data))
        names.append(name)
    return names


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, dict[str, str | None]]:
    """The raw folder and, for each entry's shown path, the reject reason expected (None: documents)."""
    raw = tmp_path / "raw"
    outside = tmp_path / "outside"
    (raw / "real").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    expected: dict[str, str | None] = {}

    (raw / "real" / "capture.txt").write_bytes(EXAMPLE.read_bytes())
    # the first in path order of the same bytes is the document (link_to_file.txt), the others duplicates
    expected["real/capture.txt"] = "duplicate_document"
    # symlinks
    (raw / "link_to_file.txt").symlink_to(raw / "real" / "capture.txt")
    expected["link_to_file.txt"] = None
    (raw / "link_to_folder").symlink_to(raw / "real", target_is_directory=True)
    expected["link_to_folder/capture.txt"] = "duplicate_document"
    (raw / "link_outside.txt").symlink_to(outside / "secret.txt")
    expected["link_outside.txt"] = "symlink_outside"
    (raw / "link_outside_folder").symlink_to(outside, target_is_directory=True)
    expected["link_outside_folder"] = "symlink_outside"
    (raw / "broken.txt").symlink_to(raw / "nowhere.txt")
    expected["broken.txt"] = "broken_symlink"
    (raw / "self_loop").symlink_to(raw / "self_loop")
    expected["self_loop"] = "symlink_loop"
    (raw / "real" / "up").symlink_to(raw, target_is_directory=True)
    expected["real/up"] = "symlink_loop"
    expected["link_to_folder/up"] = "symlink_loop"  # the same link, reached through link_to_folder
    # special files
    os.mkfifo(raw / "pipe.txt")
    expected["pipe.txt"] = "not_regular_file"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(raw / "sock.txt"))
    expected["sock.txt"] = "not_regular_file"
    try:
        os.mknod(raw / "device.txt", 0o600 | 0o020000, os.makedev(1, 3))  # a character device like /dev/null
        expected["device.txt"] = "not_regular_file"
    except PermissionError:
        pass
    # a name that is not UTF-8
    with open(os.fsencode(raw) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(ARTICLE.encode())
    expected["caf\\xE9.txt"] = "undecodable_name"
    # containers Python's readers choke on
    (raw / "surrogate.jsonl").write_text('{"text": "\\ud800 正文"}\n', encoding="utf-8")
    expected["surrogate.jsonl"] = "malformed_row"
    (raw / "deep.json").write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    expected["deep.json"] = "malformed_container"
    nested: object = 1
    for _ in range(20):  # deeper than max_json_depth, shallow enough for Python's reader
        nested = [nested]
    (raw / "deepish.jsonl").write_text(json.dumps({"text": ARTICLE, "x": nested}) + "\n", encoding="utf-8")
    expected["deepish.jsonl"] = "malformed_row"
    (raw / "bigint.jsonl").write_text('{"text": "正文", "n": ' + "9" * 5000 + "}\n", encoding="utf-8")
    expected["bigint.jsonl"] = "malformed_row"
    good = _parquet_bytes(pa.table({"text": [ARTICLE, ARTICLE + "二"]}))
    (raw / "corrupt.parquet").write_bytes(good[:40] + b"\xff" * 64 + good[104:])
    expected["corrupt.parquet"] = "malformed_container"
    bomb = _parquet_bytes(pa.table({"text": ["正" * 200_000]}), compression="zstd")
    assert len(bomb) < 10_000
    (raw / "bomb.parquet").write_bytes(bomb)
    expected["bomb.parquet"] = "too_large"
    (raw / "rows.csv").write_text(f'title,text\n甲,{ARTICLE.strip()}\n乙,"坏"引号\n', encoding="utf-8")
    expected["rows.csv"] = "malformed_row"  # and a document for row 0
    # texts over the limits
    (raw / "huge.txt").write_bytes(b"x" * 200_001)
    expected["huge.txt"] = "too_large"
    (raw / "many_lines.txt").write_text("短行。\n" * 600, encoding="utf-8")
    expected["many_lines.txt"] = "too_large"
    for name in _fuzzed_files(raw / "zfuzz", 300):
        expected[name] = "?"  # any outcome, as long as it is accounted for
    yield raw, expected
    server.close()


def test_every_entry_is_accounted_for_with_its_reason(hostile, tmp_path: Path) -> None:
    raw, expected = hostile
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"ingest": {"limits": LIMITS}}), encoding="utf-8")
    out = tmp_path / "release"
    result = subprocess.run(
        [*RENDA, "build", str(raw), "--out", str(out), "--params", str(params)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    sources = pq.read_table(out / "sources.parquet").to_pylist()
    documents = pq.read_table(out / "documents.parquet", columns=["source_file", "source_row"]).to_pylist()
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    source_files = {row["source_file"] for row in sources}
    assert len(source_files) == len(sources)
    assert source_files == set(expected)
    ended = {row["source_file"] for row in documents} | {row["source_file"] for row in rejects}
    assert ended == source_files  # sources = documents ∪ rejects, exactly

    reasons: dict[str, set[str]] = {}
    for row in rejects:
        reasons.setdefault(row["source_file"], set()).add(row["reason_code"])
    for name, reason in expected.items():
        if reason == "?":
            continue
        if reason is None:
            assert name not in reasons, (name, reasons.get(name))
        else:
            assert reason in reasons.get(name, set()), (name, reasons.get(name))
    assert {
        (d["source_file"], d["source_row"]) for d in documents if not d["source_file"].startswith("zfuzz/")
    } == {
        ("link_to_file.txt", None),
        ("rows.csv", 0),
    }
    kinds = {row["source_file"]: row["entry_kind"] for row in sources}
    assert kinds["pipe.txt"] == "fifo" and kinds["sock.txt"] == "socket"
    assert kinds["link_to_file.txt"] == "symlink" and kinds["real/capture.txt"] == "file"
    unread = {row["source_file"] for row in sources if row["raw_sha256"] is None}
    assert {"pipe.txt", "sock.txt", "broken.txt", "self_loop", "link_outside.txt"} <= unread
    assert "secret" not in (out / "raw_texts.parquet").read_bytes().decode("latin-1")  # outside never read


def test_a_file_over_the_size_limit_is_hashed_but_never_held(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"a" * 5000)
    (entry,) = iter_raw_entries(tmp_path)
    source_row, reject = read_entry(entry, LimitSettings(max_file_bytes=1024))
    assert source_row["n_bytes"] == 5000
    assert source_row["raw_sha256"] is not None
    assert isinstance(reject, Reject)
    assert (reject.reason_code, reject.detail) == (
        "too_large",
        "5000 bytes (ingest.limits.max_file_bytes = 1024); not read",
    )


def test_shown_name_escapes_undecodable_bytes() -> None:
    assert shown_name(os.fsdecode(b"caf\xe9.txt")) == "caf\\xE9.txt"
    assert shown_name("正常.txt") == "正常.txt"


def test_strict_build_exits_1_when_anything_was_rejected(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "capture.txt").write_bytes(EXAMPLE.read_bytes())
    clean = subprocess.run([*RENDA, "build", str(raw), "--out", str(tmp_path / "a"), "--strict"], check=False)
    assert clean.returncode == 0
    (raw / "empty.txt").write_bytes(b"")
    rejected = subprocess.run(
        [*RENDA, "build", str(raw), "--out", str(tmp_path / "b"), "--strict"],
        capture_output=True,
        check=False,
    )
    assert rejected.returncode == 1
    assert (tmp_path / "b" / "manifest.json").is_file()  # the release is written all the same
    lenient = subprocess.run([*RENDA, "build", str(raw), "--out", str(tmp_path / "c")], check=False)
    assert lenient.returncode == 0


# --- the accounting invariant as a property --------------------------------------------------------------------

_TEXTS = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
        st.sampled_from(
            [
                "人大常委会召开会议。",
                "　　第一条 为了规范工作，制定本办法。",
                "<p>正文</p><table><tr><td>甲</td></tr></table>",
                "# 标题",
                "**加粗小标题**",
                "来源：北京人大 编辑：张三",
                '"a","b"',
                "\x00\x01",
                "\ufeff",
                '{"text": "\\ud800"}',
                "[" * 50,
            ]
        ),
    ),
    max_size=12,
)
_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32-be", "gb18030", "big5"])


@st.composite
def captures(draw: st.DrawFn) -> tuple[str, bytes]:
    name = "x" + draw(st.sampled_from([".txt", ".md", ".csv", ".tsv", ".jsonl", ".json", ".parquet", ""]))
    if draw(st.booleans()):
        return name, draw(st.binary(max_size=300))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(draw(_TEXTS))
    if name.endswith((".csv", ".tsv")) and draw(st.booleans()):
        text = "title,text\n" + text
    data = text.encode(draw(_ENCODINGS), errors="replace")
    return name, data


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(captures())
def test_any_bytes_end_as_documents_or_rejects(capture: tuple[str, bytes]) -> None:
    """Whatever the bytes, ingest and parse end every unit as a bundle or a reject: no exception escapes, the
    file yields at least one unit, and every reject names the file and a known reason."""
    name, data = capture
    units = list(ingest_file(name, data, Settings()))
    assert units
    for unit in units:
        assert unit.source_file == name
        result = process(unit) if isinstance(unit, RawUnit) else unit
        assert isinstance(result, (DocumentBundle, Reject))
        if isinstance(result, Reject):
            assert result.reason_code in REJECT_REASONS
            assert result.detail and "\n" not in result.detail


def test_a_layer_failing_on_one_document_leaves_it_without_layer_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the layers raise on one document. The build goes on, that document keeps its records and
    says why it has no layer rows, and the other document gets its layers."""
    from pipeline.stages import enrich, ingest, parse, validate

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(EXAMPLE.read_bytes())
    (raw / "b.txt").write_bytes(EXAMPLE.read_bytes() + "\n“两个确立”是关键。\n".encode())
    settings = Settings()
    ingest.run(raw, tmp_path / "ingested", settings)
    parse.run(tmp_path / "ingested", tmp_path / "parsed", settings)
    validate.run(tmp_path / "parsed", tmp_path / "validated", settings)
    real_layer_rows = enrich.layer_rows

    def failing_on_a(document: dict, *args: object) -> dict:
        if document["source_file"] == "a.txt":
            raise OverflowError("injected")
        return real_layer_rows(document, *args)

    monkeypatch.setattr(enrich, "layer_rows", failing_on_a)
    report = enrich.run(tmp_path / "validated", tmp_path / "enriched", settings)
    assert report.extra["layer_errors"] == 1
    assert report.problems == ["a.txt: layers not extracted: OverflowError: injected"]
    documents = {
        d["source_file"]: d for d in pq.read_table(tmp_path / "enriched" / "documents.parquet").to_pylist()
    }
    assert documents["a.txt"]["layer_error"] == "OverflowError: injected"
    assert documents["b.txt"]["layer_error"] is None
    terms = pq.read_table(tmp_path / "enriched" / "terms.parquet").to_pylist()
    ids = {documents["a.txt"]["doc_id"]: "a.txt", documents["b.txt"]["doc_id"]: "b.txt"}
    assert {ids[t["doc_id"]] for t in terms} == {"b.txt"}


def test_a_dictionary_encoded_parquet_bomb_stops_after_one_batch() -> None:
    """Its metadata declares a few hundred bytes; decoded it is 1 GiB. Reading stops once the decoded bytes pass
    the bound (64 MiB floor here), after one batch of rows, with a `too_large` error naming the sizes."""
    from pipeline.containers import PARQUET_BATCH_ROWS, ContainerError, iter_rows

    bomb = _parquet_bytes(pa.table({"text": ["正" * (1 << 20)] * 340}), compression="zstd")
    assert len(bomb) < 2000
    rows = []
    with pytest.raises(ContainerError) as caught:
        for row in iter_rows("parquet", None, bomb, max_decompressed=2 << 30, max_inflation=200):
            rows.append(row.index)
    assert caught.value.reason_code == "too_large"
    assert caught.value.detail.startswith(
        f"Parquet file of {len(bomb)} bytes decodes to more than 67108864 bytes"
    )
    assert len(rows) <= 2 * PARQUET_BATCH_ROWS
