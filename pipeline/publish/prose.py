"""The fixed prose of a release's datasheet, card and Croissant RAI fields, read from `prose.yml` beside it.

The sentences are data, as a format's markers are: the renderers keep the layout and compute every number, and a
change of wording is a change to the YAML file alone. It ships in the wheel as package data.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@cache
def prose(document: str) -> dict[str, Any]:
    """The passages of one document (`datasheet`, `card` or `croissant_rai`), by name."""
    text = files(__package__).joinpath("prose.yml").read_text(encoding="utf-8")
    passages: dict[str, Any] = yaml.safe_load(text)[document]
    return passages
