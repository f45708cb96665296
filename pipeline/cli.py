"""The `renda` command: each subcommand is a few lines over a library function.

Problems with inputs are printed one per line on stderr (`renda: <file>: <problem>`); errors in the
arguments or configuration end the command with one line and exit code 2, never a traceback (set
RENDA_DEBUG=1 to see one).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import RendaError
from pipeline.settings import Settings, load_settings
from pipeline.stages.base import StageReport

# Each command imports its library code when it runs: `renda show` should not pay for matplotlib or
# datasketch, and every DVC stage starts a fresh process.

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])

Params = Annotated[Path | None, typer.Option("--params", help="params.yaml with run settings")]
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
    """Rebuild the renda-corpus dataset from raw captures (`renda build RAW --out RELEASE`)."""


def _print_report(report: StageReport) -> None:
    for problem in report.problems:
        typer.echo(f"renda: {problem}", err=True)
    rejected = sum(report.rejected.values())
    typer.echo(f"{report.stage}: {report.received} in, {report.emitted} out, {rejected} rejected", err=True)


@app.command()
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
    """Fetch every pinned source (git commit or HTTP files with SHA-256) into the snapshot folder, verified.

    Example: renda snapshot sources --params params.yaml
    """
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


@app.command()
def ingest(raw_dir: Path, out_dir: Path, params: Params = None) -> None:
    """Decode and hash every raw file, detect its capture format."""
    from pipeline.settings import check_duplicate_index
    from pipeline.stages import ingest as ingest_stage

    settings = load_settings(params)
    check_duplicate_index(settings)  # the first stage checks what later ones need
    _print_report(ingest_stage.run(raw_dir, out_dir, settings))


@app.command()
def parse(
    in_dir: Path, out_dir: Path, params: Params = None, jobs: Jobs = None, scheduler: Scheduler = None
) -> None:
    """Parse ingested documents into per-document bundles of records."""
    from pipeline.settings import with_jobs
    from pipeline.stages import parse as parse_stage

    _print_report(parse_stage.run(in_dir, out_dir, with_jobs(load_settings(params), jobs, scheduler)))


@app.command()
def validate(
    in_dir: Path,
    out_dir: Path,
    params: Params = None,
    metrics: Annotated[Path | None, typer.Option(help="write metrics JSON here")] = None,
) -> None:
    """Validate bundles (pydantic + table checks) and write typed Parquet tables."""
    from pipeline.stages import validate as validate_stage

    _print_report(validate_stage.run(in_dir, out_dir, load_settings(params), metrics))


@app.command()
def enrich(
    in_dir: Path, out_dir: Path, params: Params = None, jobs: Jobs = None, scheduler: Scheduler = None
) -> None:
    """Add the research layers (terms, citations, figures, officials) and near-duplicate clusters."""
    from pipeline.settings import with_jobs
    from pipeline.stages import enrich as enrich_stage

    _print_report(enrich_stage.run(in_dir, out_dir, with_jobs(load_settings(params), jobs, scheduler)))


def _allowing_same_version(settings: Settings, allow: bool) -> Settings:
    """The settings with `release.allow_same_version` turned on by the command line (off: as in params)."""
    if not allow:
        return settings
    release = settings.release.model_copy(update={"allow_same_version": True})
    return settings.model_copy(update={"release": release})


@app.command()
def release(
    in_dir: Path, out_dir: Path, params: Params = None, allow_same_version: AllowSameVersion = False
) -> None:
    """Write the release: Parquet, CSV, DATASHEET.md, manifest.json.

    Refuses tables that differ from release.previous_manifest while dataset.version equals its version.
    """
    from pipeline.stages import release as release_stage

    settings = _allowing_same_version(load_settings(params), allow_same_version)
    _print_report(release_stage.run(in_dir, out_dir, settings))


@app.command()
def build(
    raw_dir: Annotated[Path, typer.Argument(help="folder of raw captures (any sub-folders)")],
    out: Annotated[Path, typer.Option("--out", help="release folder to write")],
    params: Params = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="exit 1 when any input was rejected (the release is still written)"),
    ] = False,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    allow_same_version: AllowSameVersion = False,
) -> None:
    """Run every stage on RAW_DIR without DVC and write the release to --out.

    Exit status: 0 built (rejects are rows of the release, not failures), 1 built with rejects under --strict,
    2 a usage or environment error (nothing written). Example: `renda build data/raw --out release/`.
    """
    from pipeline.build import build as build_release
    from pipeline.build import summary
    from pipeline.settings import check_duplicate_index, with_jobs

    settings = _allowing_same_version(with_jobs(load_settings(params), jobs, scheduler), allow_same_version)
    check_duplicate_index(settings)
    started = time.monotonic()
    reports = build_release(raw_dir, out, settings, on_report=_print_report)
    for line in summary(reports, out, time.monotonic() - started):
        typer.echo(line, err=True)
    if strict and any(sum(report.rejected.values()) for report in reports):
        raise typer.Exit(1)


@app.command()
def schemas(
    folder: Annotated[Path, typer.Argument(help="where to write <table>.json")] = Path("schemas"),
    check: Annotated[bool, typer.Option("--check", help="only report drift; exit 1 if any")] = False,
) -> None:
    """Generate the JSON Schema of every table from the models (or check that the files are current)."""
    from pipeline.schemas import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(folder)
        for table in stale:
            typer.echo(
                f"renda: {folder / table}.json: out of date with the models (run `renda schemas`)", err=True
            )
        raise typer.Exit(1 if stale else 0)
    for path in write_schemas(folder):
        typer.echo(f"wrote {path}", err=True)


@app.command()
def evaluate(
    gold_dir: Path,
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

    Tune rules on `--half dev`, report `--half test`. Example:
    `renda evaluate ../shared/corpus/gold --release OUT --half test`.
    """
    from pipeline.evaluate import evaluate as run_evaluation
    from pipeline.evaluate import read_split, render_table, summary_only
    from pipeline.jsonl import write_json

    result = {"half": half, **run_evaluation(gold_dir, release_dir, read_split(split, half))}
    json_path.parent.mkdir(parents=True, exist_ok=True)
    write_json(json_path, summary_only(result) if summary else result)
    typer.echo(render_table(result))
    typer.echo(f"details: {json_path}", err=True)


