"""`croissant.json`: Croissant 1.0 (MLCommons) with its Responsible-AI fields.

Every table is a FileObject (the Parquet file, with its sha256) and a RecordSet whose fields extract the
columns, typed from the field dictionary. `mlcroissant validate --jsonld croissant.json` checks it, and
`mlcroissant.Dataset(...).records(table)` reads the rows. The RAI fields' text is in `prose.yml`.
"""

from __future__ import annotations

from typing import Any

from pipeline.fields import FIELDS, TABLES
from pipeline.logical_types import LOGICAL_TYPES
from pipeline.publish.prose import prose
from pipeline.settings import Settings

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}


def _field(table: str, column: str) -> dict[str, Any]:
    spec = FIELDS[column]
    field: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table}/{column}",
        "name": column,
        "description": spec.description,
        "dataType": LOGICAL_TYPES[spec.type].croissant,
        "source": {"fileObject": {"@id": f"{table}.parquet"}, "extract": {"column": column}},
    }
    if spec.type.startswith("list"):
        field["repeated"] = True
    return field


def croissant(settings: Settings, files: dict[str, dict[str, Any]], cite_as: str) -> dict[str, Any]:
    d = settings.dataset
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": f"{table}.parquet",
            "name": f"{table}.parquet",
            "description": TABLES[table].description,
            "contentUrl": f"{table}.parquet",
            "contentSize": f"{files[f'{table}.parquet']['bytes']} B",
            "encodingFormat": "application/x-parquet",
            "sha256": files[f"{table}.parquet"]["sha256"],
        }
        for table in TABLES
    ]
    record_sets = [
        {
            "@type": "cr:RecordSet",
            "@id": table,
            "name": table,
            "description": spec.description,
            "key": [{"@id": f"{table}/{column}"} for column in spec.primary_key if table != "rejects"],
            "field": [_field(table, column) for column in spec.columns],
        }
        for table, spec in TABLES.items()
    ]
    for record_set in record_sets:
        if not record_set["key"]:
            del record_set["key"]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": d.name,
        "description": d.description,
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "citeAs": cite_as,
        "license": d.license_url,
        "url": d.homepage,
        "version": d.version,
        "datePublished": d.released,
        "inLanguage": "zh",
        "keywords": d.keywords,
        "creator": [{"@type": "sc:Organization", "name": name} for name in d.creators],
        **prose("croissant_rai"),
        "distribution": distribution,
        "recordSet": record_sets,
    }
