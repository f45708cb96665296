"""The `renda` command: each subcommand is a few lines over a library function.

Problems with inputs are printed one per line on stderr (`renda: <file>: <problem>`); errors in the
arguments or configuration end the command with one line and exit code 2, never a traceback (set
RENDA_DEBUG=1 to see one). Commands that run stages draw progress bars on stderr when it is a terminal
(`--quiet` turns them off, `--progress` forces them on); stdout and the files written are the same either way.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from pipeline.errors import RendaError
from pipeline.progress import NO_PROGRESS, Progress
from pipeline.settings import Settings, load_settings
from pipeline.stages.base import StageReport

# Each command imports its library code when it runs: `renda show` should not pay for matplotlib or
# datasketch, and every DVC stage starts a fresh process.


def _plain_help(command: Any) -> None:
    """Arguments by name in capitals (RAW_DIR), and no `<bool>` after a flag, which takes no value."""
    for param in command.params:
        if isinstance(param, TyperArgument) and param.metavar is None:
            param.metavar = (param.name or "").upper()
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""


class _PlainHelp:
    """Help as people read it: typer shows `{raw_dir}` in the usage line and `<bool>` after every flag."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_help(self)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class _Command(_PlainHelp, TyperCommand):
    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(param.metavar if param.required else f"[{param.metavar}]")
        return pieces


class _Group(_PlainHelp, TyperGroup):
    pass


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    cls=_Group,
    epilog="Example: renda build data/raw --out release/ (then `renda COMMAND --help` for each command)",
)


def command(example: str) -> Any:
    """Register a subcommand whose help ends with one example."""
    return app.command(cls=_Command, epilog=f"Example: {example}")


Params = Annotated[
    Path | None, typer.Option("--params", help="params.yaml with run settings (default: built-in settings)")
]
Bars = Annotated[
    bool | None,
    typer.Option(
        "--progress/--quiet",
        help="draw progress bars on stderr even when it is not a terminal / never draw them "
        "(default: only on a terminal)",
        show_default=False,
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="run per-document work on this Dask scheduler (tcp://host:8786)"),
]
AllowSameVersion = Annotated[
    bool,
    typer.Option(
        "--allow-same-version",
        help="development builds: write the release even if its tables differ from release.previous_manifest "
        "under the same dataset.version (default: release.allow_same_version in params, false)",
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        help="processes for per-document work (0: one per core; default: execution.jobs in params); "
        "outputs are byte-identical for any value",
    ),
]

CacheFolder = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        help="per-document cache folder of ingest, templates, parse, validate and enrich (default: "
        "execution.cache in params; none without params); outputs are byte-identical with or without it",
    ),
]


def _show_version(value: bool) -> None:
    if value:
        from pipeline.provenance import code_tree_id, package_version

        typer.echo(f"renda-corpus {package_version()} (code tree {code_tree_id()})")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the package version and code tree id.",
        ),
    ] = False,
) -> None:
    """Rebuild the renda-corpus dataset from raw captures; check, fetch or inspect a release."""


def _progress(bars: bool | None) -> Progress:
    """Bars when stderr is a terminal or `--progress` forces them; none with `--quiet` or into a log."""
    if bars is False or (bars is None and not sys.stderr.isatty()):
        return NO_PROGRESS
    from pipeline.progress import RichProgress

    return RichProgress(force=bars is True)


def _print_report(report: StageReport) -> None:
    for problem in report.problems:
        typer.echo(f"renda: {problem}", err=True)
    rejected = sum(report.rejected.values())
    cached = report.cache
    hits = f", cache: {cached['hits']} hits, {cached['misses']} misses" if cached else ""
    typer.echo(
        f"{report.stage}: {report.received} in, {report.emitted} out, {rejected} rejected{hits}", err=True
    )


StageInput = Annotated[Path, typer.Argument(help="the folder the previous stage wrote")]
StageOutput = Annotated[
    Path,
    typer.Argument(help="folder to write (replaced whole; only a folder renda wrote before is replaced)"),
]


