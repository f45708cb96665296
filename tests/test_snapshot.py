"""`renda snapshot`: pinned sources fetched for real (a bare git repository, a loopback HTTP server), verified,
recorded in `sources`, and the issuer registry resolving every document (registry, name, source default)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import EXAMPLE

from pipeline.errors import RendaError
from pipeline.issuers import Registry, issuer_from_name, load_registry, resolve
from pipeline.snapshot import snapshot

RENDA = [sys.executable, "-c", "from pipeline.cli import main; main()"]
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]

REPORT = "2025年山河省政府工作报告\n\n各位代表：\n\n　　现在，我代表省人民政府，向大会报告工作，请予审议。\n\n　　过去一年，全省经济稳中有进。\n"
NOTICE = "关于开展代表视察的通知\n\n各位代表：\n\n　　经主任会议研究，定于下周开展集中视察。\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repository(tmp_path: Path) -> tuple[Path, str]:
    """A bare repository whose first commit holds two captures and a README; a later commit changes one."""
    work = tmp_path / "work"
    (work / "reports").mkdir(parents=True)
    (work / "reports" / "2025.txt").write_text(REPORT, encoding="utf-8")
    (work / "reports" / "notice.md").write_text(NOTICE, encoding="utf-8")
    (work / "README.md").write_text("captures\n", encoding="utf-8")
    git("init", "-q", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-qm", "first", cwd=work)
    commit = git("rev-parse", "HEAD", cwd=work)
    (work / "reports" / "2025.txt").write_text("changed later\n", encoding="utf-8")
    git("commit", "-qam", "second", cwd=work)
    bare = tmp_path / "captures.git"
    git("clone", "-q", "--bare", str(work), str(bare), cwd=tmp_path)
    return bare, commit


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_git_source_at_a_commit_is_fetched_verified_and_recorded(
    tmp_path: Path, repository: tuple[Path, str]
) -> None:
    bare, commit = repository
    report = REPORT.encode()
    write(
        tmp_path / "sources" / "provinces.yaml",
        f"description: provincial work reports\nlicense: public documents\n"
        f"git:\n  repository: {bare}\n  commit: {commit}\n"
        f"  files: [{{path: reports/2025.txt, sha256: {sha256(report)}}}]\n  patterns: ['reports/*.md']\n",
    )
    rows, notes = snapshot(tmp_path / "sources", tmp_path / "snapshots", tmp_path / "origins.jsonl")
    assert notes == []
    # the file as it was at the pinned commit, not at the branch tip; README matched no pattern
    assert (tmp_path / "snapshots" / "provinces" / "reports" / "2025.txt").read_bytes() == report
    assert sorted(
        p.relative_to(tmp_path / "snapshots").as_posix() for p in (tmp_path / "snapshots").rglob("*.*")
    ) == [
        "provinces/reports/2025.txt",
        "provinces/reports/notice.md",
    ]
    assert rows == [
        {
            "source_file": "snapshots/provinces/reports/2025.txt",
            "origin_source": "provinces",
            "origin_url": str(bare),
            "origin_path": "reports/2025.txt",
            "origin_commit": commit,
            "raw_sha256": sha256(report),
        },
        {
            "source_file": "snapshots/provinces/reports/notice.md",
            "origin_source": "provinces",
            "origin_url": str(bare),
            "origin_path": "reports/notice.md",
            "origin_commit": commit,
            "raw_sha256": sha256(NOTICE.encode()),
        },
    ]
    lines = (tmp_path / "origins.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == rows


def test_git_file_whose_pinned_hash_differs_writes_nothing(
    tmp_path: Path, repository: tuple[Path, str]
) -> None:
    bare, commit = repository
    write(
        tmp_path / "sources" / "provinces.yaml",
        f"description: d\nlicense: l\ngit:\n  repository: {bare}\n  commit: {commit}\n"
        f"  files: [{{path: reports/2025.txt, sha256: '{'0' * 64}'}}]\n",
    )
    with pytest.raises(RendaError) as refused:
        snapshot(tmp_path / "sources", tmp_path / "snapshots", tmp_path / "origins.jsonl")
    definition = tmp_path / "sources" / "provinces.yaml"
    assert str(refused.value) == (
        f"{definition}: reports/2025.txt: SHA-256 {sha256(REPORT.encode())} does not match the pinned "
        f"{'0' * 64}; nothing written"
    )
    assert not (tmp_path / "snapshots").exists()
    assert not (tmp_path / "origins.jsonl").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial folder left


def test_http_source_is_fetched_from_loopback_and_a_mismatch_is_one_line(tmp_path: Path, serve) -> None:
    served = tmp_path / "served"
    write(served / "a" / "notice.md", NOTICE)
    url = serve(served)
    data = NOTICE.encode()
    sources = tmp_path / "sources"
    write(
        sources / "portal.yaml",
        f"description: d\nlicense: l\nhttp:\n  base_url: {url}\n  files: [{{path: a/notice.md, sha256: {sha256(data)}}}]\n",
    )
    rows, _ = snapshot(sources, tmp_path / "snapshots", tmp_path / "origins.jsonl")
    assert (tmp_path / "snapshots" / "portal" / "a" / "notice.md").read_bytes() == data
    assert rows == [
        {
            "source_file": "snapshots/portal/a/notice.md",
            "origin_source": "portal",
            "origin_url": f"{url}a/notice.md",
            "origin_path": "a/notice.md",
            "origin_commit": None,
            "raw_sha256": sha256(data),
        }
    ]

    write(served / "a" / "notice.md", NOTICE + "tampered\n")  # the server now sends other bytes
    (tmp_path / "snapshots2").mkdir()
    done = subprocess.run(
        [*RENDA, "snapshot", str(sources), "--out", str(tmp_path / "snapshots2")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    tampered = sha256((NOTICE + "tampered\n").encode())
    assert done.stderr == (
        f"renda: error: {sources / 'portal.yaml'}: a/notice.md: SHA-256 {tampered} does not match the pinned "
        f"{sha256(data)}; nothing written\n"
    )
    assert list((tmp_path / "snapshots2").iterdir()) == []


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        (
            "description: d\nlicense: l\nhttp:\n  base_url: http://127.0.0.1:9/\n  files: [{path: a.txt}]\n",
            "http: a.txt: an HTTP file needs its sha256 (nothing is fetched unpinned)",
        ),
        (
            "description: d\nlicense: l\ngit:\n  repository: x\n  commit: main\n  patterns: ['*']\n",
            "git.commit: String should match pattern '^[0-9a-f]{40}$'",
        ),
        (
            f"description: d\nlicense: l\nhttp:\n  base_url: http://127.0.0.1:9/\n  files: [{{path: ../a.txt, sha256: {'a' * 64}}}]\n",
            "http.files.0.path: '../a.txt' is not a relative path of plain names",
        ),
        ("description: d\nlicense: l\n", "give exactly one of http: or git:"),
        (
            f"description: d\nlicense: l\ngit:\n  repository: x\n  commit: {'1' * 40}\n  patterns: ['*']\n",
            "git.commit: a hash is text: write it in quotes (YAML read it as a number)",
        ),
    ],
)
def test_unpinned_or_unsafe_definitions_are_refused_before_any_fetch(
    tmp_path: Path, definition: str, problem: str
) -> None:
    path = write(tmp_path / "sources" / "bad.yaml", definition)
    with pytest.raises(RendaError) as refused:
        snapshot(tmp_path / "sources", tmp_path / "snapshots", tmp_path / "origins.jsonl")
    assert str(refused.value) == f"{path}: {problem}"


def test_disabled_source_is_noted_not_fetched(tmp_path: Path) -> None:
    write(
        tmp_path / "sources" / "offline.yaml",
        f"description: d\nlicense: l\nenabled: false\ngit:\n  repository: /nowhere\n  commit: {'a' * 40}\n  patterns: ['*']\n",
    )
    rows, notes = snapshot(tmp_path / "sources", tmp_path / "snapshots", tmp_path / "origins.jsonl")
    assert (rows, notes) == (
        [],
        [f"{tmp_path / 'sources' / 'offline.yaml'}: disabled (enabled: false); not fetched"],
    )
    assert list((tmp_path / "snapshots").iterdir()) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("山西省人民政府门户网站", ("government", "provincial", "140000", "山西省")),
        ("北京人大", ("people_congress", "provincial", "110000", "北京市")),
        ("江苏省南京市人民政府", ("government", "municipal", "320000", "江苏省")),
        ("北京市怀柔区人大常委会", ("people_congress", "county", "110000", "北京市")),
        ("广东省市场监督管理局", ("government", "provincial", "440000", "广东省")),  # 市场 is no city
        ("国家统计局", ("government", "national", None, None)),
        ("北京市世纪律师事务所", ("organisation", "unknown", "110000", "北京市")),  # a firm has no level
        ("中共山河县纪委监委", ("party", "unknown", None, None)),
    ],
)
def test_issuer_from_the_name_alone(name: str, expected: tuple) -> None:
    issuer = issuer_from_name(name)
    assert issuer is not None
    assert (issuer.issuer_type, issuer.issuer_level, issuer.region_code, issuer.region_name) == expected
    assert issuer.issuer_evidence == "name"


def test_names_without_a_type_marker_are_unknown() -> None:
    assert issuer_from_name("巢安实验室") is None
    assert resolve("巢安实验室", "wechat/a.md", Registry.empty()).columns(["government"]) == {
        "issuer_name": None,
        "issuer_type": "unknown",
        "issuer_level": "unknown",
        "region_code": None,
        "region_name": None,
        "issuer_evidence": "none",
        "in_scope": False,
    }


def test_registry_wins_then_name_then_source_default(tmp_path: Path) -> None:
    write(
        tmp_path / "issuers" / "curated.yaml",
        "- name: 山河人大\n  aliases: [山河市人大常委会]\n  type: people_congress\n  level: municipal\n"
        "  region: '999900'\n  region_name: 山河市\n",
    )
    write(
        tmp_path / "sources" / "reports.yaml",
        f"description: d\nlicense: l\nissuer: {{name: 山河省人民政府, type: government, level: provincial, region: '140000'}}\n"
        f"git:\n  repository: x\n  commit: {'a' * 40}\n  patterns: ['*']\n",
    )
    registry = load_registry(tmp_path / "issuers", tmp_path / "sources")
    scope = ["people_congress", "government"]
    by_alias = resolve("山河市人大常委会", "snapshots/reports/a.txt", registry).columns(scope)
    assert by_alias == {
        "issuer_name": "山河人大",
        "issuer_type": "people_congress",
        "issuer_level": "municipal",
        "region_code": "999900",
        "region_name": "山河市",
        "issuer_evidence": "registry",
        "in_scope": True,
    }
    assert resolve("人民日报海外版", "snapshots/reports/a.txt", registry).issuer_type == "media"
    by_source = resolve(None, "snapshots/reports/a.txt", registry)
    assert (
        by_source.issuer_name,
        by_source.issuer_type,
        by_source.region_name,
        by_source.issuer_evidence,
    ) == (
        "山河省人民政府",
        "government",
        "山西省",
        "source",
    )
    assert resolve(None, "reports/a.txt", registry).issuer_evidence == "none"  # not a snapshot file


def test_a_name_curated_twice_is_an_error_naming_both_files(tmp_path: Path) -> None:
    write(tmp_path / "issuers" / "a.yaml", "- {name: 山河人大, type: people_congress}\n")
    write(tmp_path / "issuers" / "b.yaml", "- {name: 其他, aliases: [山河 人大], type: government}\n")
    with pytest.raises(RendaError) as refused:
        load_registry(tmp_path / "issuers")
    assert str(refused.value) == (
        f"{tmp_path / 'issuers' / 'b.yaml'}: entry 0: '山河 人大' is already an issuer in a.yaml (山河人大)"
    )


def test_build_joins_origins_and_resolves_issuers_from_the_source_default(
    tmp_path: Path, repository: tuple[Path, str]
) -> None:
    """Snapshot, then `renda build` with params that name the snapshot folder, origins and registry."""
    bare, commit = repository
    write(
        tmp_path / "sources" / "provinces.yaml",
        f"description: d\nlicense: l\nissuer: {{name: 山河省人民政府, type: government, level: provincial}}\n"
        f"git:\n  repository: {bare}\n  commit: {commit}\n  files: [{{path: reports/2025.txt}}]\n",
    )
    write(
        tmp_path / "issuers" / "curated.yaml",
        "- {name: 北京人大, type: people_congress, level: provincial, region: '110000'}\n",
    )
    params = write(
        tmp_path / "params.yaml",
        "snapshot: {sources: sources, folder: snap, origins: origins.jsonl}\n"
        "issuers: {registry: issuers, in_scope: [people_congress]}\n",
    )
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    fetched = subprocess.run(
        [*RENDA, "snapshot", "sources", "--params", "params.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert fetched.returncode == 0, fetched.stderr
    assert "snapshot: provinces: 1 files verified" in fetched.stderr
    built = subprocess.run(
        [*RENDA, "build", "raw", "--out", "release", "--params", str(params)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    sources = pq.read_table(tmp_path / "release" / "sources.parquet").to_pylist()
    assert [
        (s["source_file"], s["origin_source"], s["origin_path"], s["origin_commit"]) for s in sources
    ] == [
        (EXAMPLE.name, None, None, None),
        ("snapshots/provinces/reports/2025.txt", "provinces", "reports/2025.txt", commit),
    ]
    documents = pq.read_table(
        tmp_path / "release" / "documents.parquet",
        columns=["source_file", "account", "issuer_name", "issuer_type", "issuer_evidence", "in_scope"],
    ).to_pylist()
    assert sorted(documents, key=lambda d: d["source_file"]) == [
        {
            "source_file": EXAMPLE.name,
            "account": "北京人大",
            "issuer_name": "北京人大",
            "issuer_type": "people_congress",
            "issuer_evidence": "registry",
            "in_scope": True,
        },
        {
            "source_file": "snapshots/provinces/reports/2025.txt",
            "account": None,
            "issuer_name": "山河省人民政府",
            "issuer_type": "government",
            "issuer_evidence": "source",
            "in_scope": False,  # in_scope is people_congress only in these params
        },
    ]
