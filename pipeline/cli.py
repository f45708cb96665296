"""The `renda` command: each subcommand is a few lines over a library function.

Problems with inputs are printed one per line on stderr (`renda: <file>: <problem>`); errors in the
arguments or configuration end the command with one line and exit code 2, never a traceback (set
RENDA_DEBUG=1 to see one).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import RendaError
from pipeline.settings import load_settings
from pipeline.stages.base import StageReport

# Each command imports its library code when it runs: `renda show` should not pay for matplotlib or
# datasketch, and every DVC stage starts a fresh process.

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])

Params = Annotated[Path | None, typer.Option("--params", help="params.yaml with run settings")]


def _print_report(report: StageReport) -> None:
    for problem in report.problems:
        typer.echo(f"renda: {problem}", err=True)
    rejected = sum(report.rejected.values())
    typer.echo(f"{report.stage}: {report.received} in, {report.emitted} out, {rejected} rejected", err=True)


@app.command()
def ingest(raw_dir: Path, out_dir: Path, params: Params = None) -> None:
    """Decode and hash every raw file, detect its capture format."""
    from pipeline.stages import ingest as ingest_stage

    _print_report(ingest_stage.run(raw_dir, out_dir, load_settings(params)))


@app.command()
def parse(in_dir: Path, out_dir: Path, params: Params = None) -> None:
    """Parse ingested documents into per-document bundles of records."""
    from pipeline.stages import parse as parse_stage

    _print_report(parse_stage.run(in_dir, out_dir, load_settings(params)))


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
def enrich(in_dir: Path, out_dir: Path, params: Params = None) -> None:
    """Add the research layers (terms, citations, figures, officials) and near-duplicate clusters."""
    from pipeline.stages import enrich as enrich_stage

    _print_report(enrich_stage.run(in_dir, out_dir, load_settings(params)))


@app.command()
def release(in_dir: Path, out_dir: Path, params: Params = None) -> None:
    """Write the release: Parquet, CSV, DATASHEET.md, manifest.json."""
    from pipeline.stages import release as release_stage

    _print_report(release_stage.run(in_dir, out_dir, load_settings(params)))


@app.command()
def build(
    raw_dir: Path,
    out: Annotated[Path, typer.Option("--out", help="release folder to write")],
    params: Params = None,
) -> None:
    """Run every stage on RAW_DIR without DVC and write the release to --out."""
    from pipeline.build import build as build_release

    build_release(raw_dir, out, load_settings(params), on_report=_print_report)


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
) -> None:
    """Score a release against hand-annotated gold files; a table on screen, details as JSON."""
    from pipeline.evaluate import evaluate as run_evaluation
    from pipeline.evaluate import render_table, summary_only
    from pipeline.jsonl import write_json

    result = run_evaluation(gold_dir, release_dir)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    write_json(json_path, summary_only(result) if summary else result)
    typer.echo(render_table(result))
    typer.echo(f"details: {json_path}", err=True)


@app.command()
def download(
    dest: Annotated[Path, typer.Option("--dest", help="folder to write the verified files into")],
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="a release folder served over HTTP (default from params)")
    ] = None,
    tables: Annotated[
        str | None, typer.Option("--tables", help="comma-separated tables (default: all)")
    ] = None,
    file_format: Annotated[str, typer.Option("--format", help="parquet, csv or all")] = "parquet",
    cache: Annotated[Path | None, typer.Option("--cache", help="pooch cache folder")] = None,
    manifest_sha256: Annotated[str | None, typer.Option(help="pin the manifest's own SHA-256")] = None,
    params: Params = None,
) -> None:
    """Download a release: every file checked against manifest.json's SHA-256; a mismatch is refused."""
    from pipeline.remote import download as download_release

    settings = load_settings(
        params if params is not None or not Path("params.yaml").is_file() else Path("params.yaml")
    )
    url = base_url or settings.distribution.base_url
    selected = [t.strip() for t in tables.split(",") if t.strip()] if tables else None
    written = download_release(url, dest, selected, file_format, cache, manifest_sha256)
    typer.echo(f"downloaded {len(written)} verified files from {url} into {dest}", err=True)


@app.command()
def show(
    file: Path,
    capture_format: Annotated[str | None, typer.Option("--format", help="parse with this format")] = None,
    dropped: Annotated[bool, typer.Option(help="list the lines dropped as chrome/header")] = True,
) -> None:
    """Print one capture as a parsed tree: header, sections, paragraphs, credits, dropped lines."""
    from pipeline.show import show as show_capture

    typer.echo(show_capture(file, capture_format, dropped), nl=False)


def main() -> None:
    try:
        app(standalone_mode=False)
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
