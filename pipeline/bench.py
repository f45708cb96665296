"""`renda bench`: what a build costs, stage by stage, next to the least any such pipeline must do.

Speed claims are measured here, never asserted in timed tests. One run:

1. **The corpus.** A folder (the shared corpus, a maintainer's captures), copied `scale` times with each copy's
   texts made unique (so doc_ids differ and nothing is deduplicated away), or a seeded synthetic corpus of N
   documents in the shapes of the real layouts (mirror text, WeChat markdown, portal text, saved HTML pages,
   CSV rows, RSS items) with lengths drawn from the shared corpus' distribution (quantiles below).
2. **The floor.** `floor`: read every file, decode, split lines, four regex passes per line, write one Parquet
   file. Any pipeline that looks at every line does at least this much; `floor / renda` says how far the build is
   from it.
3. **The build.** Each stage as its own process (as DVC runs them), so CPU seconds and peak RSS are the
   stage's own (`os.wait4`), then the totals.
4. **+1 %.** New captures (1 % of the documents, another seed) are added and the stages run again over the same
   per-document cache (`pipeline.cache`, in the work folder; cold for the full build): the cost of an
   incremental rebuild as a share of the full one, stage by stage, and the cache hits and misses of parse and
   enrich (only the new documents should miss).

Nothing here reads the clock into an output; the numbers go to the terminal and to `--json`.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

STAGES = ("ingest", "templates", "parse", "validate", "enrich", "release")
# The stages whose per-document work runs on `--jobs` processes.
PARALLEL_STAGES = ("ingest", "templates", "parse", "enrich")
# The stages with a per-document cache (--cache); all but validate also run on a process pool (--jobs).
CACHED_STAGES = ("ingest", "templates", "parse", "validate", "enrich")
# The end of a stage's last line on stderr when it used the cache.
CACHE_LINE = re.compile(rb"cache: (\d+) hits, (\d+) misses\s*$")
# Characters per document in the shared corpus (1,173 documents): 10th, 25th, 50th, 75th, 90th, 99th percentile.
LENGTH_QUANTILES = ((0.10, 100), (0.25, 403), (0.50, 1012), (0.75, 1722), (0.90, 3200), (0.99, 20395))
# Share of each layout among generated documents (roughly the shared corpus' mix, feeds and pages first).
LAYOUT_MIX = (
    ("rss_item", 0.55),
    ("html_page", 0.10),
    ("wechat_markdown", 0.12),
    ("mirror_text", 0.08),
    ("portal_text", 0.05),
    ("csv_row", 0.10),
)
ROWS_PER_CONTAINER = 20
# The floor's four passes: what any line-oriented reader of these captures checks on every line.
FLOOR_PATTERNS = (
    re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"),
    re.compile(r"^(?:来源|作者|编辑|责编)[:：]"),
    re.compile(r"^[一二三四五六七八九十]+、"),
    re.compile(r"https?://\S+"),
)

# Words the generated sentences are drawn from (the vocabulary of congress news).
_WORDS = (
    "人大常委会",
    "代表",
    "审议",
    "报告",
    "监督",
    "法治",
    "建设",
    "高质量发展",
    "民生",
    "改革",
    "创新",
    "会议",
    "强调",
    "推进",
    "落实",
    "坚持",
    "人民代表大会制度",
    "预算",
    "执法检查",
    "立法",
    "调研",
    "基层",
    "群众",
    "意见建议",
    "工作",
    "部署",
    "制度",
    "体系",
    "能力",
    "现代化",
)


def _sentence(rng: random.Random) -> str:
    return "".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 14))) + rng.choice("，。。；")


def _length(rng: random.Random) -> int:
    """A document length drawn from the shared corpus' quantiles (piecewise linear between them)."""
    u = rng.random()
    points = ((0.0, 40), *LENGTH_QUANTILES, (1.0, 40000))
    for (q0, v0), (q1, v1) in itertools.pairwise(points):
        if u <= q1:
            return int(v0 + (v1 - v0) * (u - q0) / (q1 - q0))
    return points[-1][1]


def _paragraphs(rng: random.Random, chars: int) -> list[str]:
    paragraphs: list[str] = []
    total = 0
    while total < chars:
        text = "".join(_sentence(rng) for _ in range(rng.randint(2, 6)))
        text = text[:-1] + "。"
        paragraphs.append(text)
        total += len(text)
    return paragraphs


