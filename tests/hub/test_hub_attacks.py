"""The class service under attack in a real JupyterHub (issue #25): moderated text never served
after a deletion or an edit (every endpoint walked), rights of open streams follow the hub,
and limits a hostile student or an outsider cannot get past. Raw HTTP with real hub tokens, as
an attacker would; the service runs with a short auth cache (3 s) so the tests need not wait 30."""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from hubserver import TEACHER, Hub, request
from sse import Stream

CACHE = 3.0  # THREADWIDGET_AUTH_CACHE_SECONDS of this hub's service
STREAMS = 4  # THREADWIDGET_MAX_STREAMS_PER_USER
READS = 20  # THREADWIDGET_READS_PER_SECOND (a burst of 120)


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    tmp = Path(tempfile.mkdtemp(prefix="tw-hub-attacks-"))
    running = Hub(
        tmp,
        service_env={
            "THREADWIDGET_AUTH_CACHE_SECONDS": str(CACHE),
            "THREADWIDGET_MAX_STREAMS_PER_USER": str(STREAMS),
            "THREADWIDGET_READS_PER_SECOND": str(READS),
        },
    )
    try:
        running.start()
        status, data = request(
            f"{running.service_url}api/threads",
            "POST",
            {"id": "leak", "thread": {"post": {"title": "Attacks", "author": TEACHER}}},
            token=running.user_token(TEACHER),
        )
        assert status == 201, data
        yield running
    finally:
        running.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def tokens(hub: Hub) -> dict[str, str]:
    return {user: hub.user_token(user) for user in (TEACHER, "student1", "student2")}


def api(hub: Hub, token: str, path: str, method: str = "GET", body: object = None) -> Any:
    status, data = request(f"{hub.service_url}api/threads/leak{path}", method, body, token=token)
    assert status < 300, (method, path, status, data)
    return data


def act(hub: Hub, token: str, op: dict[str, Any]) -> int:
    return int(api(hub, token, "/ops", "POST", {"op": op})["seq"])


def head(hub: Hub, tokens: dict[str, str]) -> int:
    return int(api(hub, tokens[TEACHER], "")["seq"])


def served(hub: Hub, token: str, seq: int) -> str:
    """Every answer the service gives ``token``'s user about the thread: snapshot, page state,
    events (plain, wire; catch-ups from the start and from the last few seqs), history, every
    replay moment, and the push channel's catch-up from the start (plain and wire)."""
    texts = []
    paths = ["", "/page", "/history", "/timeline", "/events?since=0", "/events?since=0&wire=1"]
    paths += [f"/events?since={n}&wire=1" for n in range(max(0, seq - 4), seq)]
    for path in paths:
        texts.append(json.dumps(api(hub, token, path)))
    for index in range(len(api(hub, token, "/timeline")["moments"])):
        texts.append(json.dumps(api(hub, token, f"/replay?index={index}")))
    for wire in (False, True):
        stream = Stream(hub, token, 0, wire)
        texts.append(stream.wait_for(f"id: {seq}\n"))
        stream.close()
    return "\n".join(texts)


def never_served(hub: Hub, tokens: dict[str, str], *secrets_: str) -> None:
    seq = head(hub, tokens)
    for user in ("student1", "student2"):
        text = served(hub, tokens[user], seq)
        for secret in secrets_:
            assert secret not in text, (user, secret)


