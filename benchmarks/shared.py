"""Shared-thread benchmark: a class of students, each with their own widget and own store
connection (as in their own kernel), each posting a reply every few seconds for a minute. For
every reply: the delay until *every other* student's widget has it. Median and worst, for
SQLite and PostgreSQL.

    python benchmarks/shared.py            # 30 students, 60 s, both stores
    python benchmarks/shared.py --quick    # 5 students, 10 s (the CI smoke test)
    python benchmarks/shared.py --postgres postgresql://...   # an existing server

Without ``--postgres`` a throwaway server is started (``tests/pgserver.py``). The
students are threads of one process, so this measures the stores' delivery (SQLite's
``data_version`` poll, PostgreSQL's LISTEN/NOTIFY) plus Python's own scheduling of 30 widgets.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pgserver import TemporaryPostgres
from threadwidget import Post, Thread, ThreadWidget
from threadwidget.stores import open_store


def run(target: str, students: int, duration: float, interval: float) -> dict[str, float]:
    with open_store(target) as admin:
        admin.create_thread("bench", Thread(post=Post(title="Benchmark")), exist_ok=True)
    widgets = [ThreadWidget.connect(target, "bench", user=f"s{n}") for n in range(students)]
    sent: dict[str, float] = {}
    arrived: dict[str, list[float]] = {}
    lock = threading.Lock()
    for widget in widgets:

        def seen(comment: object, me: ThreadWidget = widget) -> None:
            now = time.monotonic()
            with lock:
                if comment.author != me.user:  # type: ignore[attr-defined]
                    arrived.setdefault(comment.id, []).append(now)  # type: ignore[attr-defined]

        widget.on_comment(seen)
    stop = time.monotonic() + duration

    def student(n: int, widget: ThreadWidget) -> None:
        rnd = random.Random(n)
        time.sleep(rnd.random() * interval)
        i = 0
        while time.monotonic() < stop:
            i += 1
            cid = f"s{n}-{i}"
            with lock:
                sent[cid] = time.monotonic()
            alive = [c.id for c in widget.comments if c.status == "visible"]
            parent = rnd.choice(alive) if alive and rnd.random() < 0.7 else None
            widget.apply({"type": "add", "id": cid, "parent_id": parent, "body": f"reply {i}"})
            time.sleep(interval * (0.5 + rnd.random()))

    threads = [threading.Thread(target=student, args=(n, w)) for n, w in enumerate(widgets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with lock:
            if all(len(arrived.get(cid, ())) == students - 1 for cid in sent):
                break
        time.sleep(0.05)
    delays = []
    missing = 0
    for cid, start in sent.items():
        times = arrived.get(cid, [])
        if len(times) < students - 1:
            missing += 1
        else:
            delays.append(max(times) - start)
    for widget in widgets:
        widget.close()
    return {
        "replies": len(sent),
        "median_ms": round(statistics.median(delays) * 1000, 1) if delays else float("nan"),
        "worst_ms": round(max(delays) * 1000, 1) if delays else float("nan"),
        "missing": missing,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 students, 10 s")
    parser.add_argument("--students", type=int, default=None)
    parser.add_argument("--duration", type=float, default=None)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between replies")
    parser.add_argument("--postgres", help="URL of an existing server (default: a throwaway one)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    students = args.students or (5 if args.quick else 30)
    duration = args.duration or (10.0 if args.quick else 60.0)
    interval = 1.0 if args.quick and args.interval == 3.0 else args.interval
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(str(Path(tmp) / "bench.db"), students, duration, interval)
    if args.postgres:
        results["postgres"] = run(args.postgres, students, duration, interval)
    else:
        with TemporaryPostgres() as server:
            results["postgres"] = run(server.url, students, duration, interval)
    if args.json:
        print(json.dumps(results))
    else:
        print(f"{students} students, a reply every ~{interval:g} s each, for {duration:g} s")
        print("| store | replies | median delay | worst delay | missing |")
        print("|---|---|---|---|---|")
        for name, r in results.items():
            print(
                f"| {name} | {r['replies']} | {r['median_ms']} ms | {r['worst_ms']} ms "
                f"| {r['missing']} |"
            )
    return 1 if any(r["missing"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
