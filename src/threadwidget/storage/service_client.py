"""A thread served by the threadwidget JupyterHub service, as an engine's :class:`Storage`.

Operations are decided by the service under the identity JupyterHub gives this kernel's token
(``JUPYTERHUB_API_TOKEN``), never under a name the kernel claims. News arrive on a push channel
(server-sent events) read by a background thread that reconnects with back-off and catches up by
``seq``. :func:`threadwidget.storage.open.open_storage` picks this storage inside a hub (through
:func:`from_environment`), the direct stores elsewhere.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import httpx

from ..core import operations, rules
from ..core.models import Thread
from ..core.storage import CatchUp, Decide, Listener, Storage
from ..core.study import VariantPlan

#: ``(readers, writers)`` of a thread on the service: hub user and ``group:`` names, or None
#: (every hub user)
Access = tuple[Sequence[str] | None, Sequence[str] | None]

__all__ = [
    "SERVICE_URL_ENV",
    "ServiceStorage",
    "from_environment",
    "hub_token",
    "service_url_from_env",
]

log = logging.getLogger("threadwidget.service.client")

#: Where the service is, as JupyterHub's config gives it to single-user servers (docs/hub.md).
SERVICE_URL_ENV = "THREADWIDGET_SERVICE_URL"
#: The service pings every 5 s: a stream silent for longer than this is dead (reconnect).
_READ_TIMEOUT = 12.0
_MAX_BACKOFF = 5.0
_CACHE = 5000


def service_url_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The service's URL (ending in ``/``) from ``THREADWIDGET_SERVICE_URL``, or from
    ``JUPYTERHUB_PUBLIC_URL`` + ``services/<THREADWIDGET_SERVICE_NAME or threadwidget>/``
    inside a hub; None outside a hub."""
    env = os.environ if environ is None else environ
    url = env.get(SERVICE_URL_ENV)
    if not url:
        public = env.get("JUPYTERHUB_PUBLIC_URL")
        if not public or not hub_token(env):
            return None
        name = env.get("THREADWIDGET_SERVICE_NAME", "threadwidget")
        url = f"{public.rstrip('/')}/services/{name}/"
    # several service processes (space-separated): each ends with "/"
    return " ".join(u if u.endswith("/") else u + "/" for u in url.split())


def hub_token(environ: Mapping[str, str] | None = None) -> str | None:
    """The JupyterHub API token of this single-user server (and its kernels)."""
    env = os.environ if environ is None else environ
    return env.get("JUPYTERHUB_API_TOKEN") or env.get("JPY_API_TOKEN") or None


def from_environment(
    thread_id: str, *, create: Thread | None = None, access: Access | None = None
) -> ServiceStorage | None:
    """Thread ``thread_id`` on the hub's threadwidget service when the environment names one
    (see :func:`service_url_from_env`), else None. ``create`` makes the thread if it does not
    exist (the service lets only teachers do that); ``access``: ``(readers, writers)``."""
    if service_url_from_env() is None:
        return None
    return ServiceStorage(thread_id, create=create, access=access)