def test_moderated_text_is_never_served_after_delete_or_edit(
    hub: Hub, tokens: dict[str, str]
) -> None:
    teacher, student = tokens[TEACHER], tokens["student1"]
    # the teacher hides their own answer key, then deletes it
    act(hub, teacher, {"type": "add", "id": "key", "body": "TEACHER-ANSWER-KEY"})
    act(hub, teacher, {"type": "moderate", "id": "key", "action": "hide", "reason": "NOTE-KEY"})
    never_served(hub, tokens, "TEACHER-ANSWER-KEY", "NOTE-KEY")
    act(hub, teacher, {"type": "delete", "id": "key"})
    never_served(hub, tokens, "TEACHER-ANSWER-KEY", "NOTE-KEY")
    assert "TEACHER-ANSWER-KEY" in served(hub, teacher, head(hub, tokens))
    # edited while hidden, then shown again: only the new text is ever served
    act(hub, teacher, {"type": "add", "id": "e", "body": "FIRST-VERSION-SECRET"})
    act(hub, teacher, {"type": "moderate", "id": "e", "action": "hide"})
    act(hub, teacher, {"type": "edit", "id": "e", "body": "SECOND-VERSION"})
    act(hub, teacher, {"type": "moderate", "id": "e", "action": "unhide"})
    never_served(hub, tokens, "FIRST-VERSION-SECRET")
    assert "SECOND-VERSION" in served(hub, student, head(hub, tokens))
    # a student's comment removed, restored, rewritten, then deleted by its author
    act(hub, student, {"type": "add", "id": "s", "body": "REMOVED-ONCE-SECRET"})
    act(hub, teacher, {"type": "moderate", "id": "s", "action": "remove"})
    act(hub, teacher, {"type": "moderate", "id": "s", "action": "restore"})
    act(hub, student, {"type": "edit", "id": "s", "body": "REWRITTEN-THEN-DELETED"})
    never_served(hub, tokens, "REMOVED-ONCE-SECRET")
    act(hub, student, {"type": "delete", "id": "s"})
    never_served(hub, tokens, "REMOVED-ONCE-SECRET", "REWRITTEN-THEN-DELETED")


def test_a_demoted_teachers_open_stream_stops_getting_moderator_data(
    hub: Hub, tokens: dict[str, str]
) -> None:
    teacher = tokens[TEACHER]
    hub.api("POST", "groups/teachers/users", {"users": ["student2"]})
    token = hub.user_token("student2")
    deadline = time.monotonic() + 2 * CACHE + 5
    while not request(f"{hub.service_url}api/whoami", token=token)[1]["teacher"]:
        assert time.monotonic() < deadline, "student2 never became a teacher"
        time.sleep(0.5)
    stream = Stream(hub, token, head(hub, tokens))
    try:
        act(hub, teacher, {"type": "add", "id": "m1", "body": "WHILE-TEACHER"})
        act(hub, teacher, {"type": "moderate", "id": "m1", "action": "hide", "reason": "NOTE-1"})
        stream.wait_for("NOTE-1")  # a moderator's stream: notes and hidden text
        hub.api("DELETE", "groups/teachers/users", {"users": ["student2"]})
        text = stream.wait_for('"role": "participant"', timeout=CACHE * 2 + 10)
        assert "event: roles" in text
        act(hub, teacher, {"type": "add", "id": "m2", "body": "AFTER-DEMOTION-SECRET"})
        seq = act(
            hub, teacher, {"type": "moderate", "id": "m2", "action": "hide", "reason": "NOTE-2"}
        )
        text = stream.wait_for(f"id: {seq}\n")
        demoted = text.split('"role": "participant"', 1)[1]
        assert "NOTE-2" not in demoted, demoted[-3000:]
        hide = demoted.split(f"id: {seq}\n", 1)[1].split("\n\n", 1)[0]
        assert '"type":"replace"' in hide and "AFTER-DEMOTION-SECRET" not in hide, hide
        assert not stream.ended.is_set()  # still served, as a participant now
        # a new stream (a reconnect) is a participant's from the start
        again = Stream(hub, token, seq - 2)
        assert "NOTE-2" not in again.wait_for(f"id: {seq}\n")
        again.close()
    finally:
        stream.close()
        hub.api("DELETE", "groups/teachers/users", {"users": ["student2"]})


