"""The registry of capture formats and the detector that picks one for a text.

A capture format is one folder here: `<name>/__init__.py` defines `FORMAT` (a `CaptureFormat`, data only),
`sample.*` is a short capture in that layout and `expected.json` the exact records it parses to (checked by
`tests/test_format_samples.py`). The registry finds the folders itself, so adding a format adds a folder and
edits nothing else: the `capture_format` vocabulary (`fields.CAPTURE_FORMATS`) is derived from it.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from pipeline.formats.base import CaptureFormat, Probe

FOLDER = Path(__file__).parent


def _discover() -> dict[str, CaptureFormat]:
    """Every format folder's `FORMAT`, by its `order` (the vocabulary's order; the fallback is last)."""
    found = []
    for module in pkgutil.iter_modules(__path__):
        if not module.ispkg:
            continue
        fmt = importlib.import_module(f"{__name__}.{module.name}").FORMAT
        if fmt.name != module.name:
            raise ValueError(
                f"pipeline/formats/{module.name}/ defines the format {fmt.name!r}: name them alike"
            )
        found.append(fmt)
    ordered = sorted(found, key=lambda fmt: (fmt.order, fmt.name))
    if ordered[-1].signature or ordered[-1].signature_patterns:
        raise ValueError(
            f"the last format by order ({ordered[-1].name}) is the fallback: it has no signature"
        )
    return {fmt.name: fmt for fmt in ordered}


FORMATS: dict[str, CaptureFormat] = _discover()
# The fallback for a text no signature matches: the last format by `order` (generic).
FALLBACK = list(FORMATS.values())[-1]


def detect_format(text: str) -> CaptureFormat:
    """The format whose signature scores highest on `text`; the generic fallback when none scores.

    Equal scores go to the name that sorts last, as they always have (`order` is not consulted, so giving a
    format its place in the vocabulary never changes which format a text is detected as).
    """
    probe = Probe.of(text)
    scored = [(fmt.score(probe), name) for name, fmt in FORMATS.items() if fmt is not FALLBACK]
    score, name = max(scored, default=(0.0, FALLBACK.name))
    return FORMATS[name] if score > 0 else FALLBACK


__all__ = ["FALLBACK", "FOLDER", "FORMATS", "CaptureFormat", "detect_format"]
