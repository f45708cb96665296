"""CHANGELOG.md: what changed in the data since the previous release, computed from the two manifests.

Documents are matched by doc_id (the hash of their raw content), then the unmatched ones by location (file and
row), so that a container row whose text was edited is one *changed* document, not one removed and one added:

- *changed*: the same doc_id parsed into other records (`record_sha256`), or another raw text at the same
  location (edited);
- *moved*: the same doc_id and records found at another location (a renamed file, a shifted row);
- *added* / *removed*: neither;
- *unchanged*: the rest.

`record_sha256` leaves out the location columns (a container's `raw_sha256` is the whole file's hash), so an
edit to one row of a CSV changes that row's document only. Rejects are matched by location: *added*,
*removed*, or *changed* when the stage or reason differs. Earlier entries are carried over from the previous
release's CHANGELOG.md when it lies beside that manifest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.fields import RENAMED_COLUMNS

LIST_LIMIT = 50
HEADER = "# Changelog\n\nData changes between released versions, computed from their manifests.\n"


@dataclass
class DocumentChanges:
    """doc_ids by kind of change; `edited` maps a changed doc_id to the doc_id that was at its location."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    edited: dict[str, str] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.moved)


@dataclass
class RejectChanges:
    """Reject locations (`file` or `file#rowN`) by kind of change."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def diff(current: dict[str, dict[str, str]], previous: dict[str, dict[str, str]]) -> DocumentChanges:
    """Compare `{doc_id: {record_sha256, source}}` maps of two manifests."""
    changes = DocumentChanges()
    for doc_id in sorted(set(current) & set(previous)):
        now, then = current[doc_id], previous[doc_id]
        if now["record_sha256"] != then["record_sha256"]:
            changes.changed.append(doc_id)
        elif now["source"] != then["source"]:
            changes.moved.append(doc_id)
        else:
            changes.unchanged.append(doc_id)
    new = {current[d]["source"]: d for d in set(current) - set(previous)}
    gone = {previous[d]["source"]: d for d in set(previous) - set(current)}
    for source in sorted(set(new) & set(gone)):
        changes.edited[new[source]] = gone[source]
    changes.changed = sorted([*changes.changed, *changes.edited])
    changes.added = sorted(new[source] for source in set(new) - set(gone))
    changes.removed = sorted(gone[source] for source in set(gone) - set(new))
    return changes


def diff_rejects(current: dict[str, dict[str, str]], previous: dict[str, dict[str, str]]) -> RejectChanges:
    """Compare `{location: {stage, reason_code}}` maps of two manifests."""
    shared = sorted(set(current) & set(previous))
    return RejectChanges(
        added=sorted(set(current) - set(previous)),
        removed=sorted(set(previous) - set(current)),
        changed=[key for key in shared if current[key] != previous[key]],
        unchanged=[key for key in shared if current[key] == previous[key]],
    )


def _section(title: str, lines: list[str]) -> str:
    if not lines:
        return ""
    shown = lines[:LIST_LIMIT]
    if len(lines) > LIST_LIMIT:
        shown.append(f"- … and {len(lines) - LIST_LIMIT} more (compare the manifests)")
    return f"\n### {title} ({len(lines)})\n\n" + "\n".join(shown) + "\n"


def _reason(reject: dict[str, str]) -> str:
    return f"{reject['stage']}/{reject['reason_code']}"


def _document_sections(
    changes: DocumentChanges, documents: dict[str, dict[str, str]], old: dict[str, dict[str, str]]
) -> str:
    def changed_line(doc_id: str) -> str:
        source = documents[doc_id]["source"]
        if doc_id in changes.edited:
            return f"- `{doc_id}` {source} (raw text edited; was `{changes.edited[doc_id]}`)"
        return f"- `{doc_id}` {source} (same raw text, parsed differently)"

    return (
        _section("Documents added", [f"- `{d}` {documents[d]['source']}" for d in changes.added])
        + _section("Documents removed", [f"- `{d}` {old[d]['source']}" for d in changes.removed])
        + _section("Documents changed", [changed_line(d) for d in changes.changed])
        + _section(
            "Documents moved",
            [f"- `{d}` {documents[d]['source']} (was {old[d]['source']})" for d in changes.moved],
        )
    )


def _reject_sections(
    changes: RejectChanges, rejects: dict[str, dict[str, str]], old: dict[str, dict[str, str]]
) -> str:
    return (
        _section("Rejects added", [f"- {key}: {_reason(rejects[key])}" for key in changes.added])
        + _section("Rejects removed", [f"- {key}: {_reason(old[key])}" for key in changes.removed])
        + _section(
            "Rejects changed",
            [f"- {key}: {_reason(rejects[key])} (was {_reason(old[key])})" for key in changes.changed],
        )
    )


def _without_entry(text: str, version: str) -> str:
    """Earlier changelog text minus the entry of `version` (a rebuild of a version replaces its entry)."""
    parts = text.split("\n## ")
    kept = [parts[0], *(part for part in parts[1:] if not part.startswith(f"{version} ("))]
    return "\n## ".join(kept)


def renamed_columns(version: str) -> str:
    """The columns this version renamed (a breaking change for readers), old name first; empty when none."""
    renamed = [f"`{table}.{old}` → `{new}`" for made, table, old, new in RENAMED_COLUMNS if made == version]
    return f"Renamed columns (update code that reads them): {', '.join(renamed)}.\n\n" if renamed else ""


class DocumentMap(Protocol):
    """doc_id → {record_sha256, source} in doc_id order: a dict, or the release's `DocumentDigests` (sorted on disk)."""

    def __len__(self) -> int: ...

    def items(self) -> Iterable[tuple[str, dict[str, str]]]: ...