def test_a_revoked_tokens_open_stream_ends(hub: Hub, tokens: dict[str, str]) -> None:
    token, token_id = hub.user_token_and_id("student1")
    stream = Stream(hub, token, head(hub, tokens))
    try:
        seq = act(hub, tokens[TEACHER], {"type": "add", "body": "before the revocation"})
        stream.wait_for(f"id: {seq}\n")
        hub.api("DELETE", f"users/student1/tokens/{token_id}")
        text = stream.wait_for("event: denied", timeout=CACHE * 2 + 10)
        assert "forged, expired or revoked" in text
        assert stream.ended.wait(10)
        after = act(hub, tokens[TEACHER], {"type": "add", "body": "AFTER-REVOCATION"})
        time.sleep(1)
        assert "AFTER-REVOCATION" not in stream.text and f"id: {after}\n" not in stream.text
        # and it cannot reconnect
        with pytest.raises(urllib.error.HTTPError) as refused:
            Stream(hub, token, 0)
        refused.value.close()
        assert refused.value.code == 401
    finally:
        stream.close()


def _service_rss(hub: Hub) -> int:
    """The service process's resident memory, in bytes."""
    for line in Path(f"/proc/{hub.service_pid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _raw_post(
    hub: Hub, path: str, headers: dict[str, str], body_mb: int, direct: bool = True
) -> tuple[int, str]:
    """POST ``body_mb`` MB straight to the service (``direct``) or through the hub's proxy,
    stopping as soon as an answer comes (the service answers before reading the body);
    (status, answer text)."""
    url = urlparse(hub.service_url)
    port = hub.service_port if direct else url.port
    sock = socket.create_connection((url.hostname, port), timeout=20)
    head_ = f"POST {url.path}{path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
    head_ += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head_.encode())
    chunk = b"[" * (1 << 20)
    sent = 0
    try:
        sock.settimeout(0.05)
        for _ in range(body_mb):
            try:  # an answer already? then stop sending
                answer = sock.recv(65536, socket.MSG_PEEK)
                if answer:
                    break
            except TimeoutError:
                pass
            sock.settimeout(20)
            sock.sendall(chunk)
            sent += 1
            sock.settimeout(0.05)
    except OSError:
        pass  # the service or the proxy closed the connection: fine
    sock.settimeout(20)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                break
            data += more
        data += sock.recv(65536)
    except OSError:
        pass
    sock.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, f"[{sent} MB sent before the answer]\n" + data.decode(errors="replace")


def _sent(text: str) -> int:
    """How many MB of the body went out before the answer came (``_raw_post``'s first line)."""
    return int(text.split(" MB sent", 1)[0].lstrip("["))


def test_big_bodies_are_refused_before_they_are_read(hub: Hub, tokens: dict[str, str]) -> None:
    before = _service_rss(hub)
    for _ in range(3):  # anonymous: 401 before the body is read
        status, text = _raw_post(
            hub, "api/threads/leak/ops", {"Content-Length": str(90 << 20)}, body_mb=90
        )
        assert status == 401 and _sent(text) <= 10, text[:300]
    auth = {"Authorization": f"token {tokens['student1']}"}
    status, text = _raw_post(  # a student's huge operation: 413, from its declared length
        hub, "api/threads/leak/ops", {**auth, "Content-Length": str(90 << 20)}, body_mb=90
    )
    assert status == 413 and "too large" in text and _sent(text) <= 10, text[:300]
    status, text = _raw_post(  # a student may not create threads: refused before reading
        hub, "api/threads", {**auth, "Content-Length": str(90 << 20)}, body_mb=90
    )
    assert status in (403, 413) and _sent(text) <= 10, text[:300]
    # chunked (no length declared): cut off at the route's limit
    status, text = _raw_post(
        hub, "api/threads/leak/ops", {**auth, "Transfer-Encoding": "chunked"}, body_mb=20
    )
    assert status in (0, 400, 413), text[:300]
    for _ in range(3):  # through the hub's proxy, as an outsider would: the proxy sees the
        # service close the connection early and answers 503 itself
        status, text = _raw_post(
            hub, "api/threads/leak/ops", {"Content-Length": str(90 << 20)}, 90, direct=False
        )
        assert status in (401, 503), text[:300]
    grown = _service_rss(hub) - before
    assert grown < 30 << 20, f"the service grew by {grown / 2**20:.0f} MB"
    # a JSON body nested 1,000 deep: 400, not a 500
    for deep in (b'{"op": ' + b"[" * 1000 + b"]" * 1000 + b"}", b"[" * 50_000):
        req = urllib.request.Request(f"{hub.service_url}api/threads/leak/ops", deep, method="POST")
        req.add_header("Authorization", f"token {tokens['student1']}")
        with pytest.raises(urllib.error.HTTPError) as bad:
            urllib.request.urlopen(req, timeout=20)
        answer = bad.value.read()
        bad.value.close()
        assert bad.value.code == 400 and b"nests deeper" in answer, (bad.value.code, answer)
    assert request(f"{hub.service_url}api/whoami", token=tokens["student1"])[0] == 200


