"""Standalone HTML export: one self-contained read-only page, needing neither Jupyter nor network.

The built widget bundle (``static/widget.js`` and ``widget.css``) is inlined; the bundle source
and the thread snapshot are embedded as JSON in ``<script type="application/json">`` elements
(with ``<``, ``>``, ``&`` and line separators escaped, so no text can close the script). A small
module script imports the bundle through a Blob URL and renders it against a read-only model.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.models import MAX_BODY_CHARS, Thread, utcnow
from ..core.voting import voting_model
from ..page.fields import valid_fields, wire_fields
from ..page.messages import snapshot_value

__all__ = ["LABEL", "STATIC", "BundleMissingError", "render", "script_json"]

LABEL = "standalone HTML"
#: Where the built bundle lives (``npm run build`` writes it).
STATIC = Path(__file__).resolve().parent.parent / "static"


class BundleMissingError(FileNotFoundError):
    """The widget bundle has not been built, so a standalone page cannot be made."""


def script_json(value: Any) -> str:
    """JSON safe to place inside a ``<script>`` element: nothing in it can end the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _bundle(static: Path) -> tuple[str, str]:
    js, css = static / "widget.js", static / "widget.css"
    missing = [p.name for p in (js, css) if not p.is_file()]
    if missing:
        raise BundleMissingError(
            f"the widget bundle is not built ({', '.join(missing)} missing in {static}); "
            "run `npm install && npm run build` in the threadwidget source tree"
        )
    return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8")


_BOOT = """
const read = (id) => JSON.parse(document.getElementById(id).textContent);
const values = {
  _snapshot: read("tw-snapshot"),
  _config: read("tw-config"),
  user: "",
  read_only: true,
  sort: "oldest",
};
const model = {
  get: (name) => values[name],
  set() {},
  on() {},
  off() {},
  send() {},
  save_changes() {},
};
const url = URL.createObjectURL(new Blob([read("tw-bundle")], { type: "text/javascript" }));
const root = document.getElementById("tw-root");
try {
  const widget = (await import(url)).default;
  await widget.initialize?.({ model });
  await widget.render({ model, el: root });
} catch (error) {
  root.textContent = "This snapshot could not be displayed: " + error;
  throw error;
} finally {
  URL.revokeObjectURL(url);
}
"""

_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' blob:; style-src 'unsafe-inline'; "
    "img-src data: blob: https: http:; font-src data:; base-uri 'none'; form-action 'none'"
)

_PAGE_CSS = """
body { margin: 0; font-family: system-ui, sans-serif; background: #fff; color: #1f2328; }
.tw-standalone-banner { padding: 8px 16px; background: #fff8c5; border-bottom: 1px solid #d4a72c;
  font-size: 14px; }
#tw-root { max-width: 860px; margin: 16px auto; padding: 0 16px; }
"""


def page_config(
    fields: Iterable[Any] = (), badges: Mapping[str, str] | None = None, voting: object = "likes"
) -> dict[str, Any]:
    """The read-only ``_config`` of a page: how ``extra`` fields, badges and votes show (as the
    widget's ``fields``, ``badges`` and ``voting`` settings); ``ValueError`` naming a bad one."""
    badges = dict(badges or {})
    for author, text in badges.items():
        if not isinstance(text, str) or not 1 <= len(text) <= 40:
            raise ValueError(f"badges[{author!r}] must be a str of 1 to 40 characters")
    return {
        "max_body": MAX_BODY_CHARS,
        "role": "reader",
        "voting": voting_model(voting).wire(),
        "fields": wire_fields(valid_fields(fields)),
        "badges": badges,
    }


def render(
    thread: Thread,
    *,
    saved_at: datetime | None = None,
    static: Path | None = None,
    fields: Iterable[Any] = (),
    badges: Mapping[str, str] | None = None,
    voting: object = "likes",
) -> str:
    """The standalone page for a thread; ``BundleMissingError`` if the bundle is not built.

    ``fields``, ``badges`` and ``voting`` show ``extra`` data, author badges and vote counts as a
    widget with those settings does: ``render(w.thread, fields=w.fields, voting=w.voting)``.
    """
    config = page_config(fields, badges, voting)
    code, css = _bundle(static or STATIC)
    saved = (saved_at or utcnow()).strftime("%Y-%m-%d %H:%M UTC")
    title = thread.post.title.strip() or "Untitled thread"
    public = thread.published()  # no moderated text, reports or labels in a public page
    snapshot = snapshot_value(public.post, public.comments, epoch="standalone", seq=0)
    css = css.replace("</", "<\\/")  # "\/" is "/" in CSS; "</style" can never appear
    banner = f"Snapshot of {html.escape(title)}, saved {saved}; read-only"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="generator" content="threadwidget">
<title>{html.escape(title)}</title>
<style>{_PAGE_CSS}</style>
<style>{css}</style>
</head>
<body>
<div class="tw-standalone-banner" role="status">{banner}</div>
<div id="tw-root"></div>
<noscript><p>This page needs JavaScript to show the discussion.</p></noscript>
<script type="application/json" id="tw-snapshot">{script_json(snapshot)}</script>
<script type="application/json" id="tw-config">{script_json(config)}</script>
<script type="application/json" id="tw-bundle">{script_json(code)}</script>
<script type="module">{_BOOT}</script>
</body>
</html>
"""