@command("renda snapshot sources --params params.yaml")
def snapshot(
    sources_dir: Annotated[
        Path, typer.Argument(help="folder of source definitions (sources/<name>.yaml)", show_default=False)
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="snapshot folder (default: snapshot.folder in params, else data/snapshots)"
        ),
    ] = None,
    params: Params = None,
) -> None:
    """Fetch every pinned source (git commit or HTTP files with SHA-256) into the snapshot folder, verified."""
    from pipeline.snapshot import snapshot as fetch_snapshots

    settings = load_settings(params)
    folder = out or settings.snapshot.folder or Path("data/snapshots")
    origins = settings.snapshot.origins or folder.parent / "snapshot-origins.jsonl"
    rows, notes = fetch_snapshots(sources_dir, folder, origins)
    for note in notes:
        typer.echo(f"renda: {note}", err=True)
    by_source: dict[str, int] = {}
    for row in rows:
        by_source[row["origin_source"]] = by_source.get(row["origin_source"], 0) + 1
    for name, count in sorted(by_source.items()):
        typer.echo(f"snapshot: {name}: {count} files verified", err=True)
    typer.echo(f"snapshot: {len(rows)} files from {len(by_source)} sources into {folder}", err=True)


@command("renda ingest data/raw data/interim/ingested --jobs 2")
def ingest(
    raw_dir: Annotated[Path, typer.Argument(help="folder of raw captures (any sub-folders)")],
    out_dir: StageOutput,
    params: Params = None,
    jobs: Jobs = None,
    cache: CacheFolder = None,
    bars: Bars = None,
) -> None:
    """Decode and hash every raw file, detect its capture format."""
    from pipeline.settings import check_duplicate_index, with_jobs
    from pipeline.stages import ingest as ingest_stage

    settings = with_jobs(load_settings(params), jobs, None, cache)
    check_duplicate_index(settings)  # the first stage checks what later ones need
    _print_report(ingest_stage.run(raw_dir, out_dir, settings, _progress(bars)))


@command("renda templates data/interim/ingested data/interim/templates --jobs 2")
def templates(
    in_dir: StageInput,
    out_dir: StageOutput,
    params: Params = None,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    cache: CacheFolder = None,
    bars: Bars = None,
) -> None:
    """Learn page-furniture lines (site names, breadcrumbs, footers) that recur in the documents of one origin."""
    from pipeline.settings import with_jobs
    from pipeline.stages import templates as templates_stage

    settings = with_jobs(load_settings(params), jobs, scheduler, cache)
    _print_report(templates_stage.run(in_dir, out_dir, settings, _progress(bars)))


@command("renda parse data/interim/ingested data/interim/parsed --templates data/interim/templates --jobs 2")
def parse(
    in_dir: StageInput,
    out_dir: StageOutput,
    params: Params = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates", help="the folder `renda templates` wrote: drop its lines first (default: none)"
        ),
    ] = None,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    cache: CacheFolder = None,
    bars: Bars = None,
) -> None:
    """Parse ingested documents into per-document bundles of records."""
    from pipeline.settings import with_jobs
    from pipeline.stages import parse as parse_stage

    settings = with_jobs(load_settings(params), jobs, scheduler, cache)
    _print_report(parse_stage.run(in_dir, out_dir, settings, _progress(bars), templates))


@command("renda validate data/interim/parsed data/interim/validated --metrics data/metrics/validate.json")
def validate(
    in_dir: StageInput,
    out_dir: StageOutput,
    params: Params = None,
    metrics: Annotated[
        Path | None, typer.Option("--metrics", help="write metrics JSON here (for `dvc metrics show`)")
    ] = None,
    cache: CacheFolder = None,
    bars: Bars = None,
) -> None:
    """Validate bundles (pydantic + table checks) and write typed Parquet tables."""
    from pipeline.settings import with_jobs
    from pipeline.stages import validate as validate_stage

    progress = _progress(bars)
    settings = with_jobs(load_settings(params), None, None, cache)
    _print_report(validate_stage.run(in_dir, out_dir, settings, metrics, progress))


