"""README.md of a release as a Hugging Face dataset card, CITATION.cff and the BibTeX "cite as" entry.

The card's YAML front matter has one config per table (its Parquet file), so `datasets.load_dataset(folder,
"paragraphs")` reads a table; the body points to the datasheet and the manifest.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from pipeline.fields import TABLES
from pipeline.publish.prose import prose
from pipeline.settings import Settings


def bibtex(settings: Settings) -> str:
    d = settings.dataset
    key = re.sub(r"[^a-z0-9]+", "_", f"{d.name}_{d.version}".lower()).strip("_")
    year = d.released[:4]
    creators = " and ".join(f"{{{name}}}" for name in d.creators)
    return (
        f"@misc{{{key},\n"
        f"  title = {{{d.title}}},\n"
        f"  author = {{{creators}}},\n"
        f"  year = {{{year}}},\n"
        f"  version = {{{d.version}}},\n"
        f"  howpublished = {{{d.homepage}}},\n"
        f"  note = {{Dataset, released {d.released}, licence {d.license}}}\n"
        "}"
    )


def citation_cff(settings: Settings) -> str:
    d = settings.dataset
    data = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": d.title,
        "version": d.version,
        "date-released": d.released,
        "license": d.license,
        "url": d.homepage,
        "abstract": d.description,
        "keywords": d.keywords,
        "authors": [{"name": name} for name in d.creators],
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def dataset_card(settings: Settings, rows: dict[str, int], provenance: dict[str, Any]) -> str:
    d = settings.dataset
    passages = prose("card")
    front = {
        "pretty_name": d.title,
        "license": d.license.lower(),
        "language": ["zh"],
        "tags": d.keywords,
        "size_categories": [_size_category(rows["documents"])],
        "configs": [
            {
                "config_name": table,
                "data_files": [{"split": "train", "path": f"{table}.parquet"}],
                **({"default": True} if table == "documents" else {}),
            }
            for table in TABLES
        ],
    }
    tables = "\n".join(f"| `{name}` | {rows[name]} | {spec.description} |" for name, spec in TABLES.items())
    return (
        "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=110) + "---\n\n"
        f"# {d.title}\n\n"
        f"{d.description}\n\n"
        f"Version **{d.version}** (released {d.released}), built by renda-corpus "
        f"{provenance['package_version']} from code tree `{provenance['code_tree']}`.\n\n"
        "| table | rows | one row per |\n|---|---:|---|\n"
        f"{tables}\n\n"
        f"## Load\n\n{passages['load']}\n\n"
        f"{passages['files']}\n\n"
        f"## Licence\n\n{d.license} ({d.license_url}). {d.license_note}\n\n"
        "## Cite\n\n```bibtex\n" + bibtex(settings) + "\n```\n"
    )


def _size_category(n: int) -> str:
    for bound, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < bound:
            return label
    return "n>1M"