def _get(url: str, token: str) -> tuple[int, str | None]:
    req = urllib.request.Request(url)
    req.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            response.read()
            return response.status, None
    except urllib.error.HTTPError as error:
        error.read()
        error.close()
        return error.code, error.headers.get("Retry-After")


def test_one_student_cannot_take_the_service(hub: Hub, tokens: dict[str, str]) -> None:
    attacker, honest = hub.user_token("student2"), tokens["student1"]
    # streams: at most STREAMS open per user, the rest 429 with Retry-After
    opened: list[Stream] = []
    refused: list[urllib.error.HTTPError] = []
    for _ in range(STREAMS * 5):
        try:
            opened.append(Stream(hub, attacker, head(hub, tokens)))
        except urllib.error.HTTPError as error:
            error.close()
            refused.append(error)
    try:
        assert len(opened) == STREAMS, len(opened)
        assert {e.code for e in refused} == {429}
        assert all(int(e.headers["Retry-After"]) >= 1 for e in refused)
        # the honest student still gets a stream and the events
        mine = Stream(hub, honest, head(hub, tokens))
        seq = act(hub, honest, {"type": "add", "body": "still served"})
        mine.wait_for(f"id: {seq}\n")
        mine.close()
    finally:
        for stream in opened:
            stream.close()
    time.sleep(1)
    again = Stream(hub, attacker, head(hub, tokens))  # closed ones count no more
    again.close()
    # a read flood: answered 429 with Retry-After past the student's rate
    url = f"{hub.service_url}api/threads/leak"
    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:  # each 429 comes after a pause: the flood slows
        answers = list(pool.map(lambda _: _get(url, attacker), range(400)))
    allowed = 6 * READS + READS * (time.monotonic() - started) + 10
    codes = [status for status, _ in answers]
    assert set(codes) <= {200, 429} and codes.count(200) <= allowed, (codes.count(200), allowed)
    assert codes.count(429) >= 50, codes.count(429)
    assert all(int(after or 0) >= 1 for status, after in answers if status == 429)
    assert _get(url, honest)[0] == 200  # others read on
    # operations: 429 with Retry-After past 30 in 10 s (was a 409 without it)
    statuses = []
    for n in range(35):
        status, _ = request(
            f"{hub.service_url}api/threads/leak/ops",
            "POST",
            {"op": {"type": "add", "body": f"flood {n}"}},
            token=attacker,
        )
        statuses.append(status)
    assert statuses.count(429) >= 4 and statuses[:30].count(201) + statuses[:30].count(200) >= 25


