"""Every capture format's sample, ingested and parsed, gives exactly the records of its `expected.json`.

The formats come from the registry, which finds the folders under `pipeline/formats/`: a format added as a
folder (definition, `sample.*`, `expected.json`) is tested here with no other edit.
"""

from __future__ import annotations

import json

import pytest
from format_samples import expected_path, sample_records

from pipeline.formats import FORMATS


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_sample_gives_exactly_its_expected_records(name: str) -> None:
    records = sample_records(name)
    assert records["unit"] == "bundle"
    assert records["document"]["capture_format"] == name  # the sample is detected as its own format
    assert records == json.loads(expected_path(name).read_text(encoding="utf-8"))
