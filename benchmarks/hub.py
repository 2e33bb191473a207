"""Hub service benchmark: a class of students, each with their own engine and connection (as in
their own kernel), each posting a reply every few seconds. For every reply: the delay until
*every other* student has it. Median and worst, through the threadwidget service in a real
JupyterHub (each student with their own hub token) and, for comparison, straight on the SQLite
and PostgreSQL stores, in one run.

    python benchmarks/hub.py            # 30 students, 60 s each way
    python benchmarks/hub.py --quick    # 5 students, 10 s

The hub is the tests' (``tests/hub/hubserver.py``: configurable-http-proxy from ``npm ci``), the
PostgreSQL server a throwaway one (``tests/pgserver.py``). The students are threads of one
process, so the numbers include their contention for one interpreter.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "hub")]

from hubserver import TEACHER, Hub, request  # noqa: E402

from pgserver import TemporaryPostgres  # noqa: E402
from threadwidget import Post, Thread, ops  # noqa: E402
from threadwidget.engine import Engine  # noqa: E402
from threadwidget.stores.base import Storage  # noqa: E402
from threadwidget.stores.linked import SharedStorage  # noqa: E402
from threadwidget.stores.service import ServiceStorage  # noqa: E402
from threadwidget.stores.shared import open_store  # noqa: E402


def run(
    storages: list[Storage], names: list[str], duration: float, interval: float
) -> dict[str, float]:
    """Every student posts for ``duration`` s; the delays until all others have each reply."""
    engines = [Engine(storage=s) for s in storages]
    students = len(engines)
    sent: dict[str, float] = {}
    arrived: dict[str, list[float]] = {}
    lock = threading.Lock()
    for engine, name in zip(engines, names, strict=True):

        def seen(comment: object, me: str = name) -> None:
            now = time.monotonic()
            with lock:
                if comment.author != me:  # type: ignore[attr-defined]
                    arrived.setdefault(comment.id, []).append(now)  # type: ignore[attr-defined]

        engine.on_comment(seen)
    stop = time.monotonic() + duration

    def student(n: int, engine: Engine, name: str) -> None:
        rnd = random.Random(n)
        time.sleep(rnd.random() * interval)
        i = 0
        while time.monotonic() < stop:
            i += 1
            cid = f"{name}-{i}"
            with engine.lock:
                alive = [c for c, v in engine.state.comments.items() if v.status == "visible"]
            parent = rnd.choice(alive) if alive and rnd.random() < 0.7 else None
            with lock:
                sent[cid] = time.monotonic()
            try:
                engine.submit(
                    ops.AddComment(id=cid, parent_id=parent, body=f"reply {i}"),
                    ops.Context(actor=name),
                    wait=False,
                )
            except ops.OperationRejected:
                with lock:
                    del sent[cid]
            time.sleep(interval * (0.5 + rnd.random()))

    threads = [
        threading.Thread(target=student, args=(n, e, m))
        for n, (e, m) in enumerate(zip(engines, names, strict=True))
    ]
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
    delays, missing = [], 0
    for cid, start in sent.items():
        times = arrived.get(cid, [])
        if len(times) < students - 1:
            missing += 1
        else:
            delays.append(max(times) - start)
    for engine in engines:
        engine.close()
    return {
        "replies": len(sent),
        "median_ms": round(statistics.median(delays) * 1000, 1) if delays else float("nan"),
        "worst_ms": round(max(delays) * 1000, 1) if delays else float("nan"),
        "missing": missing,
    }


def direct(target: str, students: int) -> tuple[list[Storage], list[str]]:
    """Each student with their own connection to the store."""
    with open_store(target) as admin:
        admin.create_thread("bench", Thread(post=Post(title="Benchmark")), exist_ok=True)
    names = [f"s{n}" for n in range(students)]
    storages: list[Storage] = [
        SharedStorage(open_store(target), "bench", owned=True) for _ in names
    ]
    return storages, names


def through_hub(hub: Hub, students: int) -> tuple[list[Storage], list[str]]:
    """Each student a hub user with their own token and connection to the service."""
    names = [f"s{n}" for n in range(students)]
    hub.api("POST", "users", {"usernames": names})
    teacher = hub.user_token(TEACHER)
    status, answer = request(
        f"{hub.service_url}api/threads",
        "POST",
        {"id": "bench", "thread": {"post": {"title": "Benchmark"}}, "exist_ok": True},
        token=teacher,
    )
    assert status in (200, 201), answer
    storages: list[Storage] = [
        ServiceStorage("bench", hub.service_url, token=hub.user_token(name), claimed_user=name)
        for name in names
    ]
    return storages, names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 students, 10 s")
    parser.add_argument("--students", type=int, default=None)
    parser.add_argument("--duration", type=float, default=None)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between replies")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    students = args.students or (5 if args.quick else 30)
    duration = args.duration or (10.0 if args.quick else 60.0)
    results: dict[str, dict[str, float]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="tw-bench-hub-"))
    hub = Hub(tmp)
    try:
        hub.start()
        storages, names = through_hub(hub, students)
        results["hub service (SQLite)"] = run(storages, names, duration, args.interval)
    finally:
        hub.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    with tempfile.TemporaryDirectory() as folder:
        storages, names = direct(str(Path(folder) / "bench.db"), students)
        results["sqlite, direct"] = run(storages, names, duration, args.interval)
    with TemporaryPostgres() as server:
        storages, names = direct(server.url, students)
        results["postgres, direct"] = run(storages, names, duration, args.interval)
    if args.json:
        print(json.dumps(results))
    else:
        print(f"{students} students, a reply every ~{args.interval:g} s each, for {duration:g} s")
        print("| path | replies | median delay | worst delay | missing |")
        print("|---|---|---|---|---|")
        for name, r in results.items():
            print(
                f"| {name} | {r['replies']} | {r['median_ms']} ms | {r['worst_ms']} ms "
                f"| {r['missing']} |"
            )
    return 1 if any(r["missing"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
