"""threadwidget benchmarks: one table, sizes as rows, every figure next to its baseline.

    python benchmarks/run.py                 # 100, 1,000 and 10,000 comments (a few minutes)
    python benchmarks/run.py --sizes 100     # the smoke run the test suite uses

Machines here are noisy, so every figure is compared with a baseline measured in the same run:
Python's per-operation cost with the cost at 100 comments, loading with json.loads + plain
pydantic, wire bytes with a naive whole-thread resend, browser paint with static nested HTML
(Hacker News style) and with the widget at 100 comments, and the JupyterLab round trip of a reply
with a bare custom-message round trip.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from chromium import launch  # noqa: E402

from page import STATIC, baseline_ms, widget_page  # noqa: E402
from threadwidget import ThreadWidget  # noqa: E402
from threadwidget.analysis import synthetic  # noqa: E402
from threadwidget.core import operations, rules  # noqa: E402
from threadwidget.core.models import Thread, thread_from_json  # noqa: E402

#: Memory figures need precise heap numbers and a way to collect garbage first.
BENCH_ARGS = ("--enable-precise-memory-info", "--js-flags=--expose-gc")


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Fastest of ``repeat`` runs, in seconds (the least disturbed by the noisy machine)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


# ---- Python --------------------------------------------------------------------------------


def python_apply_us(thread: Thread, count: int = 3000) -> float:
    """Median microseconds to check and commit one operation (add, edit, like, unlike, delete)."""
    state = rules.ThreadState.from_thread(thread)
    rng = random.Random(7)
    ids = list(state.comments)
    ctx = rules.Context(actor="bench", trusted=True)
    timings = []
    for i in range(count):
        target = ids[rng.randrange(len(ids))]
        kind = i % 5
        op: operations.Operation
        if kind == 0:
            op = operations.AddComment(id=f"b{i}", parent_id=target, body="benchmark reply")
        elif kind == 1:
            op = operations.EditComment(id=f"b{i - 1}", body="benchmark edit")
        elif kind == 2:
            op = operations.Like(id=f"b{i - 2}")
        elif kind == 3:
            op = operations.Unlike(id=f"b{i - 3}")
        else:
            op = operations.DeleteComment(id=f"b{i - 4}")
        start = time.perf_counter()
        rules.apply(state, op, ctx)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1e6


class _PlainComment(BaseModel):
    id: str
    parent_id: str | None
    author: str
    body: str
    created_at: datetime
    edited_at: datetime | None
    status: str
    likes: int
    liked_by: list[str]


class _PlainPost(BaseModel):
    id: str
    title: str
    author: str
    body: str
    created_at: datetime
    url: str | None
    image: dict[str, Any] | None


class _PlainThread(BaseModel):
    version: int
    post: _PlainPost
    comments: list[_PlainComment]


def load_times(thread: Thread) -> tuple[float, float]:
    """(threadwidget's validated load as ``threadwidget.load`` parses a file, json.loads + plain
    pydantic) in seconds."""
    text = thread.model_dump_json()
    ours = best_of(lambda: thread_from_json(text))
    plain = best_of(lambda: _PlainThread.model_validate(json.loads(text)))
    return ours, plain


def wire_bytes(thread: Thread) -> dict[str, float]:
    """Bytes on the wire for one operation of each kind, against a whole-thread resend."""
    widget = ThreadWidget(thread=thread, user="bench")
    sent: list[dict[str, Any]] = []
    widget.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    target = thread.comments[len(thread.comments) // 2].id
    requests = [
        {"type": "add", "id": "bench-new", "parent_id": target, "body": "An ordinary reply."},
        {"type": "edit", "id": "bench-new", "body": "A reply of ordinary length, edited."},
        {"type": "like", "id": target},
        {"type": "delete", "id": "bench-new"},
    ]
    up, down = [], []
    for index, op in enumerate(requests):
        message = {"kind": "op", "rid": f"bench-{index}", "op": op}
        up.append(len(json.dumps(message, separators=(",", ":"))))
        sent.clear()
        widget._on_custom_message(widget, message, [])
        assert sent and sent[0]["kind"] == "event", sent
        down.append(sum(len(json.dumps(m, separators=(",", ":"))) for m in sent))
    widget.close()
    naive = len(json.dumps([c.model_dump(mode="json") for c in thread.comments]))
    return {"down": max(down), "up": max(up), "naive": naive}


# ---- browser -------------------------------------------------------------------------------

RENDER_JS = """
async (expected) => {
  const b = window.twBench;
  const root = document.getElementById('root');
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  b.longTasks.length = 0;
  const t0 = performance.now();
  b.widget.initialize?.({ model: b.model });
  b.widget.render({ model: b.model, el: root });
  const sync = b.sent.find((m) => m.kind === 'sync');
  b.deliver({ kind: 'catchup', to: sync.client, rid: sync.rid, epoch: 'bench', events: [],
              done: true });
  await frame();
  const paint = performance.now() - t0;
  const first = root.querySelector('[data-comment-id]');
  const firstOnScreen = !!first && first.getBoundingClientRect().top < innerHeight;
  // "all shown": the view has built everything it builds up front (.tw-root[data-state=idle]);
  // replies behind "Show N more replies" / "Continue this thread" are not built until asked for.
  const view = () => root.querySelector('.tw-root');
  while (!view() || view().dataset.state !== 'idle') {
    await new Promise((r) => requestAnimationFrame(r));
    if (performance.now() - t0 > 120000) break;
  }
  const full = performance.now() - t0;
  const idle = !!view() && view().dataset.state === 'idle';
  await frame();
  if (window.gc) window.gc();
  return { paint, full, idle, expected, firstOnScreen, longest: Math.max(0, ...b.longTasks),
           rendered: root.querySelectorAll('[data-comment-id]').length,
           heap: performance.memory ? performance.memory.usedJSHeapSize : 0 };
}
"""

#: The id of a comment drawn in the page, from the middle of those drawn.
DRAWN_JS = """
() => {
  const ids = [...document.querySelectorAll('#root [data-comment-id]')]
    .filter((e) => e.querySelector('[data-role="likes"]'))
    .map((e) => e.dataset.commentId);
  return ids[Math.floor(ids.length / 2)];
}
"""

APPLY_JS = """
async ({ target, n }) => {
  const b = window.twBench;
  const root = document.getElementById('root');
  const times = [];
  for (let i = 1; i <= n; i++) {
    const event = i % 2
      ? { type: 'like', id: target, user: 'u' + i, likes: 1000 + i, actor: 'u' + i,
          at: new Date().toISOString() }
      : { type: 'edit', id: target, body: 'edited remotely, round ' + i,
          edited_at: new Date().toISOString(), actor: 'x', at: new Date().toISOString() };
    const t0 = performance.now();
    b.deliver({ kind: 'event', epoch: 'bench', seq: i, rid: null, event });
    void root.offsetHeight;  // include style and layout
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 0));
  }
  times.sort((a, c) => a - c);
  const likes = root.querySelector(`[data-comment-id="${target}"] [data-role="likes"]`);
  return { median: times[Math.floor(times.length / 2)], shown: likes ? likes.textContent : '' };
}
"""

SORT_JS = """
async () => {
  const b = window.twBench;
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const t0 = performance.now();
  b.model.set('sort', 'top');
  await frame();
  return performance.now() - t0;
}
"""

COLLAPSE_JS = """
async () => {
  const root = document.getElementById('root');
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const tops = [...root.querySelectorAll('[data-role="tree"] > [data-comment-id]')];
  let best = tops[0], most = -1;
  for (const li of tops) {
    const k = li.querySelectorAll('[data-comment-id]').length;
    if (k > most) { most = k; best = li; }
  }
  const button = [...best.querySelectorAll('button[data-action="collapse"]')]
    .find((x) => x.closest('[data-comment-id]') === best);
  const t0 = performance.now();
  button.click();
  await frame();
  const collapse = performance.now() - t0;
  const t1 = performance.now();
  button.click();
  await frame();
  return { collapse, expand: performance.now() - t1, hidden: most };
}
"""


def browser_figures(context: Any, thread: Thread, tmp: Path) -> dict[str, float]:
    """Render, update, sort, collapse and memory figures for one thread, plus the baseline."""
    shown = sum(1 for c in thread.comments if c.status == "visible")
    page_file = tmp / f"widget-{len(thread.comments)}.html"
    page_file.write_text(widget_page(thread), encoding="utf-8")
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page_file.as_uri())
    page.wait_for_function("() => window.twBench && window.twBench.ready", timeout=60_000)
    rendered = page.evaluate(RENDER_JS, shown)
    if not rendered["idle"] or rendered["rendered"] == 0:
        raise RuntimeError(f"the view did not finish building: {rendered}")
    # a comment drawn on the page: above 1,000 top-level threads the tree is windowed, and a
    # comment far from the screen has no node to update (the event still lands in the mirror)
    target = page.evaluate(DRAWN_JS)
    applied = page.evaluate(APPLY_JS, {"target": target, "n": 40})
    if "1039" not in applied["shown"]:
        raise RuntimeError(f"a remote like did not show: {applied}")
    collapse = page.evaluate(COLLAPSE_JS)
    sort_ms = page.evaluate(SORT_JS)
    page.close()

    static_ms = baseline_ms(context, thread, tmp, runs=2)
    return {
        "paint": rendered["paint"],
        "full": rendered["full"],
        "first_on_screen": rendered["firstOnScreen"],
        "longest": rendered["longest"],
        "heap_mb": rendered["heap"] / 2**20,
        "apply": applied["median"],
        "sort": sort_ms,
        "collapse": collapse["collapse"],
        "expand": collapse["expand"],
        "static": static_ms,
    }


def bundle_sizes() -> dict[str, Any]:
    """The bundle's raw and gzipped size, and what each dependency contributes (minified)."""
    js = (STATIC / "widget.js").read_bytes()
    meta_file = Path(tempfile.mkdtemp()) / "meta.json"
    subprocess.run(
        [
            "npx",
            "esbuild",
            "js/src/widget.ts",
            "--bundle",
            "--format=esm",
            "--minify",
            "--target=es2022",
            f"--metafile={meta_file}",
            f"--outfile={meta_file.with_suffix('.js')}",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    meta = json.loads(meta_file.read_text())
    shares: dict[str, int] = {}
    for output in meta["outputs"].values():
        for source, info in output.get("inputs", {}).items():
            name = (
                source.split("node_modules/")[1].split("/")[0]
                if "node_modules/" in source
                else "threadwidget (js/src)"
            )
            shares[name] = shares.get(name, 0) + info["bytesInOutput"]
    return {"raw": len(js), "gzip": len(gzip.compress(js, 9)), "shares": shares}


# ---- JupyterLab round trip -----------------------------------------------------------------


def jupyterlab_round_trip(context: Any, size: int) -> dict[str, float]:
    """Median ms for a reply to be confirmed in JupyterLab, against a bare custom-message echo."""
    from harness import Notebook
    from labserver import start_server, stop_server

    server = start_server()
    try:
        cells = [
            f"""
            import anywidget, traitlets, sys
            sys.path.insert(0, {str(ROOT / "src")!r})
            from threadwidget import ThreadWidget
            from threadwidget.analysis import synthetic
            class Echo(anywidget.AnyWidget):
                _esm = '''export default {{ render({{ model, el }}) {{
                  el.className = 'tw-echo';
                  model.on('msg:custom', (m) => {{ window.__twEcho?.(m); }});
                  window.__twEchoSend = (m) => model.send(m);
                }} }}'''
                def __init__(self):
                    super().__init__()
                    self.on_msg(lambda w, content, buffers: self.send(content))
            echo = Echo()
            # newest first: the reply is drawn at the top (a windowed tree draws no far end)
            w = ThreadWidget(thread=synthetic.thread({size}, seed=1), user="bench", sort="newest")
            display(echo)
            display(w)
            """
        ]
        with Notebook(server, context, cells, name=f"bench-{size}.ipynb") as nb:
            nb.run_all()
            nb.page.wait_for_selector(".tw-echo", state="attached")
            nb.page.wait_for_selector(".tw-root [data-comment-id]", timeout=120_000)
            # a long thread paints its first screen first; the composer comes with the whole thread
            nb.page.wait_for_selector(
                '.tw-root[data-complete="true"] [data-role="new-comment"] textarea',
                state="attached",
                timeout=600_000,
            )
            echo = nb.page.evaluate(
                """async (n) => {
                  const times = [];
                  for (let i = 0; i < n; i++) {
                    const t0 = performance.now();
                    await new Promise((resolve) => {
                      window.__twEcho = (m) => { if (m.i === i) resolve(); };
                      window.__twEchoSend({ i });
                    });
                    times.push(performance.now() - t0);
                  }
                  times.sort((a, b) => a - b);
                  return times[Math.floor(n / 2)];
                }""",
                15,
            )
            reply = nb.page.evaluate(
                """async (n) => {
                  const root = document.querySelector('.tw-root');
                  const box = root.querySelector('[data-role="new-comment"] textarea');
                  const times = [];
                  for (let i = 0; i < n; i++) {
                    const text = 'round trip ' + i + ' ' + Math.random();
                    box.value = text;
                    box.dispatchEvent(new Event('input', { bubbles: true }));
                    const t0 = performance.now();
                    box.dispatchEvent(new KeyboardEvent('keydown',
                      { key: 'Enter', ctrlKey: true, bubbles: true }));
                    // the own comment shows at once as pending; wait for the kernel's confirmation
                    const mine = root.querySelector('[data-pending="true"][data-comment-id]');
                    if (!mine) throw new Error('the reply did not show as pending');
                    await new Promise((resolve) => {
                      const check = () => {
                        if (mine.dataset.pending !== 'true') resolve();
                        else requestAnimationFrame(check);
                      };
                      check();
                    });
                    times.push(performance.now() - t0);
                    await new Promise((r) => setTimeout(r, 400));  // stay under the rate limit
                  }
                  times.sort((a, b) => a - b);
                  return times[Math.floor(n / 2)];
                }""",
                9,
            )
        return {"echo": echo, "reply": reply}
    finally:
        stop_server(server)


# ---- the table -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument(
        "--python-max",
        type=int,
        default=100_000,
        help="largest thread for the Python apply figure (default 100,000)",
    )
    parser.add_argument("--no-browser", action="store_true", help="Python figures only")
    parser.add_argument("--no-jupyter", action="store_true", help="skip the JupyterLab round trip")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--smoke", action="store_true", help="100 comments, Python up to 1,000: it runs"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.python_max = [100], 1000

    sizes = sorted(set(args.sizes))
    threads = {n: synthetic.thread(n, seed=1) for n in sizes}
    rows: dict[int, dict[str, Any]] = {n: {} for n in sizes}
    py_sizes = sorted(set(sizes) | ({args.python_max} if args.python_max else set()))
    for n in py_sizes:
        thread = threads.get(n) or synthetic.thread(n, seed=1)
        rows.setdefault(n, {})["apply_us"] = python_apply_us(thread)
        if n in threads:
            ours, plain = load_times(thread)
            rows[n].update(load_ms=ours * 1000, load_ratio=ours / plain, **wire_bytes(thread))

    extra: dict[str, Any] = {}
    if not args.no_browser:
        from playwright.sync_api import sync_playwright

        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
            context = launch(pw, str(Path(tmp) / "profile"), BENCH_ARGS)
            extra["chromium"] = context.browser.version if context.browser else "?"
            # warm up (JIT, fonts, Intl data) so the smallest size is a fair baseline
            browser_figures(context, synthetic.thread(50, seed=2), Path(tmp))
            for n in sizes:
                print(f"browser: {n:,} comments ...", file=sys.stderr, flush=True)
                rows[n].update(browser_figures(context, threads[n], Path(tmp)))
            if not args.no_jupyter:
                largest = max(sizes)
                print(f"JupyterLab round trip at {largest:,} ...", file=sys.stderr, flush=True)
                extra["round_trip"] = {"size": largest, **jupyterlab_round_trip(context, largest)}
            context.close()
        extra["bundle"] = bundle_sizes()

    print_table(rows, sizes, extra)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, **extra}, indent=2, default=str))
    return 0