def _answer(sock: socket.socket) -> tuple[int, dict[str, str]]:
    """Read one HTTP answer (status line, headers, a Content-Length body) from ``sock``:
    (status, lower-cased headers); (0, {}) if the connection closed instead."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            more = sock.recv(65536)
        except OSError:
            more = b""
        if not more:
            return 0, {}
        data += more
    head_, body = data.split(b"\r\n\r\n", 1)
    lines = head_.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        more = sock.recv(65536)
        if not more:
            break
        body += more
    return int(lines[0].split()[1]), headers


def test_a_refused_request_never_breaks_the_next_one_on_its_connection(
    hub: Hub, tokens: dict[str, str]
) -> None:
    """The hub's proxy keeps its connections to the service alive and sends anyone's next
    request down them: a connection the service closes after a refusal must say so
    (``Connection: close``), or the next request on it fails (the proxy's 503)."""
    url = urlparse(hub.service_url)
    whoami = f"GET {url.path}api/whoami HTTP/1.1\r\nHost: {url.netloc}\r\n"
    good = f"{whoami}Authorization: token {tokens['student1']}\r\n\r\n".encode()
    refusals = {
        401: f"{whoami}\r\n",  # no token
        413: f"{whoami}Authorization: token {tokens['student1']}\r\nContent-Length: 99999\r\n\r\n",
    }
    for status, first in refusals.items():
        with socket.create_connection((url.hostname, hub.service_port), timeout=20) as sock:
            sock.sendall(first.encode())
            answered, headers = _answer(sock)
            assert answered == status, (answered, headers)
            if headers.get("connection", "").lower() == "close":
                continue  # told: a client opens a new connection for its next request
            sock.sendall(good)
            assert _answer(sock)[0] == 200, f"the connection closed silently after a {status}"


def test_honest_posts_all_succeed_while_a_student_floods(hub: Hub) -> None:
    """One student floods the service through the hub's proxy (push channels far past the
    limits: each refused with 429, one after another at their read rate) while four others
    post: every honest post is stored (no 503 from the proxy), and every refusal is a 429."""
    honest = [f"honest{n}" for n in range(4)]
    hub.api("POST", "users", {"usernames": ["flooder", *honest]})
    attacker = hub.user_token("flooder")
    posters = {name: hub.user_token(name) for name in honest}
    url = urlparse(hub.service_url)
    stream = (
        f"GET {url.path}api/threads/leak/stream?since=0 HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: token {attacker}\r\n\r\n"
    ).encode()

    def flood(_: int) -> int:
        with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
            sock.sendall(stream)
            line = sock.recv(64).split(b" ", 2)
        return int(line[1]) if len(line) > 1 else 0

    def post(name: str) -> list[int]:
        statuses = []
        for n in range(10):
            status, _ = request(
                f"{hub.service_url}api/threads/leak/ops",
                "POST",
                {"op": {"type": "add", "body": f"{name} {n}"}},
                token=posters[name],
            )
            statuses.append(status)
            time.sleep(0.1)
        return statuses

    with ThreadPoolExecutor(64) as attack, ThreadPoolExecutor(len(honest)) as students:
        flooding = attack.map(flood, range(300))
        time.sleep(1)  # the flood is under way (its burst of reads spent)
        posted = [status for statuses in students.map(post, honest) for status in statuses]
        attacks = list(flooding)
    assert posted == [200] * len(posted), posted
    assert set(attacks) <= {200, 429} and attacks.count(429) > 100, sorted(set(attacks))


def test_forged_tokens_do_not_flood_the_hub(hub: Hub, tokens: dict[str, str]) -> None:
    url = f"{hub.service_url}api/whoami"
    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: _get(url, secrets.token_hex(16)), range(200)))
    elapsed = time.monotonic() - started
    codes = [status for status, _ in answers]
    asked = codes.count(401)  # each 401 is one lookup the hub answered "no"
    assert asked <= 20 + elapsed * 1 + 5, (asked, elapsed)
    assert codes.count(429) == len(codes) - asked
    assert all(int(after or 0) >= 1 for status, after in answers if status == 429)
    # a known (cached) token from the same address is still served
    assert _get(url, tokens["student1"])[0] == 200
