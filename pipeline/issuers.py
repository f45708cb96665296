"""Who issued a document: issuer type, administrative level and region, and whether it is in the dataset's scope.

The dataset is about People's Congresses and governments, but captures arrive from whatever a researcher
collected: media, Party organs, companies. Every document therefore gets an issuer, resolved from evidence in a
fixed order, and the release describes its composition from these columns instead of assuming it:

1. **registry**: the account (or site) name, or one of its aliases, is an entry of the curated registry
   (`issuers/*.yaml` in the project, one file per group of issuers). Curated entries win over everything.
2. **name**: the name itself says it: type markers (人大, 人民政府, 法院 …) and a provincial-level region at its
   start (山西省人民政府门户网站 → government, provincial, 140000). Markers are data below, tried in order.
3. **source**: the default issuer of the snapshot source the raw file came from (`sources/<name>.yaml`,
   `issuer:`; its files are `snapshots/<name>/…` in the raw folder), for captures whose text names no account
   (a CSV of provincial work reports).
4. **none**: `issuer_type = 'unknown'`; the build summary and the datasheet list such accounts "to curate".

Regions are GB/T 2260 codes. The package knows the 34 provincial-level divisions; a registry entry may give a
lower-level code with its name (`110116` 北京市怀柔区). Matching uses NFKC keys only; stored names are NFC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import RendaError
from pipeline.snapshot import SNAPSHOT_FOLDER, definitions
from pipeline.text import match_key, nfc

ISSUER_TYPES: dict[str, str] = {
    "people_congress": "a People's Congress or its standing committee (人大, 人大常委会) and their offices",
    "government": "a people's government (人民政府) or one of its departments, bureaus and portals",
    "party": "a Communist Party organ (党委, 纪委监委, 组织部, 宣传部 …)",
    "cppcc": "a Chinese People's Political Consultative Conference committee (政协)",
    "court": "a people's court (人民法院)",
    "procuratorate": "a people's procuratorate (人民检察院)",
    "public_institution": "a public service unit or state-run centre (事业单位: research centres, universities)",
    "media": "a newspaper, news agency, broadcaster or news site",
    "company": "a company or commercial platform",
    "organisation": "an association, society, law firm or other non-state organisation",
    "individual": "a person's own account",
    "unknown": "not resolved: the account is not in the registry and its name names no issuer type",
}
ISSUER_LEVELS: dict[str, str] = {
    "national": "central (全国, 国务院, 中央 …)",
    "provincial": "province, autonomous region or municipality directly under the central government",
    "municipal": "prefecture-level city, prefecture or league (市, 州, 盟)",
    "county": "county, district or banner (县, 区, 旗)",
    "unknown": "not resolved",
}
ISSUER_EVIDENCE: dict[str, str] = {
    "registry": "the account or site name is an entry (or alias) of the curated registry issuers/*.yaml",
    "name": "the account or site name carries a type marker (人大, 人民政府, 日报 …) and possibly a region",
    "source": "the default issuer of the snapshot source the raw file came from (sources/<name>.yaml)",
    "none": "nothing resolved the issuer",
}

# GB/T 2260 provincial-level divisions: code, full name, short name (how names of bodies usually begin).
PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("110000", "北京市", "北京"),
    ("120000", "天津市", "天津"),
    ("130000", "河北省", "河北"),
    ("140000", "山西省", "山西"),
    ("150000", "内蒙古自治区", "内蒙古"),
    ("210000", "辽宁省", "辽宁"),
    ("220000", "吉林省", "吉林"),
    ("230000", "黑龙江省", "黑龙江"),
    ("310000", "上海市", "上海"),
    ("320000", "江苏省", "江苏"),
    ("330000", "浙江省", "浙江"),
    ("340000", "安徽省", "安徽"),
    ("350000", "福建省", "福建"),
    ("360000", "江西省", "江西"),
    ("370000", "山东省", "山东"),
    ("410000", "河南省", "河南"),
    ("420000", "湖北省", "湖北"),
    ("430000", "湖南省", "湖南"),
    ("440000", "广东省", "广东"),
    ("450000", "广西壮族自治区", "广西"),
    ("460000", "海南省", "海南"),
    ("500000", "重庆市", "重庆"),
    ("510000", "四川省", "四川"),
    ("520000", "贵州省", "贵州"),
    ("530000", "云南省", "云南"),
    ("540000", "西藏自治区", "西藏"),
    ("610000", "陕西省", "陕西"),
    ("620000", "甘肃省", "甘肃"),
    ("630000", "青海省", "青海"),
    ("640000", "宁夏回族自治区", "宁夏"),
    ("650000", "新疆维吾尔自治区", "新疆"),
    ("710000", "台湾省", "台湾"),
    ("810000", "香港特别行政区", "香港"),
    ("820000", "澳门特别行政区", "澳门"),
)
REGION_NAMES: dict[str, str] = {code: name for code, name, _ in PROVINCES}

# Type markers, tried in this order (the first type with a marker in the name wins): the order settles names
# that hold two markers (人大常委会办公厅 is a congress office, 政府网 after 人大; 纪委监委 is Party).
TYPE_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("people_congress", ("人大", "人民代表大会")),
    ("cppcc", ("政协",)),
    ("court", ("法院",)),
    ("procuratorate", ("检察院", "检察")),
    ("party", ("纪委", "纪检", "监委", "党委", "组织部", "宣传部", "统战部", "党建", "中共", "共产党")),
    (
        "government",
        (
            "人民政府",
            "政府",
            "国务院",
            "发展和改革委员会",
            "发改委",
            "公安",
            "网信",
            "办公厅",
            "政务",
            "厅",
            "局",
        ),
    ),
    (
        "media",
        (
            "日报",
            "晚报",
            "商报",
            "报社",
            "新闻",
            "新华",
            "人民网",
            "电视台",
            "广播",
            "融媒",
            "杂志",
            "The Paper",
        ),
    ),
    ("public_institution", ("大学", "学院", "研究院", "研究所", "研究中心", "测评中心")),
    ("organisation", ("协会", "学会", "基金会", "事务所", "联合会")),
    ("company", ("公司", "集团", "有限", "股份")),
)
# Types whose administrative level is not a property of the body: their region is kept, their level is unknown.
LEVELLESS_TYPES: tuple[str, ...] = ("company", "organisation", "individual")
# A name that speaks for the whole country.
NATIONAL_MARKERS: tuple[str, ...] = ("全国", "国务院", "中央", "中国政府", "中华人民共和国", "国家")
# After a provincial-level region: a lower division named in the rest of the name (江苏省南京市 → municipal).
LOWER_LEVELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("county", re.compile(r"^.{1,8}?[市州盟]?.{0,6}?[县区旗](?!域)")),
    ("municipal", re.compile(r"^.{1,8}?[市州盟](?!场|民|委)")),
)

Type = Literal[
    "people_congress",
    "government",
    "party",
    "cppcc",
    "court",
    "procuratorate",
    "public_institution",
    "media",
    "company",
    "organisation",
    "individual",
    "unknown",
]
Level = Literal["national", "provincial", "municipal", "county", "unknown"]


class IssuerEntry(BaseModel):
    """One curated issuer: a name as accounts show it, its aliases, and what it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    type: Type
    level: Level = "unknown"
    region: str | None = Field(default=None, pattern=r"^\d{6}$")
    region_name: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _region_named(self) -> IssuerEntry:
        if self.region is not None and self.region_name is None and self.region not in REGION_NAMES:
            raise ValueError(
                f"region {self.region} is below provincial level: give its region_name (GB/T 2260)"
            )
        return self


