"""Memory after many operations: a widget's memory follows its thread, not its history.

    python benchmarks/memory.py                  # 1,000,000 operations per storage (long)
    python benchmarks/memory.py --ops 20000      # a quick look
    python benchmarks/memory.py --storage memory # one storage: memory, autosave or shared
    python benchmarks/memory.py --smoke          # 2,000 operations: it runs

One widget per storage (memory: ``ThreadWidget(thread=...)``; autosave: ``autosave=`` an SQLite
file; shared: ``ThreadWidget.connect`` to an SQLite store) applies likes, unlikes and edits (a
like, its unlike and two edits, comment after comment) to a 200-comment thread; the table shows
the Python heap (tracemalloc) after each checkpoint next to the baseline measured in the same
run: the heap after the first 10,000 operations. The SQLite files skip fsync (memory, not the
disk, is measured).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from threadwidget import ThreadWidget  # noqa: E402
from threadwidget.analysis import synthetic  # noqa: E402
from threadwidget.stores import SQLiteStore  # noqa: E402


class _Unsynced(SQLiteStore):
    """The store without fsync: the benchmark measures memory, not the disk."""

    def _connect(self) -> Any:
        conn = super()._connect()
        conn.execute("PRAGMA synchronous=OFF")
        return conn


def _widget(kind: str, folder: Path) -> tuple[ThreadWidget, list[Any]]:
    """A widget on ``kind`` of storage, and what to close after it."""
    thread = synthetic.thread(200, seed=3)
    if kind == "memory":
        return ThreadWidget(thread=thread, user="bench"), []
    if kind == "autosave":
        w = ThreadWidget(thread=thread, autosave=folder / "autosave.db", user="bench")
        w.engine.storage.store._conn.execute("PRAGMA synchronous=OFF")  # type: ignore[attr-defined]
        return w, []
    store = _Unsynced(folder / "shared.db")
    store.create_thread("t", thread)
    return ThreadWidget.connect(store, "t", user="bench"), [store]


def run(kind: str, ops: int) -> list[tuple[int, float, float]]:
    folder = Path(tempfile.mkdtemp(prefix="tw-memory-"))
    w, extra = _widget(kind, folder)
    w.send = lambda content, buffers=None: None  # type: ignore[method-assign]  # no views
    ids = [c.id for c in w.comments]
    checkpoints = sorted({min(10_000, ops), ops // 10, ops // 2, ops} - {0}, key=int)
    tracemalloc.start()
    rows: list[tuple[int, float, float]] = []
    start = time.perf_counter()
    n = 0
    while n < ops:
        target = ids[(n // 4) % len(ids)]
        liker = f"u{n % 97}"
        w.like(target, user=liker)
        w.unlike(target, user=liker)
        w.edit_comment(target, f"edit {n}")
        w.edit_comment(target, f"edit {n + 1}")
        n += 4
        if any(n - 4 < c <= n for c in checkpoints):
            gc.collect()
            rows.append((n, tracemalloc.get_traced_memory()[0] / 1e6, time.perf_counter() - start))
    tracemalloc.stop()
    assert w.seq == n, (w.seq, n)
    w.close()
    for item in extra:
        item.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--storage", choices=("memory", "autosave", "shared", "all"), default="all")
    parser.add_argument("--smoke", action="store_true", help="2,000 operations: it runs")
    args = parser.parse_args()
    if args.smoke:
        args.ops = 2_000
    kinds = ("memory", "autosave", "shared") if args.storage == "all" else (args.storage,)
    print("memory after N operations on one widget (200 comments; baseline: after 10,000)")
    print(f"{'storage':>9} {'operations':>12} {'heap MB':>9} {'vs 10,000 ops':>14} {'seconds':>9}")
    for kind in kinds:
        rows = run(kind, args.ops)
        base = next(heap for n, heap, _ in rows if n >= min(10_000, args.ops))
        for n, heap, seconds in rows:
            print(
                f"{kind:>9} {n:>12,} {heap:>9.1f} {heap / base:>13.2f}x {seconds:>9.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