def changelog(
    version: str,
    released: str,
    documents: DocumentMap,
    rejects: dict[str, dict[str, str]],
    previous_manifest: Path | None,
) -> str:
    """The whole CHANGELOG.md of this release: its entry, then the earlier ones."""
    entry = f"\n## {version} ({released})\n\n" + renamed_columns(version)
    if previous_manifest is None:
        return HEADER + entry + f"First release: {len(documents)} documents, {len(rejects)} rejects.\n"
    previous: dict[str, Any] = json.loads(previous_manifest.read_text(encoding="utf-8"))
    old = previous.get("documents", {})
    old_rejects = previous.get("rejects")
    current = dict(documents.items())  # a diff against the previous manifest holds both, as that one is held
    changes = diff(current, old)
    entry += (
        f"Compared with {previous.get('version', '?')}: documents {len(changes.added)} added, "
        f"{len(changes.removed)} removed, {len(changes.changed)} changed ({len(changes.edited)} with edited "
        f"raw text), {len(changes.moved)} moved to another file or row, {len(changes.unchanged)} unchanged.\n"
    )
    if isinstance(old_rejects, dict):
        reject_changes = diff_rejects(rejects, old_rejects)
        entry += (
            f"Rejects: {len(reject_changes.added)} added, {len(reject_changes.removed)} removed, "
            f"{len(reject_changes.changed)} with another stage or reason, "
            f"{len(reject_changes.unchanged)} unchanged.\n"
        )
        entry += _document_sections(changes, current, old)
        entry += _reject_sections(reject_changes, rejects, old_rejects)
        same_data = not changes.any and not reject_changes.any
    else:
        entry += (
            f"Rejects not compared (the {previous.get('version', '?')} manifest has no list of rejects).\n"
        )
        entry += _document_sections(changes, current, old)
        same_data = False
    beside = previous_manifest.parent / "CHANGELOG.md"
    earlier = beside.read_text(encoding="utf-8") if beside.is_file() else HEADER
    if previous.get("version") == version:
        if same_data and earlier.startswith(HEADER + f"\n## {version} ("):
            return earlier  # the same data under the same version: the published changelog, verbatim
        earlier = _without_entry(earlier, version)
    return HEADER + entry + earlier.removeprefix(HEADER)
