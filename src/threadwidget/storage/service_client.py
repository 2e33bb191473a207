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
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from ..core import operations, rules
from ..core.models import Thread
from ..core.storage import CatchUp, Decide, Listener, Storage

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
    return url if url.endswith("/") else url + "/"


def hub_token(environ: Mapping[str, str] | None = None) -> str | None:
    """The JupyterHub API token of this single-user server (and its kernels)."""
    env = os.environ if environ is None else environ
    return env.get("JUPYTERHUB_API_TOKEN") or env.get("JPY_API_TOKEN") or None


def from_environment(thread_id: str, *, create: Thread | None = None) -> ServiceStorage | None:
    """Thread ``thread_id`` on the hub's threadwidget service when the environment names one
    (see :func:`service_url_from_env`), else None. ``create`` makes the thread if it does not
    exist (the service lets only teachers do that)."""
    if service_url_from_env() is None:
        return None
    return ServiceStorage(thread_id, create=create)


class ServiceStorage(Storage):
    """Thread ``thread_id`` on the service at ``url`` (default: from the environment), as the
    user whose hub ``token`` this is (default: ``JUPYTERHUB_API_TOKEN``)."""

    def __init__(
        self,
        thread_id: str,
        url: str | None = None,
        *,
        token: str | None = None,
        claimed_user: str | None = None,
        create: Thread | None = None,
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
        self.url = base if base.endswith("/") else base + "/"
        claimed = claimed_user if claimed_user is not None else os.environ.get("JUPYTERHUB_USER")
        headers = {"Authorization": f"token {token}"}
        if claimed:
            headers["X-Threadwidget-User"] = claimed
        self._client = httpx.Client(
            base_url=f"{self.url}api/", headers=headers, timeout=timeout, follow_redirects=False
        )
        #: The verified user the service acts for, and their role in this thread.
        self.user = ""
        self.role: rules.Role = "participant"
        self._lock = threading.Lock()
        self._known: dict[int, operations.Recorded] = {}
        self._head = 0
        self._listeners: list[Listener] = []
        self._role_callbacks: list[Callable[[str], None]] = []
        self._closed = threading.Event()
        self._stream: threading.Thread | None = None
        self._response: httpx.Response | None = None
        #: Set while the push channel is connected.
        self.connected = threading.Event()
        if create is not None and self._get(f"threads/{thread_id}", missing_ok=True) is None:
            self._call(
                "POST",
                "threads",
                {"id": thread_id, "thread": create.model_dump(mode="json"), "exist_ok": True},
            )

    @property
    def shared(self) -> bool:
        return True

    # ---- HTTP ---------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: object = None) -> dict[str, Any]:
        """One request; :class:`OperationRejected` with the service's reason on a 4xx/5xx."""
        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as error:
            raise rules.OperationRejected(
                f"Could not reach the threadwidget service at {self.url} ({error}); if it "
                "stored the operation it will show up here."
            ) from error
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
        seq = int(data["seq"])
        with self._lock:
            self._head = max(self._head, seq)
        return rules.ThreadState.from_thread(Thread.model_validate(data["thread"])), seq

    def submit(
        self, after: int, op: operations.Operation | None, catch_up: CatchUp, decide: Decide
    ) -> tuple[int, operations.Recorded]:
        if op is None:
            raise rules.OperationRejected("A shared thread cannot be replaced from a kernel.")
        body = {"op": op.model_dump(mode="json"), "after": after}
        data = self._call("POST", f"threads/{self.thread_id}/ops", body)
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
        data = self._call("GET", f"threads/{self.thread_id}/events?since={seq}")
        return [self._remember(item) for item in data["events"]]

    def history(self) -> tuple[Thread, Iterator[tuple[int, operations.Recorded]]]:
        data = self._call("GET", f"threads/{self.thread_id}/history")
        events = [(int(i["seq"]), operations.parse_recorded(i["event"])) for i in data["events"]]
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

    # ---- the service's extras -----------------------------------------------------------------

    def roles(self) -> dict[str, str]:
        """The per-thread roles a moderator set: user -> role."""
        return dict(self._call("GET", f"threads/{self.thread_id}/roles")["roles"])

    def set_role(self, user: str, role: rules.Role | None) -> dict[str, str]:
        """Give ``user`` a role in this thread (moderators only; None: the hub's default)."""
        body = {"user": user, "role": role}
        return dict(self._call("PUT", f"threads/{self.thread_id}/roles", body)["roles"])

    def on_role(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Call ``callback(new_role)`` when a moderator changes this user's role here."""
        self._role_callbacks.append(callback)
        return lambda: self._role_callbacks.remove(callback)

    # ---- the push channel ---------------------------------------------------------------------

    def _remember(self, item: Mapping[str, Any]) -> tuple[int, operations.Recorded]:
        seq, event = int(item["seq"]), operations.parse_recorded(item["event"])
        with self._lock:
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
                    since = self._head
                path = f"threads/{self.thread_id}/stream?since={since}"
                with self._client.stream("GET", path, timeout=timeout) as response:
                    self._response = response
                    if response.status_code != 200:
                        response.read()
                        reason = _json(response).get("reason", response.status_code)
                        log.warning("threadwidget: the service refused the stream: %s", reason)
                    else:
                        delay = 0.2
                        self.connected.set()
                        self._notify()  # whatever was stored while we were away
                        self._read(response)
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
