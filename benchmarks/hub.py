"""Hub service benchmark: a class of students, each with their own engine and connection (as in
their own kernel), each posting a reply every few seconds. For every reply: the delay until
*every other* student has it. Median and worst, through the threadwidget service in a real
JupyterHub (each student with their own hub token) and, for comparison, straight on the SQLite
and PostgreSQL stores, in one run.

    python benchmarks/hub.py            # 30 students, 60 s each way
    python benchmarks/hub.py --quick    # 5 students, 10 s

The service is measured twice: quiet, then while one attacker student (their own hub token, in
another process) makes 4,000 attempts to open a push channel and floods the service with reads
(``--attack-streams``, ``--attack-readers``); the honest students' median should stay within 2x.

The hub is the tests' (``tests/hub/hubserver.py``: configurable-http-proxy from ``npm ci``), the
PostgreSQL server a throwaway one (``tests/pgserver.py``). The students are threads of one
process, so the numbers include their contention for one interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

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

    refusals: dict[str, int] = {}

    def reply(engine: Engine, name: str, cid: str, parent: str | None, body: str) -> None:
        try:
            engine.submit(
                operations.AddComment(id=cid, parent_id=parent, body=body),
                rules.Context(actor=name),
                wait=False,
            )
        except rules.OperationRejected as error:
            refusals[error.reason] = refusals.get(error.reason, 0) + 1
            raise

    figures = measure(
        engines,
        names,
        duration,
        interval,
        alive=visible,
        post=reply,
        rejected=(rules.OperationRejected,),
    )
    for reason, count in sorted(refusals.items(), key=lambda kv: -kv[1])[:3]:
        print(f"  refused {count}x: {reason}", file=sys.stderr)
    figures["refused"] = sum(refusals.values())  # posts the service did not take (not in replies)
    return figures


def direct(target: str, students: int) -> tuple[list[Storage], list[str]]:
    """Each student with their own connection to the store."""
    with open_store(target) as admin:
        admin.create_thread("bench", Thread(post=Post(title="Benchmark")), exist_ok=True)
    names = [f"s{n}" for n in range(students)]
    storages: list[Storage] = [
        SharedStorage(open_store(target), "bench", owned=True) for _ in names
    ]
    return storages, names


def through_hub(hub: Hub, students: int, thread: str = "bench") -> tuple[list[Storage], list[str]]:
    """Each student a hub user with their own token and connection to the service."""
    names = [f"s{n}" for n in range(students)]
    known = {user["name"] for user in hub.api("GET", "users")}
    if set(names) - known:
        hub.api("POST", "users", {"usernames": sorted(set(names) - known)})
    teacher = hub.user_token(TEACHER)
    status, answer = request(
        f"{hub.service_url}api/threads",
        "POST",
        {"id": thread, "thread": {"post": {"title": "Benchmark"}}, "exist_ok": True},
        token=teacher,
    )
    assert status in (200, 201), answer
    storages: list[Storage] = [
        ServiceStorage(thread, hub.service_url, token=hub.user_token(name), claimed_user=name)
        for name in names
    ]
    return storages, names


async def _attack(
    service_url: str, token: str, streams: int, readers: int, until: float
) -> dict[str, int]:
    """One student's attack: ``streams`` attempts to open a push channel (200 at a time; the
    accepted ones are kept open) and ``readers`` connections reading as fast as they can."""
    import httpx

    url = urlparse(service_url)
    path = f"{url.path}api/threads/attacked/stream?since=0"
    request_line = (
        f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: token {token}\r\n\r\n"
    ).encode()
    counts = {"streams_open": 0, "streams_refused": 0, "streams_failed": 0}
    kept: list[asyncio.StreamWriter] = []
    gate = asyncio.Semaphore(200)

    async def attempt() -> None:
        async with gate:
            try:
                reader, writer = await asyncio.open_connection(url.hostname, url.port)
                writer.write(request_line)
                line = await asyncio.wait_for(reader.readline(), 30)
                status = int(line.split()[1])
            except (OSError, ValueError, IndexError, asyncio.TimeoutError):
                counts["streams_failed"] += 1
                return
            if status == 200:
                counts["streams_open"] += 1
                kept.append(writer)
            else:
                counts["streams_refused"] += 1
                writer.close()

    reads = {"reads_ok": 0, "reads_429": 0, "reads_other": 0}

    async def flood(client: httpx.AsyncClient) -> None:
        while time.time() < until:
            try:
                answer = await client.get(f"{service_url}api/threads/attacked/events?since=0")
            except httpx.HTTPError:
                reads["reads_other"] += 1
                continue
            key = {200: "reads_ok", 429: "reads_429"}.get(answer.status_code, "reads_other")
            reads[key] += 1

    started = streams_done = time.time()

    async def attempts() -> None:
        nonlocal streams_done
        await asyncio.gather(*(attempt() for _ in range(streams)))
        streams_done = time.time()

    headers = {"Authorization": f"token {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        await asyncio.gather(attempts(), *(flood(client) for _ in range(readers)))
    for writer in kept:
        writer.close()
    return {**counts, **reads, "streams_seconds": round(streams_done - started)}


def _attacker(
    service_url: str, token: str, streams: int, readers: int, until: float, out: Any
) -> None:
    out.put(asyncio.run(_attack(service_url, token, streams, readers, until)))


def attacked(
    hub: Hub, students: int, duration: float, interval: float, streams: int, readers: int
) -> tuple[dict[str, float], dict[str, int]]:
    """The class while an attacker student (another process) attacks: the class's figures and
    the attacker's (streams open/refused, reads served/refused)."""
    hub.api("POST", "users", {"usernames": ["mallory"]})
    token = hub.user_token("mallory")
    storages, names = through_hub(hub, students, "attacked")
    queue: Any = multiprocessing.get_context("spawn").Queue()
    until = time.time() + duration + 5
    process = multiprocessing.get_context("spawn").Process(
        target=_attacker, args=(hub.service_url, token, streams, readers, until, queue)
    )
    process.start()
    try:
        figures = run(storages, names, duration, interval)
        # the service answers one student's refusals at their read rate: 4,000 attempts
        # take minutes (most of them after the class's run)
        attack = queue.get(timeout=900)
    finally:
        process.join(60)
        if process.is_alive():
            process.kill()
    return figures, attack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_class_options(parser)
    parser.add_argument("--attack-streams", type=int, default=4000)
    parser.add_argument("--attack-readers", type=int, default=8)
    parser.add_argument("--hub-only", action="store_true", help="skip the direct stores")
    args = parser.parse_args(argv)
    if args.smoke:  # it runs: a small attack (the full one takes minutes on a busy machine)
        args.attack_streams = min(args.attack_streams, 200)
        args.attack_readers = min(args.attack_readers, 2)
    students, duration = class_size(args)
    results: dict[str, dict[str, float]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="tw-bench-hub-"))
    hub = Hub(tmp)
    try:
        hub.start()
        storages, names = through_hub(hub, students)
        results["hub service (SQLite)"] = run(storages, names, duration, args.interval)
        under, attack = attacked(
            hub, students, duration, args.interval, args.attack_streams, args.attack_readers
        )
        results["hub service, one student attacking"] = under
    finally:
        hub.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    quiet = results["hub service (SQLite)"]["median_ms"]
    quiet_refused = results["hub service (SQLite)"]["refused"]
    ratio = under["median_ms"] / quiet if quiet else float("nan")
    print(
        f"attacker: {args.attack_streams:,} stream attempts (over "
        f"{attack['streams_seconds']} s): {attack['streams_open']} open, "
        f"{attack['streams_refused']:,} refused (429), {attack['streams_failed']} failed; "
        f"reads: {attack['reads_ok']:,} served, {attack['reads_429']:,} refused (429), "
        f"{attack['reads_other']} other",
        file=sys.stderr if args.json else sys.stdout,
    )
    print(
        f"honest median under attack / quiet: {ratio:.2f}x (goal: at most 2x); honest posts "
        f"refused: {quiet_refused} quiet, {under['refused']} under attack (goal: none)",
        file=sys.stderr if args.json else sys.stdout,  # --json: stdout is the JSON alone
    )
    if args.hub_only:
        return report(results, "path", students, args.interval, duration, args.json)
    with tempfile.TemporaryDirectory() as folder:
        storages, names = direct(str(Path(folder) / "bench.db"), students)
        results["sqlite, direct"] = run(storages, names, duration, args.interval)
    with TemporaryPostgres() as server:
        storages, names = direct(server.url, students)
        results["postgres, direct"] = run(storages, names, duration, args.interval)
    return report(results, "path", students, args.interval, duration, args.json)


if __name__ == "__main__":
    sys.exit(main())