def print_table(rows: dict[int, dict[str, Any]], sizes: list[int], extra: dict[str, Any]) -> None:
    """The one table (Markdown, so it pastes into the README) and the machine it ran on."""
    base = rows[min(rows)]
    print(
        f"\nthreadwidget benchmarks, {datetime.now():%Y-%m-%d %H:%M}, "
        f"{platform.machine()} x{os.cpu_count()}, Python {platform.python_version()}, "
        f"Chromium {extra.get('chromium', '-')}\n"
    )
    head = ["comments", "py apply µs", "x@100", "load ms", "÷plain"]
    if "down" in base:
        head += ["wire B/op k→b", "b→k", "naive resend B", "saving x"]
    if "paint" in rows[sizes[0]]:
        head += [
            "first paint ms",
            "x@100",
            "÷static",
            "static ms",
            "all shown ms",
            "longest task ms",
            "apply ms",
            "x@100",
            "sort ms",
            "collapse ms",
            "heap MB",
        ]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    first = rows[sizes[0]]
    for n in sorted(rows):
        r = rows[n]
        cells = [f"{n:,}", f"{r['apply_us']:.1f}", f"{r['apply_us'] / base['apply_us']:.2f}"]
        if "load_ms" in r:
            cells += [f"{r['load_ms']:.1f}", f"{r['load_ratio']:.2f}"]
        else:
            cells += ["-", "-"]
        if "down" in head[5:6] or "wire B/op k→b" in head:
            if "down" in r:
                cells += [
                    f"{r['down']:,}",
                    f"{r['up']:,}",
                    f"{r['naive']:,}",
                    f"{r['naive'] / r['down']:,.0f}",
                ]
            else:
                cells += ["-"] * 4
        if "first paint ms" in head:
            if "paint" in r:
                cells += [
                    f"{r['paint']:.0f}",
                    f"{r['paint'] / first['paint']:.2f}",
                    f"{r['paint'] / r['static']:.2f}",
                    f"{r['static']:.0f}",
                    f"{r['full']:.0f}",
                    f"{r['longest']:.0f}",
                    f"{r['apply']:.2f}",
                    f"{r['apply'] / first['apply']:.2f}",
                    f"{r['sort']:.0f}",
                    f"{r['collapse']:.0f}",
                    f"{r['heap_mb']:.0f}",
                ]
            else:
                cells += ["-"] * 11
        print("| " + " | ".join(cells) + " |")
    if "round_trip" in extra:
        rt = extra["round_trip"]
        print(
            f"\nJupyterLab round trip at {rt['size']:,} comments: reply confirmed in "
            f"{rt['reply']:.0f} ms, bare custom-message echo {rt['echo']:.0f} ms "
            f"(x{rt['reply'] / rt['echo']:.2f})"
        )
    if "bundle" in extra:
        b = extra["bundle"]
        parts = ", ".join(
            f"{k} {v / 1024:.1f} KB" for k, v in sorted(b["shares"].items(), key=lambda kv: -kv[1])
        )
        print(
            f"bundle: {b['raw'] / 1024:.1f} KB minified, {b['gzip'] / 1024:.1f} KB gzipped "
            f"(minified shares: {parts})"
        )


if __name__ == "__main__":
    sys.exit(main())