class ServiceStorage(Storage):
    """Thread ``thread_id`` on the service at ``url`` (default: from the environment), as the
    user whose hub ``token`` this is (default: ``JUPYTERHUB_API_TOKEN``).

    ``url`` may name several service processes on one store, separated by spaces (docs/hub.md,
    "More than one service process"): the first is used; when it cannot be reached (no
    connection, or the hub's proxy answers 502/503/504 for it) the next one is, and so on."""

    def __init__(
        self,
        thread_id: str,
        url: str | None = None,
        *,
        token: str | None = None,
        claimed_user: str | None = None,
        create: Thread | None = None,
        access: Access | None = None,
        timeout: float = 15.0,
    ) -> None:
        base = url or service_url_from_env()
        if not base:
            raise ValueError(
                f"no threadwidget service: set {SERVICE_URL_ENV} (see docs/hub.md) or pass url="
            )
        token = token or hub_token()
        if not token:
            raise ValueError("no JupyterHub token: JUPYTERHUB_API_TOKEN is not set")
        self.thread_id = thread_id
        #: every service process this client may use, the one in use first
        self.urls = [u if u.endswith("/") else u + "/" for u in base.split()]
        self.url = self.urls[0]
        claimed = claimed_user if claimed_user is not None else os.environ.get("JUPYTERHUB_USER")
        headers = {"Authorization": f"token {token}"}
        if claimed:
            headers["X-Threadwidget-User"] = claimed
        self._client_options: dict[str, Any] = {
            "headers": headers,
            "timeout": timeout,
            "follow_redirects": False,
        }
        self._client = httpx.Client(base_url=f"{self.url}api/", **self._client_options)
        self._old_clients: list[httpx.Client] = []
        #: The verified user the service acts for, and their role in this thread.
        self.user = ""
        self.role: rules.Role = "participant"
        self._lock = threading.Lock()
        self._known: dict[int, operations.Recorded] = {}
        self._head = 0
        #: the thread's generation on the service (new when it is deleted and created again)
        self.generation: str | None = None
        #: our seq minus the service's: a thread created again continues our numbering, after
        #: a ``replace`` event holding the new thread
        self._offset = 0
        self._listeners: list[Listener] = []
        self._role_callbacks: list[Callable[[str], None]] = []
        self._closed = threading.Event()
        self._stream: threading.Thread | None = None
        self._response: httpx.Response | None = None
        #: Set while the push channel is connected.
        self.connected = threading.Event()
        lists = {} if access is None else {"readers": access[0], "writers": access[1]}
        lists = {k: None if v is None else list(v) for k, v in lists.items()}
        if create is not None and self._get(f"threads/{thread_id}", missing_ok=True) is None:
            body = {"id": thread_id, "thread": create.model_dump(mode="json"), "exist_ok": True}
            self._call("POST", "threads", {**body, **lists})  # readable by them from the start
        if access is not None:
            self._call("PUT", f"threads/{thread_id}/access", lists)

    @property
    def shared(self) -> bool:
        return True

    # ---- HTTP ---------------------------------------------------------------------------------

    def _next_url(self, failed: str) -> bool:
        """``failed`` could not be reached: use the next service process (False if none)."""
        if len(self.urls) < 2:
            return False
        with self._lock:
            if self.url == failed:  # not already moved on by another thread
                self.url = self.urls[(self.urls.index(failed) + 1) % len(self.urls)]
                self._old_clients.append(self._client)
                self._client = httpx.Client(base_url=f"{self.url}api/", **self._client_options)
                log.warning("threadwidget: %s unreachable; using %s", failed, self.url)
        return True

    def _call(self, method: str, path: str, body: object = None) -> dict[str, Any]:
        """One request; :class:`OperationRejected` with the service's reason on a 4xx/5xx.
        A service process that cannot be reached gives way to the next (only when the request
        surely did not reach it: no connection, or the proxy's 502/503/504)."""
        for attempt in range(len(self.urls)):
            url, client = self.url, self._client
            try:
                response = client.request(method, path, json=body)
            except httpx.ConnectError as error:
                if attempt + 1 < len(self.urls) and self._next_url(url):
                    continue
                raise rules.OperationRejected(
                    f"Could not reach the threadwidget service at {url} ({error}); nothing "
                    "was stored."
                ) from error
            except httpx.HTTPError as error:
                raise rules.OperationRejected(
                    f"Could not reach the threadwidget service at {url} ({error}); if it "
                    "stored the operation it will show up here."
                ) from error
            unreachable = response.status_code in (502, 503, 504)
            if unreachable and attempt + 1 < len(self.urls) and self._next_url(url):
                continue
            break
        data = _json(response)
        if response.status_code >= 400:
            status = response.status_code
            reason = data.get("reason") or f"The threadwidget service answered {status}."
            raise rules.OperationRejected(str(reason), data.get("field"))
        return data

    def _get(self, path: str, *, missing_ok: bool = False) -> dict[str, Any] | None:
        try:
            return self._call("GET", path)
        except rules.OperationRejected as error:
            if missing_ok and error.field == "thread_id":
                return None
            raise

    # ---- Storage ------------------------------------------------------------------------------

    def load(self) -> tuple[rules.ThreadState, int]:
        data = self._call("GET", f"threads/{self.thread_id}")
        self.user, self.role = str(data["user"]), data["role"]
        with self._lock:
            self.generation = data.get("generation")
            seq = int(data["seq"]) + self._offset
            self._head = max(self._head, seq)
        return rules.ThreadState.from_thread(Thread.model_validate(data["thread"])), seq

    def _recreated(self) -> None:
        """The thread was deleted and created again under its id: read the new one, and hand
        it to the engine as a ``replace`` event after everything it has (then go on)."""
        data = self._call("GET", f"threads/{self.thread_id}")
        if data.get("generation") == self.generation:
            return
        thread = Thread.model_validate(data["thread"])
        event = operations.ReplaceEvent(
            thread=thread, actor="[service]", at=datetime.now(timezone.utc)
        )
        with self._lock:
            base = self._head + 1
            self._offset = base - int(data["seq"])
            self.generation = data.get("generation")
            self._known = {base: event}
            self._head = base
        log.warning(
            "threadwidget: the shared thread %r was deleted and created again; showing the new one",
            self.thread_id,
        )
        self._notify()

    def submit(
        self, after: int, op: operations.Operation | None, catch_up: CatchUp, decide: Decide
    ) -> tuple[int, operations.Recorded]:
        if op is None:
            raise rules.OperationRejected("A shared thread cannot be replaced from a kernel.")
        with self._lock:
            remote_after = after - self._offset
            generation = self.generation
        body: dict[str, Any] = {
            "op": op.model_dump(mode="json"),
            "after": remote_after if remote_after >= 0 else None,
        }
        if generation is not None:
            body["generation"] = generation
        try:
            data = self._call("POST", f"threads/{self.thread_id}/ops", body)
        except rules.OperationRejected as error:
            if error.field == "generation":
                self._recreated()
            raise
        missed = [self._remember(item) for item in data.get("missed", ())]
        seq, event = self._remember(data)
        if missed:
            catch_up(missed)
        return seq, event

    def events_since(self, seq: int) -> list[tuple[int, operations.Recorded]]:
        with self._lock:
            head = self._head
            found = [(s, self._known[s]) for s in range(seq + 1, head + 1) if s in self._known]
        if len(found) == head - seq or head <= seq:
            return found
        since = max(0, seq - self._offset)
        data = self._call("GET", f"threads/{self.thread_id}/events?since={since}")
        return [self._remember(item) for item in data["events"] if item["seq"] + self._offset > seq]

    def history(self) -> tuple[Thread, Iterator[tuple[int, operations.Recorded]]]:
        data = self._call("GET", f"threads/{self.thread_id}/history")
        offset = self._offset
        events = [
            (int(i["seq"]) + offset, operations.parse_recorded(i["event"])) for i in data["events"]
        ]
        return Thread.model_validate(data["origin"]), iter(events)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)
            if self._stream is None and not self._closed.is_set():
                self._stream = threading.Thread(
                    target=self._listen, name=f"threadwidget-service-{self.thread_id}", daemon=True
                )
                self._stream.start()

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def close(self) -> None:
        self._closed.set()
        response = self._response
        if response is not None:
            response.close()
        stream = self._stream
        if stream is not None and stream is not threading.current_thread():
            stream.join(timeout=2)
        self._client.close()
        for client in self._old_clients:
            client.close()

    # ---- the service's extras -----------------------------------------------------------------

    def roles(self) -> dict[str, str]:
        """The per-thread roles a moderator set: user -> role."""
        return dict(self._call("GET", f"threads/{self.thread_id}/roles")["roles"])

    def set_role(self, user: str, role: rules.Role | None) -> dict[str, str]:
        """Give ``user`` a role in this thread (moderators only; None: the hub's default)."""
        body = {"user": user, "role": role}
        return dict(self._call("PUT", f"threads/{self.thread_id}/roles", body)["roles"])

    def access(self) -> dict[str, list[str] | None]:
        """Who may read and write this thread: ``{"readers", "writers"}`` (None: every hub
        user; entries are hub user names and ``group:NAME``)."""
        return dict(self._call("GET", f"threads/{self.thread_id}/access"))

    def set_access(
        self, readers: Sequence[str] | None = None, writers: Sequence[str] | None = None
    ) -> dict[str, list[str] | None]:
        """Let only ``readers`` see this thread and only ``writers`` take part (teachers only;
        hub user names and ``group:NAME``; None: every hub user). Hub moderators always can."""
        body = {
            "readers": None if readers is None else list(readers),
            "writers": None if writers is None else list(writers),
        }
        return dict(self._call("PUT", f"threads/{self.thread_id}/access", body))

    def variant_plan(self) -> VariantPlan | None:
        """The variant plan as the service lets this user know it (a participant: their own)."""
        plan = self._call("GET", f"threads/{self.thread_id}/variants")["plan"]
        return None if plan is None else VariantPlan.from_json(json.dumps(plan))

    def set_variant_plan(self, plan: VariantPlan | None) -> None:
        body = {"plan": None if plan is None else json.loads(plan.to_json())}
        self._call("PUT", f"threads/{self.thread_id}/variants", body)

    def add_interactions(self, user: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Sent as the token's owner (``user`` is not sent: the service knows who calls)."""
        self._call("POST", f"threads/{self.thread_id}/interactions", {"rows": list(rows)})

    def interactions(self) -> list[dict[str, Any]]:
        """Every row (moderators of the thread only; others get OperationRejected)."""
        return list(self._call("GET", f"threads/{self.thread_id}/interactions")["rows"])

    def on_role(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(new_role)`` when a moderator changes this user's role here."""
        self._role_callbacks.append(callback)
        return lambda: self._role_callbacks.remove(callback)

    # ---- the push channel ---------------------------------------------------------------------

    def _remember(self, item: Mapping[str, Any]) -> tuple[int, operations.Recorded]:
        event = operations.parse_recorded(item["event"])
        with self._lock:
            seq = int(item["seq"]) + self._offset
            if isinstance(event, operations.ReplaceEvent):
                # the service sends a non-moderator the whole thread when a comment is hidden
                # or shown again: what came before is superseded (and may hold taken-back
                # text), so it is not kept; a catch-up from before reads it again
                self._known = {s: e for s, e in self._known.items() if s > seq}
            self._known[seq] = event
            self._head = max(self._head, seq)
            if len(self._known) > _CACHE:
                for old in sorted(self._known)[: len(self._known) - _CACHE]:
                    del self._known[old]
        return seq, event

    def _notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener()
            except Exception:
                log.exception("threadwidget: a listener of %r raised", self)

    def _listen(self) -> None:
        """The background thread: read the stream; reconnect with back-off; catch up by seq."""
        delay = 0.2
        timeout = httpx.Timeout(10.0, read=_READ_TIMEOUT)
        while not self._closed.is_set():
            try:
                with self._lock:
                    since = max(0, self._head - self._offset)
                    generation = self.generation
                path = f"threads/{self.thread_id}/stream?since={since}"
                if generation is not None:
                    path += f"&generation={quote(generation, safe='')}"
                url = self.url
                with self._client.stream("GET", path, timeout=timeout) as response:
                    self._response = response
                    if response.status_code != 200:
                        response.read()
                        if response.status_code in (502, 503, 504) and self._next_url(url):
                            delay = 0.1  # another service process: at once
                            continue
                        reason = _json(response).get("reason", response.status_code)
                        log.warning("threadwidget: the service refused the stream: %s", reason)
                    else:
                        delay = 0.2
                        self.connected.set()
                        self._notify()  # whatever was stored while we were away
                        self._read(response)
            except httpx.ConnectError as error:
                if not self._closed.is_set() and self._next_url(url):
                    delay = 0.1
                    continue
                log.info("threadwidget: push channel lost (%s); reconnecting", error)
            except (httpx.HTTPError, OSError, ValueError) as error:
                if not self._closed.is_set():
                    log.info("threadwidget: push channel lost (%s); reconnecting", error)
            finally:
                self._response = None
                self.connected.clear()
            self._closed.wait(delay)
            delay = min(delay * 2, _MAX_BACKOFF)

    def _read(self, response: httpx.Response) -> None:
        kind, data = "message", list[str]()
        for line in response.iter_lines():
            if self._closed.is_set():
                return
            if line == "":
                if data:
                    self._dispatch(kind, "\n".join(data))
                kind, data = "message", []
            elif line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())

    def _dispatch(self, kind: str, text: str) -> None:
        if kind == "event":
            self._remember(json.loads(text))
            self._notify()
        elif kind == "recreated":
            self._recreated()
        elif kind == "deleted":
            log.warning("threadwidget: the shared thread %r was deleted", self.thread_id)
        elif kind == "denied":
            log.warning("threadwidget: the service stopped serving %r: %s", self.thread_id, text)
        elif kind == "roles":
            self.role = json.loads(text)["role"]
            for callback in list(self._role_callbacks):
                try:
                    callback(self.role)
                except Exception:
                    log.exception("threadwidget: a role callback raised")

    def __repr__(self) -> str:
        return f"ServiceStorage({self.url!r}, {self.thread_id!r})"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