@dataclass(frozen=True)
class Issuer:
    """The issuer columns of one document."""

    issuer_name: str | None
    issuer_type: str
    issuer_level: str
    region_code: str | None
    region_name: str | None
    issuer_evidence: str

    def columns(self, in_scope_types: Iterable[str]) -> dict[str, Any]:
        return {
            "issuer_name": self.issuer_name,
            "issuer_type": self.issuer_type,
            "issuer_level": self.issuer_level,
            "region_code": self.region_code,
            "region_name": self.region_name,
            "issuer_evidence": self.issuer_evidence,
            "in_scope": self.issuer_type in set(in_scope_types),
        }


UNKNOWN = Issuer(None, "unknown", "unknown", None, None, "none")


def _from_entry(entry: IssuerEntry, evidence: str) -> Issuer:
    region_name = entry.region_name or (REGION_NAMES.get(entry.region) if entry.region else None)
    return Issuer(nfc(entry.name), entry.type, entry.level, entry.region, region_name, evidence)


@dataclass(frozen=True)
class Registry:
    """Curated issuers by match key (names and aliases), and default issuers of snapshot sources by name."""

    by_key: dict[str, IssuerEntry]
    source_defaults: dict[str, IssuerEntry]

    @classmethod
    def empty(cls) -> Registry:
        return cls({}, {})