@command("renda enrich data/interim/validated data/interim/enriched")
def enrich(
    in_dir: StageInput,
    out_dir: StageOutput,
    params: Params = None,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    cache: CacheFolder = None,
    bars: Bars = None,
) -> None:
    """Add the research layers (terms, citations, figures, officials) and near-duplicate clusters."""
    from pipeline.settings import with_jobs
    from pipeline.stages import enrich as enrich_stage

    settings = with_jobs(load_settings(params), jobs, scheduler, cache)
    _print_report(enrich_stage.run(in_dir, out_dir, settings, _progress(bars)))


def _allowing_same_version(settings: Settings, allow: bool) -> Settings:
    """The settings with `release.allow_same_version` turned on by the command line (off: as in params)."""
    if not allow:
        return settings
    release = settings.release.model_copy(update={"allow_same_version": True})
    return settings.model_copy(update={"release": release})


@command("renda release data/interim/enriched data/release")
def release(
    in_dir: StageInput,
    out_dir: StageOutput,
    params: Params = None,
    allow_same_version: AllowSameVersion = False,
    bars: Bars = None,
) -> None:
    """Write the release: Parquet, CSV, DATASHEET.md, manifest.json.

    Refuses tables that differ from release.previous_manifest while dataset.version equals its version.
    """
    from pipeline.stages import release as release_stage

    settings = _allowing_same_version(load_settings(params), allow_same_version)
    _print_report(release_stage.run(in_dir, out_dir, settings, _progress(bars)))


@command("renda build data/raw --out release/")
def build(
    raw_dir: Annotated[Path, typer.Argument(help="folder of raw captures (any sub-folders)")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="release folder to write: new, or a release renda wrote before (replaced whole); "
            "not inside RAW_DIR",
        ),
    ],
    params: Params = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="exit 1 when any input was rejected (the release is still written)"),
    ] = False,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    cache: CacheFolder = None,
    allow_same_version: AllowSameVersion = False,
    bars: Bars = None,
) -> None:
    """Run every stage on RAW_DIR without DVC and write the release to --out.

    Closes with a summary on stderr: where the release went, rows per table, rejects by reason, time.

    Exit status: 0 built (rejects are rows of the release); 1 rejects under --strict; 2 an error (nothing written).
    """
    from pipeline.build import build as build_release
    from pipeline.build import summarize
    from pipeline.progress import RichProgress, summary_table
    from pipeline.settings import check_duplicate_index, with_jobs

    settings = _allowing_same_version(
        with_jobs(load_settings(params), jobs, scheduler, cache), allow_same_version
    )
    check_duplicate_index(settings)
    progress = _progress(bars)
    started = time.monotonic()
    reports = build_release(raw_dir, out, settings, on_report=_print_report, progress=progress)
    closing = summarize(reports, out, time.monotonic() - started)
    if isinstance(progress, RichProgress):
        progress.console.print(summary_table(closing))
    else:
        for line in closing.lines():
            typer.echo(line, err=True)
    if strict and closing.total_rejected:
        raise typer.Exit(1)


@command("renda schemas --check")
def schemas(
    folder: Annotated[Path, typer.Argument(help="folder to write <table>.json into (or to check)")] = Path(
        "schemas"
    ),
    check: Annotated[bool, typer.Option("--check", help="only report drift; exit 1 if any")] = False,
) -> None:
    """Generate the JSON Schema of every table from the models (or check that the files are current)."""
    from pipeline.checks import folder_to_write, need_folder
    from pipeline.schemas import stale_schemas, write_schemas

    if check:
        need_folder(folder, "renda schemas --check takes the folder of <table>.json files")
    else:
        folder_to_write(folder, "renda schemas")

    if check:
        stale = stale_schemas(folder)
        for table in stale:
            typer.echo(
                f"renda: {folder / table}.json: out of date with the models (run `renda schemas`)", err=True
            )
        raise typer.Exit(1 if stale else 0)
    for path in write_schemas(folder):
        typer.echo(f"wrote {path}", err=True)


