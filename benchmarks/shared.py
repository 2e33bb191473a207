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

The class simulation and its measurement (:func:`measure`) and the command line and table
(:func:`add_class_options`, :func:`class_size`, :func:`report`) serve ``benchmarks/hub.py`` too.
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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pgserver import TemporaryPostgres
from threadwidget import Post, Thread, ThreadWidget
from threadwidget.stores import open_store


class Student(Protocol):
    """What a student needs: a widget or an engine."""

    def on_comment(self, callback: Callable[[Any], None]) -> Callable[[], None]: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=Student)


def measure(
    students: Sequence[S],
    names: Sequence[str],
    duration: float,
    interval: float,
    *,
    alive: Callable[[S], list[str]],
    post: Callable[[S, str, str, str | None, str], object],
    rejected: tuple[type[Exception], ...] = (),
) -> dict[str, float]:
    """Every student posts a reply every ``interval`` s (±50 %) for ``duration`` s, 70 % of them
    under a random visible comment (``alive(student)``), with ``post(student, name, id, parent,
    body)``; a post that raises one of ``rejected`` is not counted. Then: how many replies, the
    median and worst delay until all the others have each, and how many never reached them all.
    """
    count = len(students)
    sent: dict[str, float] = {}
    arrived: dict[str, list[float]] = {}
    lock = threading.Lock()
    for student, name in zip(students, names, strict=True):

        def seen(comment: Any, me: str = name) -> None:
            now = time.monotonic()
            with lock:
                if comment.author != me:
                    arrived.setdefault(comment.id, []).append(now)

        student.on_comment(seen)
    stop = time.monotonic() + duration

    def act(n: int, student: S, name: str) -> None:
        rnd = random.Random(n)
        time.sleep(rnd.random() * interval)
        i = 0
        while time.monotonic() < stop:
            i += 1
            cid = f"{name}-{i}"
            visible = alive(student)
            parent = rnd.choice(visible) if visible and rnd.random() < 0.7 else None
            with lock:
                sent[cid] = time.monotonic()
            try:
                post(student, name, cid, parent, f"reply {i}")
            except rejected:
                with lock:
                    del sent[cid]
            time.sleep(interval * (0.5 + rnd.random()))

    threads = [
        threading.Thread(target=act, args=(n, s, m))
        for n, (s, m) in enumerate(zip(students, names, strict=True))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with lock:
            if all(len(arrived.get(cid, ())) == count - 1 for cid in sent):
                break
        time.sleep(0.05)
    delays, missing = [], 0
    for cid, start in sent.items():
        times = arrived.get(cid, [])
        if len(times) < count - 1:
            missing += 1
        else:
            delays.append(max(times) - start)
    for student in students:
        student.close()
    return {
        "replies": len(sent),
        "median_ms": round(statistics.median(delays) * 1000, 1) if delays else float("nan"),
        "worst_ms": round(max(delays) * 1000, 1) if delays else float("nan"),
        "missing": missing,
    }


def add_class_options(parser: argparse.ArgumentParser) -> None:
    """``--quick``, ``--students``, ``--duration``, ``--interval`` and ``--json``."""
    parser.add_argument("--quick", action="store_true", help="5 students, 10 s")
    parser.add_argument("--smoke", action="store_true", help="2 students, 3 s: it runs")
    parser.add_argument("--students", type=int, default=None)
    parser.add_argument("--duration", type=float, default=None)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between replies")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def class_size(args: argparse.Namespace) -> tuple[int, float]:
    """How many students, for how many seconds: 5 for 10 s with ``--quick``, else 30 for 60 s."""
    if args.smoke:
        return args.students or 2, args.duration or 3.0
    students = args.students or (5 if args.quick else 30)
    duration = args.duration or (10.0 if args.quick else 60.0)
    return students, duration


def report(
    results: dict[str, dict[str, float]],
    column: str,
    students: int,
    interval: float,
    duration: float,
    as_json: bool,
) -> int:
    """Print the results (as JSON or a table whose first column is ``column``); 1 if any reply
    went missing, else 0."""
    if as_json:
        print(json.dumps(results))
    else:
        print(f"{students} students, a reply every ~{interval:g} s each, for {duration:g} s")
        print(f"| {column} | replies | median delay | worst delay | missing |")
        print("|---|---|---|---|---|")
        for name, r in results.items():
            print(
                f"| {name} | {r['replies']} | {r['median_ms']} ms | {r['worst_ms']} ms "
                f"| {r['missing']} |"
            )
    return 1 if any(r["missing"] for r in results.values()) else 0


def run(target: str, students: int, duration: float, interval: float) -> dict[str, float]:
    with open_store(target) as admin:
        admin.create_thread("bench", Thread(post=Post(title="Benchmark")), exist_ok=True)
    names = [f"s{n}" for n in range(students)]
    widgets = [ThreadWidget.connect(target, "bench", user=name) for name in names]

    def visible(widget: ThreadWidget) -> list[str]:
        return [c.id for c in widget.comments if c.status == "visible"]

    def reply(widget: ThreadWidget, name: str, cid: str, parent: str | None, body: str) -> None:
        widget.apply({"type": "add", "id": cid, "parent_id": parent, "body": body})

    return measure(widgets, names, duration, interval, alive=visible, post=reply)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_class_options(parser)
    parser.add_argument("--postgres", help="URL of an existing server (default: a throwaway one)")
    args = parser.parse_args(argv)
    students, duration = class_size(args)
    interval = 1.0 if (args.quick or args.smoke) and args.interval == 3.0 else args.interval
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(str(Path(tmp) / "bench.db"), students, duration, interval)
    if args.postgres:
        results["postgres"] = run(args.postgres, students, duration, interval)
    else:
        with TemporaryPostgres() as server:
            results["postgres"] = run(server.url, students, duration, interval)
    return report(results, "store", students, interval, duration, args.json)


if __name__ == "__main__":
    sys.exit(main())
