"""The interaction log's overhead (docs/studies.md): scrolling a windowed tree with the log off
(the baseline, same run) and on: frame times while scrolling, long tasks, and the bytes per
second the log sends to the kernel.

    python benchmarks/interactions.py            # 2,000 and 10,000 top-level comments
    python benchmarks/interactions.py --smoke    # 1,200 (windowed), a short scroll: it runs
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from chromium import launch  # noqa: E402

from page import widget_page  # noqa: E402
from threadwidget.analysis import synthetic  # noqa: E402
from threadwidget.core.study import INTERACTION_BYTES_PER_SECOND  # noqa: E402

#: Render (the log on or off), scroll the window by ``px`` per frame for ``steps`` frames with
#: pauses (a reader), wait for the log's last batch, and report.
SCROLL_JS = """
async ({ on, steps, px, pauseEvery }) => {
  const b = window.twBench;
  const root = document.getElementById('root');
  b.values.log_interactions = on;
  b.widget.initialize?.({ model: b.model });
  b.widget.render({ model: b.model, el: root });
  const sync = b.sent.find((m) => m.kind === 'sync');
  b.deliver({ kind: 'catchup', to: sync.client, rid: sync.rid, epoch: 'bench', events: [],
              done: true });
  const view = () => root.querySelector('.tw-root');
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  while (!view() || view().dataset.state !== 'idle') await frame();
  await new Promise((r) => setTimeout(r, 300));
  b.longTasks.length = 0;
  const frames = [];
  const t0 = performance.now();
  let last = t0;
  for (let i = 0; i < steps; i++) {
    window.scrollBy(0, px);
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    frames.push(now - last);
    last = now;
    if (pauseEvery && i % pauseEvery === pauseEvery - 1) {
      await new Promise((r) => setTimeout(r, 700));  // reading
      last = performance.now();
    }
  }
  window.scrollTo(0, 0);
  await new Promise((r) => setTimeout(r, 2500));  // the next batch leaves
  const elapsed = (performance.now() - t0) / 1000;
  const batches = b.sent.filter((m) => m.kind === 'interactions');
  const rows = batches.flatMap((m) => m.rows);
  return { frames, elapsed, longest: Math.max(0, ...b.longTasks),
           bytes: batches.reduce((n, m) => n + JSON.stringify(m).length, 0),
           rows: rows.length, seen: rows.filter((r) => r.k === 'seen').map((r) => r.id),
           windowed: root.querySelectorAll('[data-comment-id]').length };
}
"""


def _run(context: Any, html: Path, on: bool, steps: int) -> dict[str, Any]:
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(html.as_uri())
    page.wait_for_function("() => window.twBench && window.twBench.ready", timeout=60_000)
    out: dict[str, Any] = page.evaluate(
        SCROLL_JS, {"on": on, "steps": steps, "px": 120, "pauseEvery": 20}
    )
    page.close()
    frames = sorted(out["frames"])
    out["median"] = statistics.median(frames)
    out["p95"] = frames[int(0.95 * (len(frames) - 1))]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--steps", type=int, default=300, help="scroll frames per run")
    parser.add_argument("--smoke", action="store_true", help="1,200 comments, 60 frames")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.steps = [1200], 60
    from playwright.sync_api import sync_playwright

    figures: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        context = launch(pw, str(Path(tmp) / "profile"))
        for n in args.sizes:
            thread = synthetic.thread(n, seed=1, max_depth=0)  # all top level: windowed
            html = Path(tmp) / f"tree-{n}.html"
            html.write_text(widget_page(thread), encoding="utf-8")
            ids = {c.id for c in thread.comments}
            _run(context, html, False, 20)  # warm up
            off = _run(context, html, False, args.steps)
            on = _run(context, html, True, args.steps)
            if off["bytes"] != 0:
                raise RuntimeError("the log sent rows while it was off")
            if not on["seen"] or not set(on["seen"]) <= ids:
                raise RuntimeError(f"the log's seen rows do not name drawn comments: {on}")
            figures[n] = {
                "off_median": off["median"],
                "on_median": on["median"],
                "off_p95": off["p95"],
                "on_p95": on["p95"],
                "ratio_p95": on["p95"] / off["p95"],
                "longest_off": off["longest"],
                "longest_on": on["longest"],
                "rows": on["rows"],
                "bytes_per_s": on["bytes"] / on["elapsed"],
                "drawn": on["windowed"],
            }
        context.close()
    print(
        "| top-level comments | frame median off / on (ms) | frame p95 off / on (ms) | p95 ratio "
        "| longest task off / on (ms) | log rows "
        f"| log bytes/s (budget {INTERACTION_BYTES_PER_SECOND}) |"
    )
    print("|---|---|---|---|---|---|---|")
    for n, f in figures.items():
        print(
            f"| {n:,} ({f['drawn']} drawn) | {f['off_median']:.1f} / {f['on_median']:.1f} "
            f"| {f['off_p95']:.1f} / {f['on_p95']:.1f} | {f['ratio_p95']:.2f}x "
            f"| {f['longest_off']:.0f} / {f['longest_on']:.0f} | {f['rows']} "
            f"| {f['bytes_per_s']:.0f} |"
        )
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in figures.items()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