@app.command()
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
    manifest_sha256: Annotated[str | None, typer.Option(help="pin the manifest's own SHA-256")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds to wait for data")] = 30.0,
    total_timeout: Annotated[
        float, typer.Option("--total-timeout", help="seconds one file may take at most")
    ] = 600.0,
    params: Params = None,
) -> None:
    """Download a release: every file checked against manifest.json and SHA256SUMS; a mismatch is refused."""
    from pipeline.remote import download as download_release
    from pipeline.remote import no_base_url

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


@app.command()
def verify(
    release_dir: Annotated[Path, typer.Argument(help="a release folder (built or downloaded)")],
) -> None:
    """Re-check a release: files against manifest.json and SHA256SUMS, the accounting, every raw span.

    Exit 0 when every check passes, 1 with one line per problem otherwise. Example: `renda verify data/release`.
    """
    from pipeline.verify import verify_release

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


@app.command()
def show(
    file: Path,
    capture_format: Annotated[str | None, typer.Option("--format", help="parse with this format")] = None,
    dropped: Annotated[bool, typer.Option(help="list the lines dropped as chrome/header")] = True,
    row: Annotated[int | None, typer.Option("--row", help="only this row of a container (0-based)")] = None,
) -> None:
    """Print one capture as a parsed tree: header, sections, paragraphs, credits, dropped lines.

    Example: `renda show data/raw/freewechat_text/000_697b98e90949ce70.txt`.
    """
    from pipeline.show import show as show_capture

    typer.echo(show_capture(file, capture_format, dropped, row), nl=False)


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