def _region_of(name: str) -> tuple[str, str, str] | None:
    """The provincial-level division a name starts with, and the rest of the name."""
    for code, full, short in PROVINCES:
        for prefix in (full, short):
            if name.startswith(prefix):
                return code, full, name[len(prefix) :]
    return None


def issuer_from_name(name: str) -> Issuer | None:
    """Type, level and region read from the name alone; None when no type marker is in it."""
    issuer_type = next((t for t, markers in TYPE_MARKERS if any(m in name for m in markers)), None)
    if issuer_type is None:
        return None
    region = _region_of(name)
    if region is not None:
        code, full, rest = region
        level = next((lv for lv, pattern in LOWER_LEVELS if pattern.match(rest)), "provincial")
        if issuer_type in LEVELLESS_TYPES:
            level = "unknown"
        return Issuer(nfc(name), issuer_type, level, code, full, "name")
    national = issuer_type not in LEVELLESS_TYPES and any(m in name for m in NATIONAL_MARKERS)
    level = "national" if national else "unknown"
    return Issuer(nfc(name), issuer_type, level, None, None, "name")


def resolve(account: str | None, source_file: str, registry: Registry) -> Issuer:
    """The issuer of one document, from the first evidence that settles it (see the module docstring)."""
    if account:
        entry = registry.by_key.get(match_key(account))
        if entry is not None:
            return _from_entry(entry, "registry")
        from_name = issuer_from_name(account)
        if from_name is not None:
            return from_name
    parts = source_file.split("/")
    from_snapshot = len(parts) > 2 and parts[0] == SNAPSHOT_FOLDER
    default = registry.source_defaults.get(parts[1]) if from_snapshot else None
    if default is not None:
        return _from_entry(default, "source")
    return UNKNOWN


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RendaError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise RendaError(f"{path}: not valid YAML ({type(error).__name__})") from None


def _entry(path: Path, where: str, data: Any) -> IssuerEntry:
    try:
        return IssuerEntry.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise RendaError(f"{path}: {where}: {field + ': ' if field else ''}{first['msg']}") from None


def load_registry(folder: Path | None, sources: Path | None = None) -> Registry:
    """The registry from `folder/*.yaml` (each a list of entries) and the `issuer:` of `sources/*.yaml`.

    A name or alias given twice is an error naming both files: which entry wins must never depend on file order.
    """
    by_key: dict[str, IssuerEntry] = {}
    where_defined: dict[str, str] = {}
    if folder is not None:
        if not folder.is_dir():
            raise RendaError(f"{folder}: issuer registry folder not found")
        for path in sorted(folder.glob("*.yaml")):
            data = _load_yaml(path)
            if data is None:
                continue
            if not isinstance(data, list):
                raise RendaError(f"{path}: an issuer registry file is a list of entries")
            for index, item in enumerate(data):
                entry = _entry(path, f"entry {index}", item)
                for name in (entry.name, *entry.aliases):
                    key = match_key(name)
                    if key in by_key:
                        raise RendaError(
                            f"{path}: entry {index}: {name!r} is already an issuer in {where_defined[key]}"
                        )
                    by_key[key] = entry
                    where_defined[key] = f"{path.name} ({by_key[key].name})"
    defaults: dict[str, IssuerEntry] = {}
    if sources is not None and sources.is_dir():
        for name, definition in definitions(sources):
            if definition.issuer is not None:
                defaults[name] = _entry(sources / f"{name}.yaml", "issuer", definition.issuer)
    return Registry(by_key, defaults)