@command("renda evaluate ../shared/corpus/gold --release data/release --half test")
def evaluate(
    gold_dir: Annotated[Path, typer.Argument(help="folder of hand-annotated gold *.json files")],
    release_dir: Annotated[Path, typer.Option("--release", help="a built release folder")],
    json_path: Annotated[Path, typer.Option("--json", help="write the scores here")] = Path(
        "evaluation.json"
    ),
    summary: Annotated[bool, typer.Option("--summary", help="write scores only, no quoted text")] = False,
    split: Annotated[Path, typer.Option("--split", help="gold split file (dev and test halves)")] = Path(
        "evaluation/gold_split.json"
    ),
    half: Annotated[str, typer.Option("--half", help="dev, test or all")] = "all",
) -> None:
    """Score a release against hand-annotated gold files, overall and per layout; details as JSON.

    Tune rules on `--half dev`, report `--half test`.
    """
    from pipeline.checks import file_to_write, need_folder
    from pipeline.evaluate import evaluate as run_evaluation
    from pipeline.evaluate import read_split, render_table, summary_only
    from pipeline.jsonl import write_json

    need_folder(gold_dir, "renda evaluate takes the folder of gold *.json files")
    need_folder(release_dir, "--release takes a release folder (what renda build --out wrote)")
    file_to_write(json_path, "--json")

    result = {"half": half, **run_evaluation(gold_dir, release_dir, read_split(split, half))}
    json_path.parent.mkdir(parents=True, exist_ok=True)
    write_json(json_path, summary_only(result) if summary else result)
    typer.echo(render_table(result))
    typer.echo(f"details: {json_path}", err=True)


@command("renda download --dest corpus/ --base-url https://example.org/renda/ --tables documents,paragraphs")
def download(
    dest: Annotated[Path, typer.Option("--dest", help="folder to write the verified files into")],
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="a release folder served over HTTP (default: distribution.base_url in params, empty until "
            "a release is published)",
        ),
    ] = None,
    tables: Annotated[
        str | None, typer.Option("--tables", help="comma-separated tables (default: all)")
    ] = None,
    file_format: Annotated[str, typer.Option("--format", help="parquet, csv or all")] = "parquet",
    cache: Annotated[
        Path | None, typer.Option("--cache", help="cache folder (default: the user cache)")
    ] = None,
    manifest_sha256: Annotated[
        str | None, typer.Option("--manifest-sha256", help="pin the manifest's own SHA-256")
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds to wait for data")] = 30.0,
    total_timeout: Annotated[
        float, typer.Option("--total-timeout", help="seconds one file may take at most")
    ] = 600.0,
    params: Annotated[
        Path | None,
        typer.Option(
            "--params", help="params.yaml for distribution.base_url (default: ./params.yaml if present)"
        ),
    ] = None,
) -> None:
    """Download a release: every file checked against manifest.json and SHA256SUMS; a mismatch is refused."""
    from pipeline.checks import folder_to_write
    from pipeline.remote import download as download_release
    from pipeline.remote import no_base_url

    folder_to_write(dest, "--dest")
    if cache is not None:
        folder_to_write(cache, "--cache")

    settings = load_settings(
        params if params is not None or not Path("params.yaml").is_file() else Path("params.yaml")
    )
    url = base_url or settings.distribution.base_url
    if not url:
        raise no_base_url("--base-url")
    selected = [t.strip() for t in tables.split(",") if t.strip()] if tables else None
    written = download_release(
        url, dest, selected, file_format, cache, manifest_sha256, timeout=timeout, total_timeout=total_timeout
    )
    typer.echo(f"downloaded {len(written)} verified files from {url} into {dest}", err=True)


