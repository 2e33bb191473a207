"""Memory after many operations: a widget's memory follows its thread, not its history.

    python benchmarks/memory.py                  # 1,000,000 likes and edits (a few minutes)
    python benchmarks/memory.py --ops 20000      # a quick look
    python benchmarks/memory.py --smoke          # 2,000 operations: it runs

One widget on an SQLite store (the history lives there) applies likes, unlikes and edits (a
like, its unlike and two edits, comment after comment) to a 200-comment thread; the table shows
the Python heap (tracemalloc) after each checkpoint next to the baseline measured in the same
run: the heap after the first 10,000 operations.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="2,000 operations: it runs")
    args = parser.parse_args()
    if args.smoke:
        args.ops = 2_000
    folder = Path(tempfile.mkdtemp(prefix="tw-memory-"))
    store = _Unsynced(folder / "m.db")
    store.create_thread("t", synthetic.thread(200, seed=3))
    w = ThreadWidget.connect(store, "t", user="bench")
    w.send = lambda content, buffers=None: None  # type: ignore[method-assign]  # no views
    ids = [c.id for c in w.comments]
    checkpoints = sorted({min(10_000, args.ops), args.ops // 10, args.ops // 2, args.ops} - {0})
    tracemalloc.start()
    rows: list[tuple[int, float, float]] = []
    start = time.perf_counter()
    n = 0
    while n < args.ops:
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
    base = rows[0][1]
    print(f"memory after N operations on one widget (history in SQLite, {len(ids)} comments)")
    print(f"{'operations':>12} {'heap MB':>9} {'vs 10,000 ops':>14} {'seconds':>9}")
    for n, heap, seconds in rows:
        print(f"{n:>12,} {heap:>9.1f} {heap / base:>13.2f}x {seconds:>9.0f}")
    print(f"events stored: {w.seq:,}")
    w.close()
    store.close()


if __name__ == "__main__":
    main()
