"""The registry of capture formats and the detector that picks one for a text."""

from __future__ import annotations

from pipeline.formats import (
    freewechat_text,
    generic,
    gov_portal_text,
    html,
    wechat_html2text,
    wechatmp2markdown,
)
from pipeline.formats.base import CaptureFormat, Probe

FORMATS: dict[str, CaptureFormat] = {
    module.FORMAT.name: module.FORMAT
    for module in (freewechat_text, wechatmp2markdown, wechat_html2text, gov_portal_text, html, generic)
}
FALLBACK = generic.FORMAT


def detect_format(text: str) -> CaptureFormat:
    """The format whose signature scores highest on `text`; the generic fallback when none scores."""
    probe = Probe.of(text)
    scored = [(fmt.score(probe), name) for name, fmt in FORMATS.items() if fmt is not FALLBACK]
    score, name = max(scored, default=(0.0, FALLBACK.name))
    return FORMATS[name] if score > 0 else FALLBACK


__all__ = ["FALLBACK", "FORMATS", "CaptureFormat", "detect_format"]
