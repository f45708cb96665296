"""The package's layers, as data: no module imports a module of a higher layer.

The data goes one way, raw → unit → bundle → tables → release, and so do the imports: text tools and formats as
data know nothing of the dictionary, the dictionary nothing of the parser, the parser nothing of `process`, the
per-document function nothing of the stages, the stages nothing of the release, and only the command line and
the package root sit on top. A module may import any module of its own layer or a lower one.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "pipeline"

# Lowest first. A name stands for that module, or for every module of that sub-package.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base: bytes and text, formats and rules as data, small utilities",
        (
            "pipeline.errors",
            "pipeline.decode",
            "pipeline.text",
            "pipeline.script",
            "pipeline.numerals",
            "pipeline.dates",
            "pipeline.people",
            "pipeline.html",
            "pipeline.markdown",
            "pipeline.rules",
            "pipeline.metaline",
            "pipeline.formats",
            "pipeline.snapshot",
            "pipeline.issuers",
            "pipeline.provenance",
            "pipeline.cache",
            "pipeline.outputs",
            "pipeline.checks",
            "pipeline.executor",
            "pipeline.progress",
            "pipeline.jsonl",
        ),
    ),
    (
        "dictionary: the fields and what is generated from them (record types, the codec, Arrow), settings, "
        "raw entries and container rows",
        (
            "pipeline.fields",
            "pipeline.logical_types",
            "pipeline.models",
            "pipeline.arrow",
            "pipeline.schemas",
            "pipeline.tables",
            "pipeline.codec",
            "pipeline.settings",
            "pipeline.rawfiles",
            "pipeline.containers",
        ),
    ),
    (
        "parser: text → the records of one document, and the research layers",
        ("pipeline.parser", "pipeline.layers", "pipeline.templates"),
    ),
    ("document: raw unit → bundle (`process`)", ("pipeline.process",)),
    (
        "stages: raw → units → bundles → tables",
        (
            "pipeline.stages",
            "pipeline.stages.base",
            "pipeline.stages.ingest",
            "pipeline.stages.templates",
            "pipeline.stages.parse",
            "pipeline.stages.validate",
            "pipeline.stages.enrich",
        ),
    ),
    (
        "release: tables → release, a whole build, and getting a release",
        (
            "pipeline.stages.release",
            "pipeline.publish",
            "pipeline.build",
            "pipeline.remote",
            "pipeline.loading",
        ),
    ),
    (
        "tools: show a capture, score, verify or measure (bench) a release or a build",
        ("pipeline.show", "pipeline.evaluate", "pipeline.verify", "pipeline.bench"),
    ),
    ("interface: the command line and the package root", ("pipeline.cli", "pipeline")),
)
LEVEL = {name: level for level, (_, names) in enumerate(LAYERS) for name in names}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _level(module: str) -> int:
    """The layer of a module: its own entry, else its sub-package's (the package root counts only as itself)."""
    name = module
    while name not in LEVEL and name.count(".") > 1:
        name = name.rsplit(".", 1)[0]
    assert name in LEVEL, f"{module} is in no layer: add it to LAYERS"
    return LEVEL[name]


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imports(module: str, path: Path) -> set[str]:
    """The package's modules `module` imports, at any depth of its code (a function's lazy import counts) but
    not under `if TYPE_CHECKING:`, which never runs (`progress` names `build.BuildSummary` in a type hint)."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    stack: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while stack:
        node = stack.pop()
        if _type_checking(node):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                ).rstrip(".")
            for alias in node.names:
                # `from pipeline.stages import ingest` imports a module; `from pipeline.formats import FORMATS` a name
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
        stack.extend(ast.iter_child_nodes(node))
    return {name for name in found if name == "pipeline" or name.startswith("pipeline.")}


def test_every_module_has_a_layer() -> None:
    assert "pipeline.process" in MODULES and "pipeline.stages.parse" in MODULES
    for module in MODULES:
        _level(module)


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{module} ({LAYERS[_level(module)][0].split(':')[0]}) imports {target} "
        f"({LAYERS[_level(target)][0].split(':')[0]})"
        for module, path in MODULES.items()
        for target in sorted(_imports(module, path))
        if _level(target) > _level(module)
    ]
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The checker itself: a lazy import of a stage inside the parser would be caught."""
    path = tmp_path / "parser.py"
    path.write_text(
        "def f():\n    from pipeline.stages import parse\n    import pipeline.cli\n", encoding="utf-8"
    )
    targets = _imports("pipeline.parser", path)
    assert targets == {"pipeline.stages.parse", "pipeline.cli"}
    assert all(_level(target) > _level("pipeline.parser") for target in targets)
