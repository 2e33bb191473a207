"""Memory after many operations: a widget's memory follows its thread, not its history.

    python benchmarks/memory.py                  # 1,000,000 operations per storage (long)
    python benchmarks/memory.py --ops 20000      # a quick look
    python benchmarks/memory.py --storage memory # one storage: memory, autosave or shared
    python benchmarks/memory.py --smoke          # 2,000 operations: it runs
    python benchmarks/memory.py --measure rss    # resident memory, ~6x faster than the heap

One widget per storage (memory: ``ThreadWidget(thread=...)``; autosave: ``autosave=`` an SQLite
file; shared: ``ThreadWidget.connect`` to an SQLite store) applies likes, unlikes and edits (a
like, its unlike and two edits, comment after comment) to a 200-comment thread; the table shows
the Python heap (tracemalloc) after each checkpoint next to the baseline measured in the same
run: the heap after the first 10,000 operations. ``--measure rss`` shows the process's resident
memory instead (after a collection; Linux's /proc/self/statm): tracemalloc makes every operation
about six times slower, and growth with history shows in both. Changes go out unbatched (there
are no views: the batch timer's threads would be measured, not the storage). The SQLite files
skip fsync (memory, not the disk, is measured). Rows are printed as each checkpoint is reached.
"""

from __future__ import annotations

import argparse
import gc
import os
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


def _rss_mb() -> float:
    """The process's resident memory (MB)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def run(
    kind: str, ops: int, measure: str = "heap", report: Any = None
) -> list[tuple[int, float, float]]:
    """Rows (operations, MB, seconds) at each checkpoint; ``report(row)`` as each is reached."""
    folder = Path(tempfile.mkdtemp(prefix="tw-memory-"))
    w, extra = _widget(kind, folder)
    w.send = lambda content, buffers=None: None  # type: ignore[method-assign]  # no views
    w._outbox.window = 0  # each change sent (to no view) at once: no batch timer threads
    ids = [c.id for c in w.comments]
    checkpoints = sorted({min(10_000, ops), *(ops * k // 10 for k in range(1, 11))} - {0})
    if measure == "heap":
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
            mb = tracemalloc.get_traced_memory()[0] / 1e6 if measure == "heap" else _rss_mb()
            rows.append((n, mb, time.perf_counter() - start))
            if report is not None:
                report(rows[-1])
    if measure == "heap":
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
    parser.add_argument(
        "--measure", choices=("heap", "rss"), default="heap", help="tracemalloc heap or RSS"
    )
    args = parser.parse_args()
    if args.smoke:
        args.ops = 2_000
    kinds = ("memory", "autosave", "shared") if args.storage == "all" else (args.storage,)
    what = "heap MB" if args.measure == "heap" else "RSS MB"
    print(f"memory after N operations on one widget (200 comments; baseline: after 10,000; {what})")
    print(
        f"{'storage':>9} {'operations':>12} {what:>9} {'vs 10,000 ops':>14} {'+MB':>7}"
        f" {'seconds':>9}"
    )
    for kind in kinds:
        base: list[float] = []

        def report(
            row: tuple[int, float, float], kind: str = kind, base: list[float] = base
        ) -> None:
            n, mb, seconds = row
            if not base and n >= min(10_000, args.ops):
                base.append(mb)
            ratio, grew = (f"{mb / base[0]:.2f}x", f"{mb - base[0]:+.1f}") if base else ("-", "-")
            print(
                f"{kind:>9} {n:>12,} {mb:>9.1f} {ratio:>14} {grew:>7} {seconds:>9.0f}", flush=True
            )

        run(kind, args.ops, args.measure, report)


if __name__ == "__main__":
    main()
