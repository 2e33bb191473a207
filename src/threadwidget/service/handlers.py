"""The service's HTTP API, push channel (server-sent events) and web page (tornado handlers).

Every API request is identified by :class:`~.auth.HubIdentity` before anything else happens;
errors are JSON ``{"reason": ..., "field": ...}`` with a 4xx status. See ``docs/hub.md``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, NoReturn

from jupyterhub.services.auth import HubOAuthenticated  # type: ignore[import-untyped]
from pydantic import ValidationError
from tornado.ioloop import IOLoop
from tornado.iostream import StreamClosedError
from tornado.web import Finish, HTTPError, RequestHandler

from ..core import operations, rules
from ..core.models import ID_PATTERN, Thread
from ..page.messages import wire_comment, wire_post
from ..page.requests import MAX_CLIENT_MESSAGE_BYTES, describe_validation_error
from .auth import AuthError, HubIdentity, Identity
from .threads import Entry, ThreadHub
from .viewer import Viewer

__all__ = ["ApiHandler", "Service", "handlers"]

#: Seconds between ``ping`` events on a push channel: proxies keep the connection, and clients
#: that hear nothing for a few of them know it is dead (a proxy may keep a dead one open).
HEARTBEAT = 5.0
#: Seconds a push channel lives before the client must reconnect (and be identified again).
STREAM_MAX_AGE = 600.0


class Service:
    """What every handler shares: the threads, the hub identity and the URL prefix."""

    def __init__(self, hub: ThreadHub, identity: HubIdentity, prefix: str) -> None:
        self.hub = hub
        self.identity = identity
        self.prefix = prefix


class ApiHandler(HubOAuthenticated, RequestHandler):  # type: ignore[misc]
    """Base of every handler: the caller is identified in :meth:`prepare` (``self.who``)."""

    service: Service
    who: Identity

    def initialize(self, service: Service) -> None:
        self.service = service
        self.hub_auth = service.identity.hub_auth

    async def prepare(self) -> None:
        try:
            self.who = await self.service.identity.identify(self)
        except AuthError as error:
            self.refuse(error.status, error.reason)

    def refuse(self, status: int, reason: str, field: str | None = None) -> NoReturn:
        """Answer ``status`` with ``{"reason", "field"}`` and stop handling the request."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        raise Finish(json.dumps({"reason": reason, "field": field}))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if self._finished:
            return
        reason = self._reason
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, HTTPError) and exc.log_message:
            reason = exc.log_message
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"reason": reason, "field": None}))

    def send_json(self, data: object, status: int = 200) -> None:
        """Answer with JSON."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data))

    def body_json(self) -> dict[str, Any]:
        """The request body as a JSON object (413/400 otherwise)."""
        if len(self.request.body) > MAX_CLIENT_MESSAGE_BYTES * 64:
            self.refuse(413, "The request is too large.")
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            self.refuse(400, "The request body is not JSON.")
        if not isinstance(data, dict):
            self.refuse(400, "The request body must be a JSON object.")
        return data

    def thread_id(self, raw: str) -> str:
        """A well-formed thread id that exists (404 otherwise)."""
        if not ID_PATTERN.match(raw):
            self.refuse(404, f"There is no thread {raw!r}.")
        if raw not in self.service.hub.list_threads():
            self.refuse(404, f"There is no thread {raw!r}.", "thread_id")
        return raw

    def wire(self) -> bool:
        """Whether the client wants events as the browser bundle reads them (``?wire=1``)."""
        return self.get_argument("wire", "0") == "1"

    def viewer(self, thread_id: str) -> Viewer:
        """What this caller may see of the thread now (viewer.py); take it *after* reading the
        events to send, so that none moderated meanwhile slips through."""
        return self.service.hub.viewer(thread_id, self.who)

    def entry_json(self, entry: Entry, viewer: Viewer) -> dict[str, Any]:
        """One event for this client, as ``viewer`` may see it."""
        return viewer.entry_json(entry, wire=self.wire())

    def require_teacher(self) -> None:
        """Refuse anyone who does not moderate through the hub (admins, the moderators' group)."""
        roles = self.service.hub.roles
        if not roles.hub_moderator(self.who):
            self.refuse(
                403,
                f"Only hub admins and members of the {roles.moderator_group!r} group can do "
                f"this ({self.who.name} is not one); nothing changed.",
            )


async def _blocking(fn: Any, *args: Any) -> Any:
    """Run store work off the event loop."""
    return await IOLoop.current().run_in_executor(None, fn, *args)


class WhoAmIHandler(ApiHandler):
    """``GET api/whoami``: the verified caller."""

    def get(self) -> None:
        roles = self.service.hub.roles
        self.send_json(
            {
                "name": self.who.name,
                "admin": self.who.admin,
                "groups": sorted(self.who.groups),
                "teacher": roles.hub_moderator(self.who),
            }
        )


class ThreadsHandler(ApiHandler):
    """``GET api/threads`` lists threads; ``POST`` (teachers) creates one."""

    async def get(self) -> None:
        self.send_json({"threads": await _blocking(self.service.hub.list_threads)})

    async def post(self) -> None:
        self.require_teacher()
        data = self.body_json()
        thread_id = data.get("id")
        if not isinstance(thread_id, str) or not ID_PATTERN.match(thread_id):
            self.refuse(400, f"A thread id must match {ID_PATTERN.pattern}.", "id")
        thread = None
        if data.get("thread") is not None:
            try:
                thread = Thread.model_validate(data["thread"])
            except ValidationError as error:
                reason, field = describe_validation_error(error, "thread")
                self.refuse(422, f"Invalid thread: {reason}", field)
        exist_ok = bool(data.get("exist_ok"))
        try:
            created = await _blocking(
                lambda: self.service.hub.create(thread_id, thread, exist_ok=exist_ok)
            )
        except ValueError as error:
            self.refuse(409, str(error), "id")
        self.send_json({"id": thread_id, "created": created}, 201 if created else 200)


class ThreadHandler(ApiHandler):
    """``GET api/threads/<id>``: the thread and its ``seq`` (and the caller's role);
    ``DELETE`` (teachers) deletes it."""

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        hub = self.service.hub
        thread, seq = await _blocking(hub.snapshot, thread_id, self.who)
        self.send_json(
            {
                "id": thread_id,
                "seq": seq,
                "thread": thread.model_dump(mode="json"),
                "user": self.who.name,
                "role": hub.roles.role_of(self.who, thread_id),
            }
        )

    async def delete(self, raw: str) -> None:
        self.require_teacher()
        thread_id = self.thread_id(raw)
        await _blocking(self.service.hub.delete, thread_id)
        self.send_json({"id": thread_id, "deleted": True})


class PageStateHandler(ApiHandler):
    """``GET api/threads/<id>/page``: the web page's starting state (snapshot and config)."""

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        self.send_json(await _blocking(self.service.hub.page_state, thread_id, self.who))


class OpsHandler(ApiHandler):
    """``POST api/threads/<id>/ops`` with ``{"op": {...}, "after": seq}``: decided as the
    verified caller; ``{seq, event, missed}`` or 4xx ``{reason, field}``."""

    async def post(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        if len(self.request.body) > MAX_CLIENT_MESSAGE_BYTES:
            self.refuse(
                413, f"The operation is too large (at most {MAX_CLIENT_MESSAGE_BYTES:,} bytes)."
            )
        data = self.body_json()
        after = data.get("after")
        if after is not None and (not isinstance(after, int) or after < 0):
            self.refuse(400, "after must be a seq (an integer >= 0) or null.", "after")
        try:
            op = operations.parse_operation(data.get("op"))
        except ValidationError as error:
            reason, field = describe_validation_error(error)
            self.refuse(422, f"Invalid operation: {reason}", field)
        try:
            entry, missed = await _blocking(self.service.hub.submit, thread_id, op, self.who, after)
        except rules.OperationRejected as error:
            self.refuse(409, error.reason, error.field)
        viewer = self.viewer(thread_id)
        self.send_json(
            {
                **self.entry_json(entry, viewer),
                "missed": [self.entry_json(m, viewer) for m in missed],
            }
        )


class EventsHandler(ApiHandler):
    """``GET api/threads/<id>/events?since=N``: every event after ``N``."""

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        since = _int_arg(self, "since")
        entries = await _blocking(self.service.hub.events_since, thread_id, since)
        viewer = self.viewer(thread_id)
        self.send_json({"events": [self.entry_json(e, viewer) for e in entries]})


class HistoryHandler(ApiHandler):
    """``GET api/threads/<id>/history``: the thread as first stored and every event since."""

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        origin, entries = await _blocking(self.service.hub.history, thread_id)
        viewer = self.viewer(thread_id)
        self.send_json(
            {
                "origin": viewer.thread(origin).model_dump(mode="json"),
                "events": [self.entry_json(e, viewer) for e in entries],
            }
        )


class TimelineHandler(ApiHandler):
    """``GET api/threads/<id>/timeline``: every moment the thread changed (the replay bar)."""

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        engine = self.service.hub.engine(thread_id)
        stops = await _blocking(engine.moments)
        self.send_json({"moments": [when.isoformat() for when in stops]})


class ReplayHandler(ApiHandler):
    """``GET api/threads/<id>/replay?index=N``: the thread at moment ``N`` of the timeline."""

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        index = _int_arg(self, "index")
        try:
            index, at, count, thread = await _blocking(
                self.service.hub.replay, thread_id, index, self.who
            )
        except IndexError as error:
            self.refuse(404, str(error), "index")
        self.send_json(
            {
                "index": index,
                "at": at.isoformat(),
                "count": count,
                "post": wire_post(thread.post),
                "comments": [wire_comment(c) for c in thread.comments],
            }
        )


class RolesHandler(ApiHandler):
    """``GET api/threads/<id>/roles``: the per-thread roles; ``PUT {"user", "role"}`` (a
    moderator of the thread) changes one (``role`` null: back to the hub's)."""

    def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        roles = self.service.hub.roles
        self.send_json(
            {
                "roles": roles.roles(thread_id),
                "moderator_group": roles.moderator_group,
                "you": roles.role_of(self.who, thread_id),
            }
        )

    def put(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        data = self.body_json()
        user, role = data.get("user"), data.get("role")
        if not isinstance(user, str):
            self.refuse(400, "user must be a JupyterHub user name.", "user")
        try:
            table = self.service.hub.set_role(thread_id, user, role, self.who)
        except PermissionError as error:
            self.refuse(403, f"{error} Nothing changed.")
        except ValueError as error:
            self.refuse(400, str(error), "role")
        self.send_json({"roles": table})


class StreamHandler(ApiHandler):
    """``GET api/threads/<id>/stream?since=N``: server-sent events. Every event after ``N`` (or
    after the ``Last-Event-ID`` a reconnecting browser sends), then each new one as it is
    stored; ``roles`` events when a role changes; a ``ping`` every HEARTBEAT seconds."""

    _closed = False
    _wake: asyncio.Event | None = None

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        hub = self.service.hub
        last = _int_arg(self, "since")
        resume = self.request.headers.get("Last-Event-ID", "")
        if resume.isdigit():
            last = int(resume)
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Accel-Buffering", "no")
        wake = self._wake = asyncio.Event()
        roles_changed = False
        loop = IOLoop.current()

        def listener(kind: str) -> None:
            nonlocal roles_changed
            if kind == "roles":
                roles_changed = True
            loop.add_callback(wake.set)

        unsubscribe = hub.subscribe(thread_id, listener)
        deadline = loop.time() + STREAM_MAX_AGE
        try:
            hello = json.dumps({"user": self.who.name})
            self.write(f"retry: 1000\nevent: hello\ndata: {hello}\n\n")
            while not self._closed and loop.time() < deadline:
                wake.clear()
                entries = await _blocking(hub.events_since, thread_id, last)
                viewer = self.viewer(thread_id)  # after reading: the role and hides of now
                for entry in entries:
                    data = json.dumps(self.entry_json(entry, viewer), separators=(",", ":"))
                    self.write(f"id: {entry.seq}\nevent: event\ndata: {data}\n\n")
                    last = entry.seq
                if roles_changed:
                    roles_changed = False
                    role = hub.roles.role_of(self.who, thread_id)
                    self.write(f"event: roles\ndata: {json.dumps({'role': role})}\n\n")
                await self.flush()
                try:
                    await asyncio.wait_for(wake.wait(), HEARTBEAT)
                except asyncio.TimeoutError:
                    self.write("event: ping\ndata: {}\n\n")
        except StreamClosedError:
            pass
        finally:
            unsubscribe()
        if not self._closed:
            self.finish()

    def on_connection_close(self) -> None:
        self._closed = True
        if self._wake is not None:
            self._wake.set()


def _int_arg(handler: ApiHandler, name: str) -> int:
    raw = handler.get_argument(name, "0")
    if not raw.isdigit():
        handler.refuse(400, f"{name} must be a seq (an integer >= 0).", name)
    return int(raw)


def handlers(prefix: str) -> list[tuple[str, type[RequestHandler]]]:
    """The API routes under ``prefix`` (which ends with ``/``)."""
    api = f"{prefix}api/"
    one = api + r"threads/([^/]+)"
    return [
        (api + "whoami", WhoAmIHandler),
        (api + "threads", ThreadsHandler),
        (one, ThreadHandler),
        (one + "/page", PageStateHandler),
        (one + "/ops", OpsHandler),
        (one + "/events", EventsHandler),
        (one + "/history", HistoryHandler),
        (one + "/roles", RolesHandler),
        (one + "/timeline", TimelineHandler),
        (one + "/replay", ReplayHandler),
        (one + "/stream", StreamHandler),
    ]