@command("renda verify data/release")
def verify(
    release_dir: Annotated[Path, typer.Argument(help="a release folder (built or downloaded)")],
) -> None:
    """Re-check a release: files against manifest.json and SHA256SUMS, the accounting, every raw span.

    Exit 0 when every check passes, 1 with one line per problem otherwise.
    """
    from pipeline.checks import need_folder
    from pipeline.verify import verify_release

    need_folder(release_dir, "renda verify takes a release folder (what renda build --out wrote)")

    result = verify_release(release_dir)
    for problem in result.problems:
        typer.echo(f"renda: {release_dir}: {problem}", err=True)
    verdict = "ok" if result.ok else f"{len(result.problems)} problems"
    typer.echo(
        f"verify: {result.files_checked} files, {result.sources_checked} sources, "
        f"{result.paragraphs_checked} paragraphs checked: {verdict}",
        err=True,
    )
    raise typer.Exit(0 if result.ok else 1)


@command("renda show data/raw/freewechat_text/000_697b98e90949ce70.txt")
def show(
    file: Annotated[
        Path, typer.Argument(help="one capture file (text, HTML, or a CSV/JSON/Parquet container)")
    ],
    capture_format: Annotated[
        str | None, typer.Option("--format", help="parse with this format (default: detected)")
    ] = None,
    dropped: Annotated[
        bool, typer.Option("--dropped/--no-dropped", help="list the lines dropped as chrome/header")
    ] = True,
    row: Annotated[int | None, typer.Option("--row", help="only this row of a container (0-based)")] = None,
) -> None:
    """Print one capture as a parsed tree: header, sections, paragraphs, credits, dropped lines."""
    from pipeline.checks import need_file
    from pipeline.show import show as show_capture

    if file.is_dir():
        need_file(file, "renda show takes one capture file")

    typer.echo(show_capture(file, capture_format, dropped, row), nl=False)


@command("renda bench --synthetic 20000 --jobs 1")
def bench(
    corpus: Annotated[
        Path | None, typer.Argument(help="a folder of captures to measure (default: a synthetic corpus)")
    ] = None,
    synthetic: Annotated[
        int, typer.Option("--synthetic", help="generated documents when no folder is given", min=1)
    ] = 2000,
    scale: Annotated[int, typer.Option("--scale", help="copies of the folder to build", min=1)] = 1,
    seed: Annotated[int, typer.Option("--seed", help="seed of the synthetic corpus")] = 1,
    jobs: Annotated[
        int, typer.Option("--jobs", help="processes for ingest, templates, parse and enrich", min=0)
    ] = 1,
    incremental: Annotated[
        bool,
        typer.Option("--incremental/--no-incremental", help="also rebuild after adding 1 % new captures"),
    ] = True,
    params: Params = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the numbers here as JSON")] = None,
) -> None:
    """Measure a build stage by stage (wall s, CPU s, peak RSS) next to the floor script, and +1 % captures."""
    import json

    from pipeline.bench import bench as run_bench
    from pipeline.checks import need_folder

    if corpus is not None:
        need_folder(corpus, "renda bench takes a folder of captures")
    result = run_bench(corpus, synthetic, scale, seed, jobs, params, incremental)
    for line in result.lines():
        typer.echo(line)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends the run like Ctrl-C, so work folders are removed on the way out."""
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        # without standalone mode, click returns a command's `typer.Exit` code instead of raising it
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except RendaError as error:
        typer.echo(f"renda: error: {error}", err=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("renda: aborted", err=True)
        sys.exit(130)
    except Exception as error:
        if hasattr(error, "show") and hasattr(error, "exit_code"):
            # A usage error from typer's command-line parser (typer vendors click): its own message.
            error.show()
            sys.exit(error.exit_code)
        if os.environ.get("RENDA_DEBUG"):
            raise
        typer.echo(
            f"renda: error: {type(error).__name__}: {error} (set RENDA_DEBUG=1 for a traceback)", err=True
        )
        sys.exit(1)
