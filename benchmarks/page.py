"""Benchmark pages: the real widget bundle against a scriptable in-page model, and the baseline.

The widget page runs the same ``static/widget.js`` a notebook loads, with a model whose
``deliver(msg)`` plays the kernel, so render and update costs are measured without Jupyter's own
noise. The baseline page is what Hacker News serves: the same comments as static nested HTML,
assigned once with ``innerHTML``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from threadwidget.core.models import Thread
from threadwidget.formats.html import script_json
from threadwidget.page.messages import snapshot_value

STATIC = Path(__file__).resolve().parents[1] / "src" / "threadwidget" / "static"

_HARNESS = """
const read = (id) => JSON.parse(document.getElementById(id).textContent);
const values = { _snapshot: read("tw-snapshot"), _config: { max_body: 20000 }, user: "Bench",
                 read_only: false, sort: "oldest" };
const listeners = {};
const sent = [];
const model = {
  get: (name) => values[name],
  set: (name, value) => { values[name] = value;
    for (const f of listeners["change:" + name] || []) f(); },
  on: (event, f) => { (listeners[event] ||= []).push(f); },
  off() {},
  send: (msg) => { sent.push(msg); },
  save_changes() {},
};
window.twBench = {
  model, sent, values,
  deliver(msg) { for (const f of listeners["msg:custom"] || []) f(msg); },
  longTasks: [],
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.twBench.longTasks.push(e.duration);
}).observe({ type: "longtask", buffered: true });
const url = URL.createObjectURL(new Blob([read("tw-bundle")], { type: "text/javascript" }));
window.twBench.module = await import(url);
window.twBench.widget = window.twBench.module.default;
window.twBench.ready = true;
"""


def widget_page(thread: Thread) -> str:
    """A page with the bundle loaded and the thread's snapshot ready; render is started by JS."""
    code = (STATIC / "widget.js").read_text(encoding="utf-8")
    css = (STATIC / "widget.css").read_text(encoding="utf-8")
    snapshot = snapshot_value(thread.post, thread.comments, epoch="bench", seq=0)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}</style></head>
<body><div id="root" style="max-width:860px"></div>
<script type="application/json" id="tw-snapshot">{script_json(snapshot)}</script>
<script type="application/json" id="tw-bundle">{script_json(code)}</script>
<script type="module">{_HARNESS}</script></body></html>"""


def baseline_html(thread: Thread) -> str:
    """The thread as static nested HTML, the way Hacker News serves a discussion."""
    children: dict[str | None, list[int]] = {}
    for index, comment in enumerate(thread.comments):
        children.setdefault(comment.parent_id, []).append(index)
    parts: list[str] = []

    def walk(parent: str | None) -> None:
        for index in children.get(parent, []):
            c = thread.comments[index]
            parts.append(
                f'<li class="c"><div class="meta"><b>{html.escape(c.author)}</b> '
                f'{c.created_at:%Y-%m-%d}</div><div class="body">'
                + "".join(f"<p>{html.escape(p)}</p>" for p in c.body.split("\n\n"))
                + "</div><ul>"
            )
            walk(c.id)
            parts.append("</ul></li>")

    walk(None)
    return f"<h1>{html.escape(thread.post.title)}</h1><ul>{''.join(parts)}</ul>"


def baseline_page() -> str:
    """An empty page that the benchmark fills with :func:`baseline_html` in one assignment."""
    return """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
ul { list-style: none; padding-left: 24px; } .meta { color: #666; font-size: 12px; }
</style></head><body><div id="root" style="max-width:860px"></div></body></html>"""


#: In the baseline page: the thread's static HTML assigned at once, until the next frame (ms).
BASELINE_JS = """
async (html) => {
  const root = document.getElementById('root');
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const t0 = performance.now();
  root.innerHTML = html;
  await frame();
  return performance.now() - t0;
}
"""


def baseline_ms(context: Any, thread: Thread, tmp: Path, runs: int = 1) -> float:
    """The thread as static nested HTML in a fresh page of ``context``: one ``innerHTML``
    assignment until the next frame, the fastest of ``runs`` (ms)."""
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    f = tmp / "baseline.html"
    f.write_text(baseline_page(), encoding="utf-8")
    page.goto(f.as_uri())
    ms: float = min(page.evaluate(BASELINE_JS, baseline_html(thread)) for _ in range(runs))
    page.close()
    return ms
