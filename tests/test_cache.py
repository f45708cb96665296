"""The per-document cache (`pipeline.cache`): warm rebuilds are byte-identical, only new or changed inputs are
recomputed (counted by the misses each stage reports, never by timing), a relevant setting or the code changes
every key, a bad entry is a miss that gets replaced, and an unwritable folder is one warning line."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, FIXTURES, ROOT

from pipeline.cache import (
    BATCH_ENTRIES,
    DIGEST_BYTES,
    Cache,
    CacheStats,
    close_connections,
    name_and_version,
    open_cache,
)
from pipeline.settings import (
    DatasetSettings,
    DuplicateParams,
    EnrichSettings,
    ExecutionSettings,
    IngestSettings,
    IssuerSettings,
    Settings,
)
from pipeline.stages import enrich, ingest, parse, release, templates, validate
from pipeline.stages.base import StageReport

# name, module, output folder, input folder (None: the raw folder)
STAGES = (
    ("ingest", ingest, "ingested", None),
    ("templates", templates, "templates", "ingested"),
    ("parse", parse, "parsed", "ingested"),
    ("validate", validate, "validated", "parsed"),
    ("enrich", enrich, "enriched", "validated"),
    ("release", release, "release", "enriched"),
)
CACHED = ("ingest", "templates", "parse", "validate", "enrich")


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """Every fixture format, containers included, and the example capture."""
    folder = tmp_path / "raw"
    shutil.copytree(FIXTURES, folder)
    shutil.copyfile(EXAMPLE, folder / EXAMPLE.name)
    return folder


def settings_with(cache: Path | None, jobs: int = 1, **sections: object) -> Settings:
    return Settings(execution=ExecutionSettings(jobs=jobs, cache=cache), **sections)  # type: ignore[arg-type]


def run_all(raw: Path, out: Path, settings: Settings) -> dict[str, StageReport]:
    """The six stages as `dvc repro` runs them, each into its own folder under `out` (parse with the learned
    templates)."""
    reports = {}
    for name, stage, folder, source in STAGES:
        given = raw if source is None else out / source
        if name == "parse":
            reports[name] = parse.run(given, out / folder, settings, templates=out / "templates")
        else:
            reports[name] = stage.run(given, out / folder, settings)
    return reports


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cache_counts(reports: dict[str, StageReport]) -> dict[str, dict[str, int]]:
    return {name: reports[name].cache for name in CACHED}


def test_cold_warm_and_no_cache_give_byte_identical_outputs(raw: Path, tmp_path: Path) -> None:
    """Every stage's output folder (the DVC outputs) and the release are the same bytes without a cache, with
    a cold one and with a warm one, on one process and on a pool of two (whose cache counts come back)."""
    cache = tmp_path / "cache"
    plain = run_all(raw, tmp_path / "plain", settings_with(None))
    cold = run_all(raw, tmp_path / "cold", settings_with(cache))
    warm = run_all(raw, tmp_path / "warm", settings_with(cache, jobs=2))
    assert plain["parse"].cache is None
    received = {name: plain[name].received for name in CACHED}
    files_read = received["ingest"]
    assert cache_counts(cold) == {
        "ingest": {"hits": 0, "misses": files_read, "corrupt": 0},
        "templates": {"hits": 0, "misses": received["templates"], "corrupt": 0},
        "parse": {"hits": 0, "misses": received["parse"], "corrupt": 0},
        "validate": {"hits": 0, "misses": received["validate"], "corrupt": 0},
        "enrich": {"hits": 0, "misses": received["enrich"], "corrupt": 0},
    }
    assert cache_counts(warm) == {
        "ingest": {"hits": files_read, "misses": 0, "corrupt": 0},
        "templates": {"hits": received["templates"], "misses": 0, "corrupt": 0},
        "parse": {"hits": received["parse"], "misses": 0, "corrupt": 0},
        "validate": {"hits": received["validate"], "misses": 0, "corrupt": 0},
        "enrich": {"hits": received["enrich"], "misses": 0, "corrupt": 0},
    }
    assert received["enrich"] >= 10
    for _, _, folder, _ in STAGES:  # report.json included: the cache's counts are for the terminal only
        expected = files(tmp_path / "plain" / folder)
        assert "report.json" in expected or folder == "release"
        for run in ("cold", "warm"):
            assert files(tmp_path / run / folder) == expected, (run, folder)
    for name in CACHED:  # the same problems printed, whatever the cache did
        for run in (cold, warm):
            assert run[name].problems == plain[name].problems


def test_ingest_on_two_processes_streams_large_files_itself(
    raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ingest reads small files on the pool and streams larger ones in the parent (a big container's units are
    never held as one list): with the bound low enough that both happen, two processes write the bytes one
    does, and every file's cache hit or miss is counted once, wherever it was read."""
    sizes = sorted(path.stat().st_size for path in raw.rglob("*") if path.is_file())
    monkeypatch.setattr(ingest, "POOL_FILE_BYTES", sizes[len(sizes) // 2])  # forked workers see it too
    outputs = {}
    for jobs in (1, 2):
        cache = tmp_path / f"cache-{jobs}"
        for run in ("cold", "warm"):
            out = tmp_path / f"ingested-{jobs}-{run}"
            report = ingest.run(raw, out, settings_with(cache, jobs=jobs))
            misses = report.received if run == "cold" else 0
            assert report.cache == {"hits": report.received - misses, "misses": misses, "corrupt": 0}
            outputs[jobs, run] = files(out)
    assert all(found == outputs[1, "cold"] for found in outputs.values())
    assert sizes[0] <= ingest.POOL_FILE_BYTES < sizes[-1]


def test_a_parquet_container_is_streamed_in_the_parent_however_small(tmp_path: Path) -> None:
    """A compressed container may decode to many times its size: never one list from a worker."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.rawfiles import RawEntry

    pq.write_table(pa.table({"title": ["标题"], "text": ["正文" * 200]}), tmp_path / "rows.parquet")
    (tmp_path / "rows.csv").write_text("title,text\n标题," + "正文" * 200 + "\n", encoding="utf-8")
    settings = settings_with(None)
    parquet = ingest.ingest_entry(RawEntry("rows.parquet", tmp_path / "rows.parquet", "file"), settings, None)
    csv = ingest.ingest_entry(RawEntry("rows.csv", tmp_path / "rows.csv", "file"), settings, None)
    assert parquet is ingest.LEFT_TO_PARENT
    assert csv.source_row is not None and len(csv.produced) == 1 and csv.produced[0].reject is None


def test_adding_one_capture_computes_only_that_one(raw: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    settings = settings_with(cache)
    before = run_all(raw, tmp_path / "before", settings)
    added = EXAMPLE.read_bytes() + "\n\n本文是新增的一篇测试稿件。\n".encode()
    (raw / "added").mkdir()
    (raw / "added" / "new.txt").write_bytes(added)
    after = run_all(raw, tmp_path / "after", settings)
    assert after["parse"].emitted == before["parse"].emitted + 1
    assert cache_counts(after) == {
        "ingest": {"hits": before["ingest"].received, "misses": 1, "corrupt": 0},
        "templates": {"hits": before["templates"].received, "misses": 1, "corrupt": 0},
        "parse": {"hits": before["parse"].received, "misses": 1, "corrupt": 0},
        "validate": {"hits": before["validate"].received, "misses": 1, "corrupt": 0},
        "enrich": {"hits": before["enrich"].received, "misses": 1, "corrupt": 0},
    }
    # the same bytes as a build of the grown folder without any cache
    plain = run_all(raw, tmp_path / "plain", settings_with(None))
    assert plain["enrich"].received == after["enrich"].received
    assert files(tmp_path / "after" / "release") == files(tmp_path / "plain" / "release")


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        # the signature's settings: every enrich result changes, ingest and parse are untouched
        ({"enrich": EnrichSettings(duplicates=DuplicateParams(shingle=4))}, {"enrich": "all"}),
        # the threshold is read by the clusters only (over all signatures, every run): nothing recomputed
        ({"enrich": EnrichSettings(duplicates=DuplicateParams(threshold=0.7))}, {}),
        # the issuer settings go into every bundle; enrich recomputes the documents whose row changed
        (
            {"issuers": IssuerSettings(in_scope=["people_congress"])},
            {"parse": "all", "validate": "some", "enrich": "some"},
        ),
        # ingest's own settings: every file again (its units are the same bytes, so parse hits)
        ({"ingest": IngestSettings(exclude=["nothing-matches-this"])}, {"ingest": "all"}),
        # settings no per-document result reads
        ({"execution": None}, {}),
    ],
)
def test_a_relevant_setting_misses_an_irrelevant_one_hits(
    raw: Path, tmp_path: Path, sections: dict[str, object], expected: dict[str, str]
) -> None:
    cache = tmp_path / "cache"
    first = run_all(raw, tmp_path / "first", settings_with(cache))
    if "execution" in sections:
        again_settings = Settings(
            execution=ExecutionSettings(jobs=2, cache=cache), dataset=DatasetSettings(version="9.9.9")
        )
    else:
        again_settings = settings_with(cache, **sections)
    again = run_all(raw, tmp_path / "again", again_settings)
    for name in CACHED:
        total = first[name].received
        counts = again[name].cache
        assert counts is not None
        assert counts["hits"] + counts["misses"] == total and counts["corrupt"] == 0, name
        how = expected.get(name, "none")
        if how == "all":
            assert counts["misses"] == total, (name, counts)
        elif how == "none":
            assert counts["misses"] == 0, (name, counts)


def test_changed_code_misses_everything(raw: Path, tmp_path: Path) -> None:
    """The key holds the package's code tree id: a copy of the package with one comment added parses every
    unit again (the copy runs in its own process, as after an edit)."""
    cache = tmp_path / "cache"
    ingest.run(raw, tmp_path / "ingested", settings_with(cache))
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", "parse"]
    options = ["--jobs", "1", "--cache", str(cache), "--quiet"]
    first = subprocess.run(
        [*command, str(tmp_path / "ingested"), str(tmp_path / "p1"), *options],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert first.returncode == 0, first.stderr
    units = parse.run(tmp_path / "ingested", tmp_path / "p0", settings_with(None)).received
    assert first.stderr.splitlines()[-1].endswith(f"cache: 0 hits, {units} misses")
    edited = tmp_path / "edited-code"
    shutil.copytree(ROOT / "pipeline", edited / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    with (edited / "pipeline" / "parser.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edit\n")
    runs = {}
    for name, cwd in (("same", ROOT), ("edited", edited)):
        result = subprocess.run(
            [*command, str(tmp_path / "ingested"), str(tmp_path / name), *options],
            capture_output=True,
            text=True,
            check=False,
            cwd=cwd,  # `python -c` imports the package from the working folder first
        )
        assert result.returncode == 0, result.stderr
        runs[name] = result.stderr.splitlines()[-1]
    assert runs["same"].endswith(f"cache: {units} hits, 0 misses")
    assert runs["edited"].endswith(f"cache: 0 hits, {units} misses")
    assert (tmp_path / "edited" / "units.jsonl").read_bytes() == (
        tmp_path / "p0" / "units.jsonl"
    ).read_bytes()


def _entries(cache: Path, namespace: str) -> list[tuple[bytes, bytes]]:
    """(key, stored value) of every entry of one namespace's database, by key."""
    with sqlite3.connect(cache / f"{namespace}.sqlite") as connection:
        return connection.execute("SELECT key, payload FROM entries ORDER BY key").fetchall()


def _store(cache: Path, namespace: str, key: bytes, value: object) -> None:
    connection = sqlite3.connect(cache / f"{namespace}.sqlite")
    with connection:
        connection.execute("UPDATE entries SET payload = ? WHERE key = ?", (value, key))
    connection.close()


def test_corrupt_entries_are_misses_and_get_replaced(raw: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    settings = settings_with(cache)
    run_all(raw, tmp_path / "first", settings)
    (truncated, stored), (flipped, _), (emptied, _), (not_bytes, _) = _entries(cache, "parse")[:4]
    _store(cache, "parse", truncated, stored[: DIGEST_BYTES + 10])
    _store(cache, "parse", flipped, stored[:-1] + bytes([stored[-1] ^ 0xFF]))
    _store(cache, "parse", emptied, b"")
    _store(cache, "parse", not_bytes, 7)  # a value of the wrong type
    # a checksum that matches a payload that does not load
    enrich_key = _entries(cache, "enrich")[0][0]
    _store(cache, "enrich", enrich_key, hashlib.sha256(b"not a pickle").digest() + b"not a pickle")
    second = run_all(raw, tmp_path / "second", settings)
    parsed = second["parse"].received
    assert second["parse"].cache == {"hits": parsed - 4, "misses": 4, "corrupt": 4}
    assert second["enrich"].cache is not None and second["enrich"].cache["corrupt"] == 1
    assert files(tmp_path / "second" / "release") == files(tmp_path / "first" / "release")
    third = run_all(raw, tmp_path / "third", settings)  # every damaged entry was replaced
    assert third["parse"].cache == {"hits": parsed, "misses": 0, "corrupt": 0}
    assert third["enrich"].cache is not None and third["enrich"].cache["corrupt"] == 0


def test_a_database_that_is_not_one_is_started_anew(raw: Path, tmp_path: Path) -> None:
    """A cache database cut short or overwritten (a copy interrupted, a disk error): the stage misses every
    entry, writes the same outputs, and leaves a working database that the next run hits."""
    cache = tmp_path / "cache"
    settings = settings_with(cache)
    first = run_all(raw, tmp_path / "first", settings)
    database = cache / "parse.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.write_bytes(database.read_bytes()[:100])  # the header's first 100 bytes only
    second = run_all(raw, tmp_path / "second", settings)
    parsed = first["parse"].received
    assert second["parse"].cache == {"hits": 0, "misses": parsed, "corrupt": 0}
    assert files(tmp_path / "second" / "release") == files(tmp_path / "first" / "release")
    third = run_all(raw, tmp_path / "third", settings)
    assert third["parse"].cache == {"hits": parsed, "misses": 0, "corrupt": 0}
    assert not [p for p in second["parse"].problems if p.startswith("cache ")]


def test_unwritable_cache_folder_is_one_warning(raw: Path, tmp_path: Path) -> None:
    """A cache path that cannot be a folder (it is under a file; root ignores permission bits): the stages run
    and write the same outputs, and each prints one line saying so."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder\n")
    reports = run_all(raw, tmp_path / "out", settings_with(blocker / "cache"))
    run_all(raw, tmp_path / "plain", settings_with(None))
    assert files(tmp_path / "out" / "release") == files(tmp_path / "plain" / "release")
    for name in CACHED:
        warnings = [p for p in reports[name].problems if p.startswith("cache ")]
        assert warnings == [
            f"cache {blocker / 'cache'}: not writable (Not a directory); results were not stored "
            "(outputs are unaffected)"
        ]
        assert reports[name].cache is not None and reports[name].cache["hits"] == 0
    ingested, parsed, folder = tmp_path / "out" / "ingested", tmp_path / "p", blocker / "c"
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", "parse", str(ingested)]
    result = subprocess.run(
        [*command, str(parsed), "--cache", str(folder), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert f"renda: cache {blocker / 'c'}: not writable (Not a directory)" in result.stderr


def test_entries_are_checksummed_and_keyed_by_context(tmp_path: Path) -> None:
    cache = open_cache(tmp_path, "parse", "settings A")
    other = open_cache(tmp_path, "parse", "settings B")
    assert cache is not None and other is not None and open_cache(None, "parse") is None
    key = cache.key(b"one unit")
    assert key != other.key(b"one unit") and key != cache.key(b"another unit")
    assert cache.get(key) is None
    assert not list(tmp_path.iterdir())  # a lookup creates nothing
    cache.put(key, b"payload")
    assert cache.get(key) == b"payload" and other.get(other.key(b"one unit")) is None
    assert not _entries(tmp_path, "parse")  # pending in this process's batch until the stage ends
    close_connections()
    assert cache.get(key) == b"payload"
    assert _entries(tmp_path, "parse") == [
        (bytes.fromhex(key), hashlib.sha256(b"payload").digest() + b"payload")
    ]
    stats = CacheStats()
    fresh = Cache(cache.folder, cache.namespace, cache.context, stats)
    _store(tmp_path, "parse", bytes.fromhex(key), hashlib.sha256(b"payload").digest() + b"payloaX")
    assert fresh.get(key) is None and stats.corrupt == 1
    fresh.put(key, b"payload")
    assert fresh.get(key) == b"payload"
    close_connections()


def test_entries_are_written_in_batches_of_a_set_size(tmp_path: Path) -> None:
    cache = open_cache(tmp_path, "parse", "ctx")
    assert cache is not None
    keys = [cache.key(str(n)) for n in range(BATCH_ENTRIES + 1)]
    for key in keys[:-2]:
        cache.put(key, key.encode())
    assert _entries(tmp_path, "parse") == []
    cache.put(keys[-2], b"the batch is full")
    assert len(_entries(tmp_path, "parse")) == BATCH_ENTRIES
    cache.put(keys[-1], b"the next batch")
    assert len(_entries(tmp_path, "parse")) == BATCH_ENTRIES
    close_connections()
    assert len(_entries(tmp_path, "parse")) == BATCH_ENTRIES + 1


def test_processes_writing_one_database_at_once_lose_nothing(tmp_path: Path) -> None:
    """Pool workers store entries in the same database at the same moment: every entry of every writer is
    there afterwards, whole."""
    script = (
        "import sys\n"
        "from pipeline.cache import open_cache\n"
        "cache = open_cache(sys.argv[1], 'parse', 'ctx')\n"
        "for n in range(300):\n"
        "    cache.put(cache.key(f'{sys.argv[2]} {n}'), f'{sys.argv[2]} {n}'.encode() * 50)\n"
        "assert cache.stats.unwritable is None, cache.stats.unwritable\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), name], cwd=ROOT) for name in "abcd"
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]
    cache = open_cache(tmp_path, "parse", "ctx")
    assert cache is not None
    for name in "abcd":
        for n in range(300):
            assert cache.get(cache.key(f"{name} {n}")) == f"{name} {n}".encode() * 50
    assert cache.stats.corrupt == 0 and len(_entries(tmp_path, "parse")) == 1200


def test_a_computed_result_is_stored_once_and_a_refused_or_unloadable_one_recomputed(tmp_path: Path) -> None:
    stats = CacheStats()
    cache = Cache(tmp_path, "validate", "ctx", stats)
    calls: list[int] = []

    def compute() -> dict[str, int]:
        calls.append(1)
        return {"rows": len(calls)}

    key = cache.key(b"a line")
    assert cache.computed(key, compute) == {"rows": 1}
    assert cache.computed(key, compute) == {"rows": 1}  # from the cache
    assert (stats.hits, stats.misses, stats.corrupt, len(calls)) == (1, 1, 0, 1)
    assert cache.computed(key, compute, lambda found: isinstance(found, list)) == {"rows": 2}  # refused
    cache.put(key, b"not a pickle")
    assert cache.computed(key, compute) == {"rows": 3}  # does not load
    assert (stats.hits, stats.misses, stats.corrupt, len(calls)) == (1, 3, 2, 3)


def test_learned_templates_re_parse_only_the_documents_of_their_origin(raw: Path, tmp_path: Path) -> None:
    """The template lines parse drops first are part of each document's key, through its own origins: lines
    learned for one folder re-parse that folder's documents only (and give the same bytes as an uncached parse
    with them); the same lines again hit everything."""
    from pipeline.codec import TEMPLATES_FILE, UNITS_FILE, RecordWriter, lines
    from pipeline.models import Template
    from pipeline.stages.parse import line_origins

    cache = tmp_path / "cache"
    ingested = tmp_path / "ingested"
    ingest.run(raw, ingested, settings_with(None))
    learned = tmp_path / "templates"
    learned.mkdir()
    with RecordWriter(learned / TEMPLATES_FILE) as rows:
        rows.write(
            Template(origin="generic", zone="head", line="查看原文", n_documents=3, n_origin_documents=3)
        )
    in_origin = sum("generic" in line_origins(line) for _, line in lines(ingested / UNITS_FILE))
    assert in_origin > 0

    plain = parse.run(ingested, tmp_path / "plain", settings_with(cache))
    total = plain.received
    assert in_origin < total
    assert plain.cache is not None and plain.cache["misses"] == total
    with_lines = parse.run(ingested, tmp_path / "with", settings_with(cache), templates=learned)
    assert with_lines.cache is not None
    assert (with_lines.cache["misses"], with_lines.cache["hits"]) == (in_origin, total - in_origin)
    uncached = parse.run(ingested, tmp_path / "uncached", settings_with(None), templates=learned)
    assert uncached.cache is None
    assert files(tmp_path / "with") == files(tmp_path / "uncached")
    again = parse.run(ingested, tmp_path / "again", settings_with(cache), templates=learned)
    assert again.cache is not None and again.cache["misses"] == 0 and again.cache["hits"] == total


def test_a_units_origins_are_read_from_its_encoded_line() -> None:
    from pipeline import codec
    from pipeline.models import RawUnit
    from pipeline.stages.parse import line_origins
    from pipeline.templates import origins_of

    for source_file, source_row in (('a/b "c".md', None), ("国/表.csv", 7), ("top.txt", None)):
        unit = RawUnit.model_validate(
            {
                "doc_id": "0" * 16,
                "source_file": source_file,
                "source_row": source_row,
                "raw_sha256": "0" * 64,
                "encoding": "utf-8",
                "n_replaced_bytes": 0,
                "container": None if source_row is None else "csv",
                "capture_format": "generic",
                "meta": {},
                "raw_text": "正文",
            }
        )
        assert line_origins(codec.encode(unit)) == origins_of(source_file, source_row)
    assert line_origins(b'{"type":"reject","record":{}}') == ()


def test_code_id_reads_the_same_names_and_versions_as_the_metadata_parser() -> None:
    """The code id lists every installed distribution as `name==version` read from its metadata's header by a
    regex; that is what the full metadata parser gives, for every distribution installed here."""
    from importlib import metadata

    distributions = list(metadata.distributions())
    assert len(distributions) > 20
    for dist in distributions:
        assert name_and_version(dist) == f"{(dist.metadata['Name'] or '').lower()}=={dist.version}"


def test_validate_refuses_a_cached_duplicate_from_its_identity_alone(raw: Path, tmp_path: Path) -> None:
    """A validate entry is the line's identity, then its checked rows: a line whose document was accepted
    before is a duplicate reject read from the identity alone (rows that would not load are not read: a hit),
    while the first sighting of it reads the rows (there they do not load: corrupt, recomputed)."""
    import pickle

    from pipeline.codec import UNITS_FILE, lines

    ingest.run(raw, tmp_path / "ingested", settings_with(None))
    parse.run(tmp_path / "ingested", tmp_path / "parsed", settings_with(None))
    path = tmp_path / "parsed" / UNITS_FILE
    number, line = next((n, text) for n, text in lines(path) if text.startswith(b'{"type":"bundle"'))
    stats = CacheStats()
    cache = Cache(tmp_path / "cache", "validate", "ctx", stats)
    checked = validate.checked_line(path, number, line, cache)
    found = validate.identity(checked)
    assert found is not None and (stats.hits, stats.misses) == (0, 1)
    cache.put(cache.key(line), pickle.dumps(found) + b"rows that do not load")
    with validate.SeenDocuments() as seen:
        seen.add(found.doc_id, "first.txt")
        duplicate = validate.checked_line(path, number, line, cache, seen)
        assert duplicate.document is None and duplicate.refused is not None
        assert duplicate.refused.reason_code == "duplicate_document"
        assert f"same content as first.txt (doc_id {found.doc_id})" in (duplicate.refused.detail or "")
        assert (stats.hits, stats.misses, stats.corrupt) == (1, 1, 0)
    with validate.SeenDocuments() as unseen:
        again = validate.checked_line(path, number, line, cache, unseen)
    assert again == checked and (stats.hits, stats.misses, stats.corrupt) == (1, 2, 1)
    assert validate.checked_line(path, number, line, cache) == checked and stats.hits == 2  # replaced


def test_a_batch_older_than_its_time_is_written_at_the_next_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Dask worker may live for hours: what it computed reaches the database within a batch's time."""
    cache = open_cache(tmp_path, "parse", "ctx")
    assert cache is not None
    cache.put(cache.key("first"), b"first")
    assert _entries(tmp_path, "parse") == []
    monkeypatch.setattr("pipeline.cache.BATCH_SECONDS", 0.0)
    cache.put(cache.key("second"), b"second")
    assert len(_entries(tmp_path, "parse")) == 2
    close_connections()
