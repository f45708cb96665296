"""CHANGELOG.md: what changed in the data since the previous release, computed from the two manifests.

A document is *added* or *removed* by doc_id (its raw content), *changed* when the same doc_id was parsed into
different records (`record_sha256`), else *unchanged*. Earlier entries are carried over from the previous
release's CHANGELOG.md when it lies beside that manifest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LIST_LIMIT = 50
HEADER = "# Changelog\n\nData changes between released versions, computed from their manifests.\n"


def diff(current: dict[str, dict[str, str]], previous: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    added = sorted(set(current) - set(previous))
    removed = sorted(set(previous) - set(current))
    shared = sorted(set(current) & set(previous))
    changed = [d for d in shared if current[d]["record_sha256"] != previous[d]["record_sha256"]]
    unchanged = [d for d in shared if current[d]["record_sha256"] == previous[d]["record_sha256"]]
    return {"added": added, "removed": removed, "changed": changed, "unchanged": unchanged}


def _listing(title: str, ids: list[str], documents: dict[str, dict[str, str]]) -> str:
    if not ids:
        return ""
    lines = [f"\n### {title} ({len(ids)})\n"]
    lines += [f"- `{doc_id}` {documents[doc_id]['source']}" for doc_id in ids[:LIST_LIMIT]]
    if len(ids) > LIST_LIMIT:
        lines.append(f"- … and {len(ids) - LIST_LIMIT} more (compare the manifests)")
    return "\n".join(lines) + "\n"


def changelog(
    version: str, released: str, documents: dict[str, dict[str, str]], previous_manifest: Path | None
) -> str:
    entry = f"\n## {version} ({released})\n\n"
    earlier = ""
    if previous_manifest is None:
        entry += f"First release: {len(documents)} documents.\n"
    else:
        previous: dict[str, Any] = json.loads(previous_manifest.read_text(encoding="utf-8"))
        old = previous.get("documents", {})
        changes = diff(documents, old)
        entry += (
            f"Compared with {previous.get('version', '?')}: {len(changes['added'])} documents added, "
            f"{len(changes['removed'])} removed, {len(changes['changed'])} changed (same raw content, parsed "
            f"differently), {len(changes['unchanged'])} unchanged.\n"
        )
        entry += _listing("Added", changes["added"], documents)
        entry += _listing("Removed", changes["removed"], old)
        entry += _listing("Changed", changes["changed"], documents)
        beside = previous_manifest.parent / "CHANGELOG.md"
        if beside.is_file():
            earlier = beside.read_text(encoding="utf-8").removeprefix(HEADER)
    return HEADER + entry + earlier
