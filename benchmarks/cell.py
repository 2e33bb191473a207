"""From running the cell: what a user waits for in JupyterLab, 100 comments against 100,000.

    python benchmarks/cell.py                      # 100 and 100,000 comments (several minutes)
    python benchmarks/cell.py --sizes 100 10000    # other sizes; the smallest is the baseline

One JupyterLab server and one headless Chromium for the whole run. Per size, a fresh notebook makes
a synthetic thread in a first cell (threadwidget.analysis.synthetic, not timed); then the display
cell ``ThreadWidget(thread=t, user="bench")`` is run and timed in the page from the moment it is
started until the first comment is painted (a frame after it is in the DOM), and until the whole
thread is in the page (the count shows every comment). Then: the page's JS heap after a garbage
collection (JupyterLab included, so compare with the smallest size), a sort change until the first
comment is repainted, the longest main-thread task (PerformanceObserver "longtask") while loading,
while sorting, while scrolling the notebook and while 1,000 remote likes arrive, and a static-HTML
baseline in the same browser (the same thread as nested HTML, one innerHTML).

Then every other path a user takes to a view, in the same notebook (a table row each): built in
one cell and shown in the next (started as soon as the first has finished), the same widget shown
again, build and show run by "Run All Below", the page reloaded with the kernel alive, the notebook
opened in a second tab, and the notebook closed and reopened with saved widget state and the
kernel alive (times from the navigation or the command to the first comment painted).
``--smoke`` runs every path at 20 and 200 comments (the test suite's check that none rots).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from chromium import launch  # noqa: E402
from harness import _FIND, _START_CELL_JS  # noqa: E402

from page import baseline_ms  # noqa: E402
from threadwidget.analysis import synthetic  # noqa: E402

BENCH_ARGS = ("--enable-precise-memory-info", "--js-flags=--expose-gc")

#: JS prelude: the views in the notebook ``path`` (never another notebook the page shows).
ROOTS = """
const rootsOf = (path) => {
  const shell = window.jupyterapp && window.jupyterapp.shell;
  for (const w of shell ? shell.widgets('main') : []) {
    if (w && w.context && w.context.path === path) return [...w.node.querySelectorAll('.tw-root')];
  }
  return [];
};
"""

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

#: Long animation frames from now on, with what ran in them (Chromium's LoAF attribution):
#: window.__twLoaf = [{start, duration, scripts: [{what, ms}]}]; "what" names the script's entry
#: point (an event handler, a callback, a promise) and the file and function it ran.
LOAF_JS = """
() => {
  window.__twLoaf = [];
  const kinds = PerformanceObserver.supportedEntryTypes;
  if (window.__twLoafObs || !kinds.includes('long-animation-frame')) return;
  window.__twLoafObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const scripts = (e.scripts || []).map((s) => ({
        what: `${s.invokerType}: ${s.invoker} `
          + `(${(s.sourceURL || '').split('/').pop().split('?')[0]}`
          + `${s.sourceFunctionName ? ' ' + s.sourceFunctionName : ''})`,
        ms: Math.round(s.duration),
      }));
      const layout = Math.round(e.duration - scripts.reduce((a, s) => a + s.ms, 0));
      window.__twLoaf.push({ start: e.startTime, duration: e.duration, scripts, layout });
    }
  });
  window.__twLoafObs.observe({ type: 'long-animation-frame', buffered: false });
}
"""

#: The longest frame since t0 and what ran in it (see LOAF_JS).
LONGEST_FRAME_JS = """
(t0) => {
  const frames = (window.__twLoaf || []).filter((e) => e.start >= t0);
  if (!frames.length) return null;
  const top = frames.reduce((a, b) => (b.duration > a.duration ? b : a));
  return { ms: Math.round(top.duration), at: Math.round(top.start - t0), layout: top.layout,
           scripts: top.scripts.sort((a, b) => b.ms - a.ms).slice(0, 5) };
}
"""

#: Every long frame between two times (see LOAF_JS), in order.
FRAMES_UNTIL_JS = """
([t0, t1]) => (window.__twLoaf || [])
  .filter((e) => e.start >= t0 && e.start <= t1)
  .map((e) => ({ ms: Math.round(e.duration), at: Math.round(e.start - t0), layout: e.layout,
                 scripts: e.scripts.sort((a, b) => b.ms - a.ms).slice(0, 3) }))
