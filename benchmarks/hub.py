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
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "hub")]

from hubserver import TEACHER, Hub, request  # noqa: E402

from pgserver import TemporaryPostgres  # noqa: E402
from shared import add_class_options, class_size, measure, report  # noqa: E402
from threadwidget import Post, Thread  # noqa: E402
from threadwidget.core import operations, rules  # noqa: E402
from threadwidget.core.engine import Engine  # noqa: E402
from threadwidget.core.storage import Storage  # noqa: E402
from threadwidget.storage.service_client import ServiceStorage  # noqa: E402
from threadwidget.storage.shared import SharedStorage  # noqa: E402
from threadwidget.stores.store import open_store  # noqa: E402


def run(
    storages: list[Storage], names: list[str], duration: float, interval: float
) -> dict[str, float]:
    """Every student posts for ``duration`` s; the delays until all others have each reply."""
    engines = [Engine(storage=s) for s in storages]

    def visible(engine: Engine) -> list[str]:
        with engine.lock:
            return [c for c, v in engine.state.comments.items() if v.status == "visible"]

    def reply(engine: Engine, name: str, cid: str, parent: str | None, body: str) -> None:
        engine.submit(
            operations.AddComment(id=cid, parent_id=parent, body=body),
            rules.Context(actor=name),
            wait=False,
        )

    return measure(
        engines,
        names,
        duration,
        interval,
        alive=visible,
        post=reply,
        rejected=(rules.OperationRejected,),
    )


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
    add_class_options(parser)
    args = parser.parse_args(argv)
    students, duration = class_size(args)
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
    return report(results, "path", students, args.interval, duration, args.json)


if __name__ == "__main__":
    sys.exit(main())
