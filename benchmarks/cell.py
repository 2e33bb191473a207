"""From running the cell: what a user waits for in JupyterLab, 100 comments against 100,000.

    python benchmarks/cell.py                      # 100 and 100,000 comments (several minutes)
    python benchmarks/cell.py --sizes 100 10000    # other sizes; the smallest is the baseline

One JupyterLab server and one headless Chromium for the whole run. Per size, a fresh notebook
makes a synthetic thread in a first cell (threadwidget.analysis.synthetic, not timed); then the
display
cell ``ThreadWidget(thread=t, user="bench")`` is run and timed in the page from the moment it is
started until the first comment is painted (a frame after it is in the DOM), and until the whole
thread is in the page (the count shows every comment). Then: the page's JS heap after a garbage
collection (JupyterLab included, so compare with the smallest size), a sort change until the
first comment is repainted, the longest main-thread task (PerformanceObserver "longtask") while
loading, while sorting, while scrolling the notebook and while 1,000 remote likes arrive, and a
static-HTML baseline in the same browser (the same thread as nested HTML, one innerHTML).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from chromium import launch  # noqa: E402

from page import baseline_ms  # noqa: E402
from threadwidget.analysis import synthetic  # noqa: E402

BENCH_ARGS = ("--enable-precise-memory-info", "--js-flags=--expose-gc")

#: Watches long tasks from now on: window.__twLong = [{start, duration}, ...].
OBSERVE_JS = """
() => {
  window.__twLong = [];
  if (!window.__twObs) {
    window.__twObs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__twLong.push({ start: e.startTime, duration: e.duration });
      }
    });
    window.__twObs.observe({ type: 'longtask', buffered: false });
  }
}
"""

LONGEST_SINCE_JS = """
(t0) => Math.max(0, ...window.__twLong.filter((e) => e.start >= t0).map((e) => e.duration))
"""

#: Start the display cell and time it: first comment painted, then everything in.
DISPLAY_JS = """
async ({start, args, total, timeout}) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const before = new Set(document.querySelectorAll('.tw-root'));
  const t0 = performance.now();
  (START)(args);
  let root = null;
  const until = async (cond) => {
    for (;;) {
      if (cond()) return performance.now();
      if (performance.now() - t0 > timeout) throw new Error('timed out: ' + cond);
      await new Promise((r) => requestAnimationFrame(r));
    }
  };
  await until(() => {
    root = [...document.querySelectorAll('.tw-root')].find((r) => !before.has(r)) || null;
    return root !== null && root.querySelector('[data-comment-id] [data-role="body"]') !== null;
  });
  await frame();
  const paint = performance.now() - t0;
  const count = root.querySelector('[data-role="count"]');
  await until(() => count.textContent.replace(/[^0-9]/g, '') === String(total)
    && root.dataset.state === 'idle' && root.dataset.complete === 'true');
  await frame();
  const all = performance.now() - t0;
  const drawn = root.querySelectorAll('[data-comment-id]').length;
  return { t0, paint, all, drawn };
}
"""

HEAP_JS = """
async () => {
  for (let i = 0; i < 3; i++) {
    if (window.gc) window.gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.memory ? performance.memory.usedJSHeapSize : 0;
}
"""

SORT_JS = """
async () => {
  const root = [...document.querySelectorAll('.tw-root')].at(-1);
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const sel = root.querySelector('select[data-role="sort"]');
  const times = [];
  for (const s of ['top', 'newest', 'oldest']) {
    const t0 = performance.now();
    sel.value = s;
    sel.dispatchEvent(new Event('change', { bubbles: true }));
    await frame();
    if (!root.querySelector('.tw-tree > [data-comment-id]')) throw new Error('nothing drawn');
    times.push(performance.now() - t0);
  }
  return { t0: 0, median: times.sort((a, b) => a - b)[1] };
}
"""

SCROLL_JS = """
async () => {
  const root = [...document.querySelectorAll('.tw-root')].at(-1);
  let el = root.parentElement;
  const scrolls = (e) => e.scrollHeight > e.clientHeight + 10
    && getComputedStyle(e).overflowY !== 'visible';
  while (el && !scrolls(el)) el = el.parentElement;
  if (!el) return 0;
  const t0 = performance.now();
  for (let i = 0; i < 40; i++) {
    el.scrollTop += 700;
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  }
  return t0;
}
"""


def measure(server: Any, context: Any, size: int, shot: Path | None = None) -> dict[str, float]:
    """One size: a fresh notebook, the thread made in a first cell, the display cell timed."""
    from harness import _START_CELL_JS, Notebook

    setup = f"""
    import sys
    sys.path.insert(0, {str(ROOT / "src")!r})
    from threadwidget import ThreadWidget
    from threadwidget.analysis import synthetic
    t = synthetic.thread({size}, seed=1)
    """
    total = None
    with Notebook(server, context, [setup], name=f"cell-{size}.ipynb") as nb:
        nb.run_all()
        total = int(nb.run("print(sum(1 for c in t.comments if c.status == 'visible'))").strip())
        nb.page.evaluate(OBSERVE_JS)
        js = DISPLAY_JS.replace("(START)", "(" + _START_CELL_JS + ")")
        shown = nb.page.evaluate(
            js,
            {
                "start": None,
                "args": {"path": nb.name, "code": 'w = ThreadWidget(thread=t, user="bench")\nw'},
                "total": total,
                "timeout": 600_000,
            },
        )
        loading = nb.page.evaluate(LONGEST_SINCE_JS, shown["t0"])
        if shot is not None:
            nb.page.screenshot(path=str(shot / f"cell-{size}.png"))
        heap = nb.page.evaluate(HEAP_JS)
        t_sort = nb.page.evaluate("() => performance.now()")
        sort = nb.page.evaluate(SORT_JS)
        sorting = nb.page.evaluate(LONGEST_SINCE_JS, t_sort)
        t_scroll = nb.page.evaluate(SCROLL_JS)
        scrolling = nb.page.evaluate(LONGEST_SINCE_JS, t_scroll) if t_scroll else 0.0
        t_burst = nb.page.evaluate("() => performance.now()")
        nb.run(
            """
            ids = [c.id for c in t.comments if c.status == "visible"][:1000]
            for i in ids:
                w.like(i, user="burst")
            """
        )
        nb.page.wait_for_timeout(1500)
        burst = nb.page.evaluate(LONGEST_SINCE_JS, t_burst)
    return {
        "paint": shown["paint"],
        "all": shown["all"],
        "drawn": shown["drawn"],
        "heap_mb": heap / 2**20,
        "sort": sort["median"],
        "long_load": loading,
        "long_sort": sorting,
        "long_scroll": scrolling,
        "long_burst": burst,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--screenshots", type=Path, help="save a PNG of each page in this folder")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes))

    from labserver import start_server, stop_server
    from playwright.sync_api import sync_playwright

    rows: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        context = launch(pw, str(Path(tmp) / "profile"), BENCH_ARGS)
        server = start_server()
        try:
            for n in sizes:
                print(f"from the cell: {n:,} comments ...", file=sys.stderr, flush=True)
                rows[n] = measure(server, context, n, args.screenshots)
                rows[n]["static"] = baseline_ms(context, synthetic.thread(n, seed=1), Path(tmp))
        finally:
            stop_server(server)
            context.close()
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


def print_table(rows: dict[int, dict[str, float]]) -> None:
    base = rows[min(rows)]
    print(
        "\n| comments | first comment painted ms | x@smallest | static HTML ms | ÷static "
        "| all in ms | drawn nodes | heap MB | +MB | sort repaint ms | x@smallest "
        "| longest task ms: load / sort / scroll / 1,000 remote likes |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, r in sorted(rows.items()):
        print(
            f"| {n:,} | {r['paint']:.0f} | {r['paint'] / base['paint']:.2f} | {r['static']:.0f} "
            f"| {r['paint'] / r['static']:.2f} | {r['all']:.0f} | {r['drawn']:,.0f} "
            f"| {r['heap_mb']:.0f} | {r['heap_mb'] - base['heap_mb']:+.0f} | {r['sort']:.0f} "
            f"| {r['sort'] / base['sort']:.2f} | {r['long_load']:.0f} / {r['long_sort']:.0f} / "
            f"{r['long_scroll']:.0f} / {r['long_burst']:.0f} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