def _title(rng: random.Random, index: int) -> str:
    return f"{rng.choice(_WORDS)}{rng.choice(_WORDS)}第{index}次{rng.choice(('会议', '调研', '审议'))}"


def _mirror_text(rng: random.Random, index: int, body: list[str]) -> str:
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return "\n".join(
        [
            _title(rng, index),
            "",
            f"山河人大 {day} 10:00 北京",
            "",
            *body,
            "",
            "来源：山河人大",
            "责编：李明",
            "查看原文",
            "继续滑动看下一个",
            "",
        ]
    )


def _wechat_markdown(rng: random.Random, index: int, body: list[str]) -> str:
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    lines = [f"# {_title(rng, index)}", "", f"原创  李明  山河人大  {day} 10:00", ""]
    for number, paragraph in enumerate(body):
        if number and number % 4 == 0:
            lines += [f"**{'一二三四五六七八九十'[min(number // 4, 9)]}、{rng.choice(_WORDS)}**", ""]
        lines += [paragraph, ""]
    return "\n".join([*lines, "![](https://mmbiz.qpic.cn/x.png)", ""])


def _portal_text(rng: random.Random, index: int, body: list[str]) -> str:
    return "\n".join(
        [
            "首页 > 新闻中心 > 工作动态",
            _title(rng, index),
            f"发布时间：2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}  来源：山河市人民政府",
            "【字号：大 中 小】",
            *body,
            "打印本页",
            "关闭窗口",
            "",
        ]
    )


def _html_page(rng: random.Random, index: int, body: list[str]) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    title = _title(rng, index)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}_山河网</title></head><body>"
        "<nav><a href='/'>首页</a> &gt; <a href='/news'>新闻</a></nav>"
        f"<div class='article'><h1>{title}</h1><div class='info'>2024-05-06 来源：山河网</div>"
        f"{paragraphs}</div><footer>版权所有 山河网 ICP备00000000号</footer></body></html>\n"
    )


def _rss_item(rng: random.Random, index: int, body: list[str]) -> str:
    description = "".join(f"&lt;p&gt;　　{p}&lt;/p&gt;" for p in body)
    return (
        f"<item><title>[01版：要闻] {_title(rng, index)}</title><link>https://paper.example/{index}.html</link>"
        f"<description>{description}</description><pubDate>Mon, 27 Apr 2026 23:15:46 +0000</pubDate></item>"
    )


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def synthetic_corpus(folder: Path, documents: int, seed: int) -> tuple[int, int]:
    """Write `documents` generated documents into `folder`; return (files, bytes). Same seed, same bytes."""
    rng = random.Random(seed)
    layouts = [name for name, _ in LAYOUT_MIX]
    weights = [share for _, share in LAYOUT_MIX]
    rows: dict[str, list[str]] = {"rss_item": [], "csv_row": []}
    files = size = 0

    def write(relative: str, text: str) -> None:
        nonlocal files, size
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        files += 1
        size += len(data)

    def flush(layout: str) -> None:
        items = rows[layout]
        if not items:
            return
        name = f"{layout}/{seed}_{files:06d}"
        if layout == "rss_item":
            write(
                f"{name}.xml",
                "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>山河日报 - 全文</title>"
                + "".join(items)
                + "</channel></rss>\n",
            )
        else:
            write(f"{name}.csv", "title,date,text\n" + "".join(items))
        items.clear()

    writers = {
        "mirror_text": (_mirror_text, "txt"),
        "wechat_markdown": (_wechat_markdown, "md"),
        "portal_text": (_portal_text, "txt"),
        "html_page": (_html_page, "html"),
    }
    for index in range(documents):
        layout = rng.choices(layouts, weights)[0]
        body = _paragraphs(rng, _length(rng))
        if layout in rows:
            if layout == "rss_item":
                rows[layout].append(_rss_item(rng, index, body))
            else:
                cells = (_title(rng, index), "2024-05-06", _portal_text(rng, index, body))
                rows[layout].append(",".join(_csv_cell(c) for c in cells) + "\n")
            if len(rows[layout]) == ROWS_PER_CONTAINER:
                flush(layout)
            continue
        render, suffix = writers[layout]
        write(f"{layout}/{seed}_{index:07d}.{suffix}", render(rng, index, body))
    for layout in rows:
        flush(layout)
    return files, size