"""

LONGEST_SINCE_JS = """
(t0) => Math.max(0, ...window.__twLong.filter((e) => e.start >= t0).map((e) => e.duration))
"""

#: Start the display cell and time it: first comment painted, then everything in.
DISPLAY_JS = """
async ({start, args, total, timeout}) => {
  (ROOTS)
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const before = new Set(rootsOf(args.path));
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
    root = rootsOf(args.path).find((r) => !before.has(r)) || null;
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
  await until(() => root.querySelector(EDITABLE) !== null);
  return { t0, paint, all, drawn, editable: true };
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
async (path) => {
  (ROOTS)
  const root = rootsOf(path).at(-1);
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
async (path) => {
  (ROOTS)
  const root = rootsOf(path).at(-1);
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


#: Wait in a page (a new one, or one just reloaded) for the first view with a comment painted,
#: then for that view's whole thread; times from ``t0`` (default: the page's navigation start).
SHOWN_JS = """
async ({path, t0, total, timeout, skip}) => {
  (ROOTS)
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const start = t0 ?? 0;
  const old = new Set(skip ? rootsOf(path) : []);
  let root = null;
  const until = async (cond) => {
    for (;;) {
      if (cond()) return;
      if (performance.now() - start > timeout) throw new Error('timed out: ' + cond);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until(() => {
    root = rootsOf(path).find(
      (r) => !old.has(r) && r.querySelector('[data-comment-id] [data-role="body"]') !== null,
    ) || null;
    return root !== null;
  });
  await frame();
  const paint = performance.now() - start;
  const count = root.querySelector('[data-role="count"]');
  try {
    await until(() => count.textContent.replace(/[^0-9]/g, '') === String(total)
      && root.dataset.complete === 'true');
  } catch {
    // the first comment was painted; the whole thread did not come within the timeout
    return { paint, all: null, editable: false, paintAt: performance.timeOrigin + start + paint,
             allAt: null };
  }
  await frame();
  const all = performance.now() - start;
  let editable = true;
  try {
    await until(() => root.querySelector(EDITABLE) !== null);
  } catch {
    editable = false;
  }
  // wall-clock times too, for a page that navigated (a redirect) since it was asked for
  return { paint, all, editable, paintAt: performance.timeOrigin + start + paint,
           allAt: performance.timeOrigin + start + all };
}
"""

#: Insert cells after the last one and run them with JupyterLab's "Run All Below" (the way "Run
#: all" runs cells: one after the other, each once the previous one has finished).
RUN_BELOW_JS = (
    "({path, cells}) => {"
    + _FIND
    + """
  const panel = findPanel(path);
  app.shell.activateById(panel.id);
  const nb = panel.content;
  const sm = nb.model.sharedModel;
  const idx = sm.cells.length;
  cells.forEach((code, i) =>
    sm.insertCell(idx + i, {cell_type: 'code', source: code, metadata: {}}));
  nb.activeCellIndex = idx;
  nb.deselectAll();
  window.__twRunBelow = app.commands.execute('notebook:run-all-below');
  return performance.now();
}"""
)

CLOSE_JS = (
    "async ({path}) => {"
    + _FIND
    + """
  const panel = findPanel(path);
  await panel.context.save();
  panel.dispose();
  return true;
}"""
)

REOPEN_JS = """
async ({path, timeout}) => {
  (ROOTS)
  // the closed notebook's views gone first: the paint timed is the reopened notebook's
  const since = performance.now();
  while (rootsOf(path).length > 0) {
    if (performance.now() - since > timeout) throw new Error('the closed notebook stays open');
    await new Promise((r) => setTimeout(r, 10));
  }
  const t0 = performance.now();
  window.jupyterapp.commands.execute('docmanager:open', {path});
  return t0;
}
"""

#: A view the user can write in: its new-comment box is shown (a saved notebook's view is
#: read-only until the live kernel has answered it).
EDITABLE = '[data-role="new-comment"]:not([hidden]) textarea'
DISPLAY_JS, SORT_JS, SCROLL_JS, SHOWN_JS, REOPEN_JS = (
    js.replace("(ROOTS)", ROOTS).replace("EDITABLE", json.dumps(EDITABLE))
    for js in (DISPLAY_JS, SORT_JS, SCROLL_JS, SHOWN_JS, REOPEN_JS)
)

WIDGETS_PLUGIN = "@jupyter-widgets/jupyterlab-manager:plugin"
#: How long a path may take to bring the whole thread in (its "all in" is then left empty).
ALL_TIMEOUT_MS = 300_000

#: The paths a user takes to a view, in the order they are measured (one notebook per size).
PATHS = (
    ("one cell", "built and shown in one cell"),
    ("later cell", "built in one cell, shown in the next"),
    ("shown again", "the same widget shown again (a second view)"),
    ("run all", "build and show cells run by Run All (Below)"),
    ("reload", "the page reloaded, the kernel alive"),
    ("second tab", "the notebook opened in a second browser tab"),
    ("saved state", "reopened with saved widget state, the kernel alive"),
)


def _step(what: str) -> None:
    print(f"  {what} ...", file=sys.stderr, flush=True)


def _display(nb: Any, code: str, total: int) -> dict[str, float]:
    """Start a cell showing a view; time from its start to the first comment painted."""
    js = DISPLAY_JS.replace("(START)", "(" + _START_CELL_JS + ")")
    args = {"path": nb.name, "code": code}
    return nb.page.evaluate(  # type: ignore[no-any-return]
        js, {"start": None, "args": args, "total": total, "timeout": 600_000}
    )


def _shown(
    page: Any, path: str, total: int, t0: float | None = None, skip: bool = False
) -> dict[str, Any]:
    args = {"path": path, "t0": t0, "total": total, "timeout": ALL_TIMEOUT_MS, "skip": skip}
    return page.evaluate(SHOWN_JS, args)  # type: ignore[no-any-return]


def _loaded(page: Any, path: str, total: int, started: float) -> dict[str, float]:
    """A page navigating since ``started`` (``time.time()``): until its first comment is painted
    and until the whole thread is in, in ms of wall-clock time (JupyterLab may redirect)."""
    for _ in range(20):
        try:
            shown = _shown(page, path, total)
            break
        except Exception as error:
            if "context was destroyed" not in str(error):
                raise
    else:
        raise RuntimeError("the page kept navigating")
    all_at = shown["allAt"]
    return {
        "paint": shown["paintAt"] - started * 1000,
        "all": None if all_at is None else all_at - started * 1000,
        "editable": shown["editable"],
    }


def measure_paths(server: Any, context: Any, nb: Any, total: int) -> dict[str, dict[str, float]]:
    """Every path of :data:`PATHS` but the first (measured by :func:`measure`) in ``nb``."""
    out: dict[str, dict[str, float]] = {}
    nb.run('w2 = ThreadWidget(thread=t, user="bench")')
    _step("later cell")
    out["later cell"] = _display(nb, "w2", total)
    _step("shown again")
    out["shown again"] = _display(nb, "w2", total)
    t0 = nb.page.evaluate(
        RUN_BELOW_JS,
        {"path": nb.name, "cells": ['w3 = ThreadWidget(thread=t, user="bench")', "w3"]},
    )
    _step("run all")
    out["run all"] = _shown(nb.page, nb.name, total, t0, skip=True)
    nb.page.evaluate("() => window.__twRunBelow")
    # one widget in the notebook from here on (two views of w2), as at the smallest size
    nb.run("w.close()\nw3.close()")
    nb.save()
    started = time.time()
    nb.page.reload(wait_until="domcontentloaded")
    _step("reload")
    out["reload"] = _loaded(nb.page, nb.name, total, started)
    nb.wait_ready()
    tab = context.new_page()
    try:
        tab.bring_to_front()  # a background tab gets no animation frames
        started = time.time()
        tab.goto(nb.url, wait_until="domcontentloaded")
        _step("second tab")
        out["second tab"] = _loaded(tab, nb.name, total, started)
    finally:
        tab.close()
        nb.page.bring_to_front()
    plugin = f"/lab/api/settings/{WIDGETS_PLUGIN}"
    _status, before = server.api("GET", plugin)
    server.api("PUT", plugin, {"raw": json.dumps({"saveState": True})})
    try:
        nb.page.reload(wait_until="domcontentloaded")  # the page reads the setting when it loads
        nb.wait_ready()
        nb.page.evaluate(CLOSE_JS, {"path": nb.name})  # saved with the widget state
        nb.page.evaluate(LOAF_JS)
        t0 = nb.page.evaluate(REOPEN_JS, {"path": nb.name, "timeout": 60_000})
        _step("saved state")
        out["saved state"] = _shown(nb.page, nb.name, total, t0)
        # the long frames until the first comment was painted, and what ran in them
        out["saved state"]["frames"] = nb.page.evaluate(
            FRAMES_UNTIL_JS, [t0, t0 + out["saved state"]["paint"]]
        )
        nb.wait_ready()
    finally:
        server.api("PUT", plugin, {"raw": before.get("raw") or "{}"})
    return out


def measure(
    server: Any, context: Any, size: int, shot: Path | None = None, src: Path = ROOT / "src"
) -> dict[str, Any]:
    """One size: a fresh notebook, the thread made in a first cell, then every path timed."""
    from harness import Notebook

    setup = f"""
    import sys
    sys.path.insert(0, {str(src)!r})
    from threadwidget import ThreadWidget
    from threadwidget.analysis import synthetic
    t = synthetic.thread({size}, seed=1)
    """
    total = None
    # a workspace per size: JupyterLab restores the notebooks its workspace had open, and the
    # previous size's notebook (its kernel shut down, its saved views read-only) must not come back
    # in this page
    workspace = f"lab/workspaces/cell-{size}/tree"
    with Notebook(server, context, [setup], name=f"cell-{size}.ipynb", url_path=workspace) as nb:
        nb.run_all(timeout=600_000)
        total = int(nb.run("print(sum(1 for c in t.comments if c.status == 'visible'))").strip())
        nb.page.evaluate(OBSERVE_JS)
        nb.page.evaluate(LOAF_JS)
        shown = _display(nb, 'w = ThreadWidget(thread=t, user="bench")\nw', total)
        loading = nb.page.evaluate(LONGEST_SINCE_JS, shown["t0"])
        frame = nb.page.evaluate(LONGEST_FRAME_JS, shown["t0"])
        if shot is not None:
            nb.page.screenshot(path=str(shot / f"cell-{size}.png"))
        heap = nb.page.evaluate(HEAP_JS)
        t_sort = nb.page.evaluate("() => performance.now()")
        sort = nb.page.evaluate(SORT_JS, nb.name)
        sorting = nb.page.evaluate(LONGEST_SINCE_JS, t_sort)
        t_scroll = nb.page.evaluate(SCROLL_JS, nb.name)
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
        paths = {"one cell": {k: shown[k] for k in ("paint", "all", "editable")}}
        paths.update(measure_paths(server, context, nb, total))
        if shot is not None:
            nb.page.screenshot(path=str(shot / f"cell-{size}-paths.png"))
    return {
        "paint": shown["paint"],
        "all": shown["all"],
        "drawn": shown["drawn"],
        "heap_mb": heap / 2**20,
        "sort": sort["median"],
        "long_load": loading,
        "long_load_frame": frame,
        "long_sort": sorting,
        "long_scroll": scrolling,
        "long_burst": burst,
        "paths": paths,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--screenshots", type=Path, help="save a PNG of each page in this folder")
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="the threadwidget package to measure"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (20 and 200): it runs")
    args = parser.parse_args(argv)
    # a kill ends the run through its `finally`s: the server and the browser stop too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [20, 200] if args.smoke else sorted(set(args.sizes))

    from labserver import start_server, stop_server
    from playwright.sync_api import sync_playwright

    rows: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        context = launch(pw, str(Path(tmp) / "profile"), BENCH_ARGS)
        server = start_server()
        try:
            for n in sizes:
                print(f"from the cell: {n:,} comments ...", file=sys.stderr, flush=True)
                rows[n] = measure(server, context, n, args.screenshots, args.src.resolve())
                rows[n]["static"] = baseline_ms(context, synthetic.thread(n, seed=1), Path(tmp))
        finally:
            stop_server(server)
            context.close()
    print_table(rows)
    print_paths(rows)
    print_frames(rows)
    print_saved_frames(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


def print_table(rows: dict[int, dict[str, Any]]) -> None:
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


def print_frames(rows: dict[int, dict[str, Any]]) -> None:
    """What ran in the longest frame while each size loaded (Long Animation Frames)."""
    print("\nThe longest frame while loading (one cell), and what ran in it:")
    for n, r in sorted(rows.items()):
        frame = r.get("long_load_frame")
        if not frame:
            print(f"- {n:,}: no long animation frame recorded")
            continue
        scripts = "; ".join(f"{s['what']} {s['ms']} ms" for s in frame["scripts"]) or "no script"
        print(
            f"- {n:,}: {frame['ms']} ms at {frame['at']} ms after the cell started: {scripts}; "
            f"style, layout and the rest {frame['layout']} ms"
        )


def print_saved_frames(rows: dict[int, dict[str, Any]]) -> None:
    """The long frames of the saved-state path until its first comment was painted."""
    print("\nReopened with saved widget state: the long frames until the first comment painted:")
    for n, r in sorted(rows.items()):
        frames = r["paths"]["saved state"].get("frames") or []
        total = sum(f["ms"] for f in frames)
        print(f"- {n:,}: {len(frames)} frames, {total} ms in all")
        for f in frames:
            scripts = "; ".join(f"{s['what']} {s['ms']} ms" for s in f["scripts"]) or "no script"
            print(f"  - {f['ms']} ms at {f['at']} ms: {scripts}; style, layout: {f['layout']} ms")


def print_paths(rows: dict[int, dict[str, Any]]) -> None:
    """One row per path: first comment painted at the smallest and the largest size, the ratio,
    and when the whole thread was in at the largest."""
    small, large = min(rows), max(rows)
    print(
        f"\n| path | first comment painted ms, {small:,} | {large:,} | ratio "
        f"| whole thread in ms, {large:,} |"
    )
    print("|---|---|---|---|---|")
    for key, label in PATHS:
        a, b = rows[small]["paths"][key], rows[large]["paths"][key]
        whole = "-" if b["all"] is None else f"{b['all']:.0f}"
        print(
            f"| {label} | {a['paint']:.0f} | {b['paint']:.0f} | {b['paint'] / a['paint']:.2f}x "
            f"| {whole} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