def long_capture(target_bytes: int, seed: int) -> str:
    """One WeChat-markdown article of about `target_bytes` in UTF-8 (a heading every fourth paragraph): the
    shape of one very long capture (a work report, a law with its commentary). Same size and seed, same text."""
    rng = random.Random(seed)
    return _wechat_markdown(rng, 0, _paragraphs(rng, target_bytes // 3))


def replicate(corpus: Path, folder: Path, scale: int) -> tuple[int, int]:
    """`corpus` copied `scale` times; each copy's texts get copy-specific trailing newlines (new doc_ids)."""
    files = size = 0
    for copy in range(scale):
        for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
            destination = folder / f"copy{copy}" / path.relative_to(corpus)
            destination.parent.mkdir(parents=True, exist_ok=True)
            data = path.read_bytes()
            if copy and path.suffix in (".txt", ".md"):
                data += b"\n" * copy
            destination.write_bytes(data)
            files += 1
            size += len(data)
    return files, size


def floor(raw: Path, out: Path) -> int:
    """The floor: read, decode, split lines, four regex passes per line, write Parquet. Returns the lines."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [("file", pa.string()), ("line", pa.int32()), ("text", pa.string()), ("hits", pa.int8())]
    )
    lines = 0
    with pq.ParquetWriter(out, schema) as writer:
        for path in sorted(p for p in raw.rglob("*") if p.is_file()):
            text = path.read_bytes().decode("utf-8", errors="replace")
            batch: dict[str, list] = {"file": [], "line": [], "text": [], "hits": []}
            for number, line in enumerate(text.splitlines()):
                hits = sum(1 for pattern in FLOOR_PATTERNS if pattern.search(line))
                batch["file"].append(path.name)
                batch["line"].append(number)
                batch["text"].append(line)
                batch["hits"].append(hits)
            lines += len(batch["line"])
            writer.write_table(pa.table(batch, schema=schema))
    return lines


@dataclass(frozen=True)
class Cost:
    """One process: wall seconds, CPU seconds (user + system) and peak resident memory."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.wall_s + other.wall_s, self.cpu_s + other.cpu_s, max(self.peak_rss_mb, other.peak_rss_mb)
        )


NOTHING = Cost(0.0, 0.0, 0.0)


def measure(argv: list[str], env: dict[str, str] | None = None) -> Cost:
    """Run `argv` as a child process and read its own resource usage (os.wait4), not the session's."""
    return measure_with_output(argv, env)[0]


def measure_with_output(argv: list[str], env: dict[str, str] | None = None) -> tuple[Cost, bytes]:
    """`measure`, and what the child wrote to stderr."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert child.stderr is not None
    error = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        lines = error.decode("utf-8", "replace").strip().splitlines() or ["(no message)"]
        raise RuntimeError(f"{' '.join(argv[:4])}…: exit {child.returncode}: {lines[-1]}")
    cost = Cost(round(wall, 3), round(usage.ru_utime + usage.ru_stime, 3), round(usage.ru_maxrss / 1024, 1))
    return cost, error


def _renda(*args: str) -> list[str]:
    return [sys.executable, "-c", "from pipeline.cli import main; main()", *args]


def stage_costs(
    raw: Path, work: Path, params: Path | None, jobs: int, cache: Path | None = None
) -> tuple[dict[str, Cost], dict[str, dict[str, int]]]:
    """Each stage as its own process, as `dvc repro` runs them (outputs under `work`; with the per-document
    cache in `cache`, when given), and the cache hits and misses each cached stage printed."""
    folders = {
        "ingest": (raw, work / "ingested"),
        "templates": (work / "ingested", work / "templates"),
        "parse": (work / "ingested", work / "parsed"),
        "validate": (work / "parsed", work / "validated"),
        "enrich": (work / "validated", work / "enriched"),
        "release": (work / "enriched", work / "release"),
    }
    options = ["--params", str(params)] if params else []
    costs = {}
    counts = {}
    for stage in STAGES:
        source, target = folders[stage]
        extra = ["--jobs", str(jobs)] if stage in PARALLEL_STAGES else []
        if stage == "parse":
            extra += ["--templates", str(work / "templates")]
        if cache is not None and stage in CACHED_STAGES:
            extra += ["--cache", str(cache)]
        argv = _renda(stage, str(source), str(target), *options, *extra, "--quiet")
        costs[stage], error = measure_with_output(argv)
        lines = error.strip().splitlines()
        found = CACHE_LINE.search(lines[-1]) if lines else None
        if found is not None:
            counts[stage] = {"hits": int(found[1]), "misses": int(found[2])}
    return costs, counts


@dataclass(frozen=True)
class BenchResult:
    corpus: str
    files: int
    input_mb: float
    documents: int
    jobs: int
    floor: Cost
    stages: dict[str, Cost]
    total: Cost
    incremental: Cost | None
    # the +1 % rebuild stage by stage, and the cache hits and misses of parse and enrich in it
    incremental_stages: dict[str, Cost] | None = None
    cache: dict[str, dict[str, int]] | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> Iterator[str]:
        yield f"corpus: {self.corpus}: {self.files} files, {self.input_mb:.2f} MB, {self.documents} documents"
        added = self.incremental_stages or {}
        yield f"{'step':<10} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}" + (
            f" {'+1 % CPU s':>11} {'share':>6}" if added else ""
        )
        for name, cost in [("floor", self.floor), *self.stages.items(), ("total", self.total)]:
            line = f"{name:<10} {cost.wall_s:>8.2f} {cost.cpu_s:>8.2f} {cost.peak_rss_mb:>8.1f}"
            again = self.incremental if name == "total" else added.get(name)
            if again is not None:
                line += f" {again.cpu_s:>11.2f} {again.cpu_s / cost.cpu_s:>6.0%}"
            yield line
        total = self.total
        yield (
            f"renda: {self.documents / total.wall_s:.1f} docs/s, {self.input_mb / total.wall_s:.2f} MB/s "
            f"(--jobs {self.jobs}); floor/renda CPU {self.floor.cpu_s / total.cpu_s:.3f}, "
            f"wall {self.floor.wall_s / total.wall_s:.3f}"
        )
        if self.incremental is not None:
            hits = "; ".join(
                f"{stage} {counts['hits']} hits, {counts['misses']} misses"
                for stage, counts in (self.cache or {}).items()
            )
            yield (
                f"+1 % new captures, rebuilt with the per-document cache: {self.incremental.cpu_s:.2f} CPU s = "
                f"{self.incremental.cpu_s / total.cpu_s:.0%} of the full build, peak "
                f"{self.incremental.peak_rss_mb:.1f} MB" + (f" ({hits})" if hits else "")
            )


def _documents(release: Path) -> int:
    return json.loads((release / "manifest.json").read_text(encoding="utf-8"))["tables"]["documents"]


def bench(
    corpus: Path | None,
    synthetic: int,
    scale: int,
    seed: int,
    jobs: int,
    params: Path | None,
    incremental: bool = True,
) -> BenchResult:
    """One measured run on a folder (copied `scale` times) or on `synthetic` generated documents."""
    with tempfile.TemporaryDirectory(prefix="renda-bench-") as tmp:
        work = Path(tmp)
        raw = work / "raw"
        if corpus is not None:
            files, size = replicate(corpus, raw, scale)
            label = f"{corpus} ×{scale}"
        else:
            files, size = synthetic_corpus(raw, synthetic, seed)
            label = f"synthetic, {synthetic} documents, seed {seed}"
        floor_cost = measure(
            [
                sys.executable,
                "-c",
                "import sys; from pipeline.bench import floor; floor(*map(__import__('pathlib').Path, sys.argv[1:]))",
                str(raw),
                str(work / "floor.parquet"),
            ]
        )
        cache = work / "cache"
        stages, _ = stage_costs(raw, work / "full", params, jobs, cache)
        total = sum(stages.values(), NOTHING)
        documents = _documents(work / "full" / "release")
        added = added_stages = hits = None
        if incremental:
            synthetic_corpus(raw / "added", max(1, documents // 100), seed + 1)
            added_stages, hits = stage_costs(raw, work / "full", params, jobs, cache)
            added = sum(added_stages.values(), NOTHING)
        return BenchResult(
            label,
            files,
            round(size / 1e6, 3),
            documents,
            jobs,
            floor_cost,
            stages,
            total,
            added,
            added_stages,
            hits,
        )


if __name__ == "__main__":  # the floor as its own process: `python -m pipeline.bench RAW OUT.parquet`
    floor(Path(sys.argv[1]), Path(sys.argv[2]))
