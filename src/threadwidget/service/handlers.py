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
from tornado.web import Finish, HTTPError, RequestHandler, stream_request_body

from ..core import operations, rules
from ..core.models import ID_PATTERN, Thread
from ..core.study import VariantPlan, clean_row
from ..page.messages import wire_comment, wire_post
from ..page.requests import MAX_CLIENT_MESSAGE_BYTES, describe_validation_error
from .auth import AuthError, HubIdentity, Identity
from .limits import EVENTS_PER_READ, MAX_JSON_DEPTH, Limits, TooMany, json_depth
from .roles import Access, parse_names
from .threads import Entry, ThreadHub
from .viewer import Viewer

__all__ = ["MAX_BODY_BYTES", "ApiHandler", "Service", "handlers"]

#: Seconds between ``ping`` events on a push channel: proxies keep the connection, and clients
#: that hear nothing for a few of them know it is dead (a proxy may keep a dead one open).
HEARTBEAT = 5.0
#: Seconds a push channel lives before the client must reconnect (and be identified again).
STREAM_MAX_AGE = 600.0
#: The largest request body the service reads at all (a whole thread sent to create one);
#: each route allows less (``ApiHandler.body_limit``), checked before the body is read.
MAX_BODY_BYTES = MAX_CLIENT_MESSAGE_BYTES * 64
#: Seconds a 429 waits before it is sent (a flood with a few connections is slowed to a
#: trickle; one with many gets its refusals one after another: ``Limits.refusal_delay``).
TARPIT = 1.0


class Service:
    """What every handler shares: the threads, the hub identity, the URL prefix and the
    limits per caller."""

    def __init__(self, hub: ThreadHub, identity: HubIdentity, prefix: str) -> None:
        self.hub = hub
        self.identity = identity
        self.prefix = prefix
        self.limits: Limits = identity.limits


@stream_request_body
class ApiHandler(HubOAuthenticated, RequestHandler):  # type: ignore[misc]
    """Base of every handler: the caller is identified in :meth:`prepare` (``self.who``),
    before any of the request body is read; the body is then read up to ``body_limit``."""

    service: Service
    who: Identity
    #: the largest body this route reads (413 beyond, from Content-Length or while reading)
    body_limit = 4096

    def initialize(self, service: Service) -> None:
        self.service = service
        self.hub_auth = service.identity.hub_auth
        self._chunks: list[bytes] = []
        self._size = 0

    async def prepare(self) -> None:
        try:
            await self.admit()
        except Finish:
            self.close_after()
            raise

    def close_after(self) -> None:
        """Say ``Connection: close`` on an answer given before the request body was read:
        tornado closes such a connection after answering, and a client not told so (the hub's
        proxy keeps its connections to the service alive) may send its next request, someone
        else's, down it and fail (the proxy's 503 "socket hang up")."""
        self.set_header("Connection", "close")

    async def admit(self) -> None:
        """Identify the caller, check the declared body size, count a read (Finish: refused)."""
        try:
            self.who = await self.service.identity.identify(self)
        except AuthError as error:
            if error.status == 429:
                await self.too_many(TooMany(error.reason, error.retry_after or 1))
            self.refuse(error.status, error.reason, retry_after=error.retry_after)
        self.check_body_size()
        if self.request.method in ("GET", "HEAD"):  # every read counts against the caller
            try:
                self.service.limits.read(self.who.name)
            except TooMany as error:
                await self.too_many(error)

    async def charge(self, events: int) -> None:
        """A read returning ``events`` events costs one read per EVENTS_PER_READ of them (the
        first are in the price paid in :meth:`prepare`)."""
        extra = max(0, events) // EVENTS_PER_READ
        if extra:
            try:
                self.service.limits.read(self.who.name, extra)
            except TooMany as error:
                await self.too_many(error)

    async def too_many(self, error: TooMany) -> NoReturn:
        """429 with ``Retry-After``, answered after a pause (at most TARPIT seconds, and the
        caller's refusals one at a time at their read rate): a client that ignores
        ``Retry-After`` slows itself down instead of the service, however many requests it
        has in flight."""
        who = getattr(self, "who", None)
        caller = who.name if who is not None else f"address {self.request.remote_ip}"
        pause = min(error.retry_after, TARPIT)
        await asyncio.sleep(self.service.limits.refusal_delay(caller, pause))
        self.refuse(429, error.reason, retry_after=error.retry_after)

    def check_body_size(self) -> None:
        """413 for a declared body larger than this route takes; the connection reads no more
        than that in any case (a chunked body is cut off there)."""
        declared = self.request.headers.get("Content-Length", "0")
        if not declared.isdigit() or int(declared) > self.body_limit:
            self.refuse(413, f"The request is too large (at most {self.body_limit:,} bytes).")
        connection = self.request.connection
        if connection is not None and hasattr(connection, "set_max_body_size"):
            connection.set_max_body_size(self.body_limit)

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self.body_limit:
            self.close_after()
            self.refuse(413, f"The request is too large (at most {self.body_limit:,} bytes).")
        self._chunks.append(chunk)

    @property
    def body(self) -> bytes:
        """The request body (read after :meth:`prepare` identified the caller)."""
        return b"".join(self._chunks)

    def refuse(
        self,
        status: int,
        reason: str,
        field: str | None = None,
        *,
        retry_after: int | None = None,
    ) -> NoReturn:
        """Answer ``status`` with ``{"reason", "field"}`` and stop handling the request."""
        self.set_status(status)
        if retry_after is not None:
            self.set_header("Retry-After", str(retry_after))
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
        self.send_text(json.dumps(data), status)

    def send_text(self, text: str, status: int = 200) -> None:
        """Answer with ``text``, JSON already encoded."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(text)

    def body_json(self) -> dict[str, Any]:
        """The request body as a JSON object (400 otherwise, or nested too deeply)."""
        too_deep = False
        try:
            data = json.loads(self.body or b"{}")
        except RecursionError:
            too_deep = True
        except ValueError:
            self.refuse(400, "The request body is not JSON.")
        if too_deep or not json_depth(data):
            self.refuse(400, f"The request body nests deeper than {MAX_JSON_DEPTH} levels.")
        if not isinstance(data, dict):
            self.refuse(400, "The request body must be a JSON object.")
        return data

    def thread_id(self, raw: str) -> str:
        """A well-formed thread id that exists and the caller may read (404 otherwise: a
        thread kept from someone is not even said to exist)."""
        if not ID_PATTERN.match(raw):
            self.refuse(404, f"There is no thread {raw!r}.")
        hub = self.service.hub
        if raw not in hub.list_threads() or not hub.roles.may_read(self.who, raw):
            self.refuse(404, f"There is no thread {raw!r} you may read.", "thread_id")
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

    def entry_text(self, entry: Entry, viewer: Viewer) -> str:
        """:meth:`entry_json` as JSON text (an event's own text is encoded once for all)."""
        return viewer.entry_text(entry, wire=self.wire())

    async def events_after(self, thread_id: str, seq: int) -> list[Entry]:
        """Every event of the thread after ``seq``: from memory on the event loop, from the
        store (rare: older than the service's memory) off it; KeyError if it is gone."""
        hub = self.service.hub
        entries = hub.recent_since(thread_id, seq)
        if entries is None:
            entries = await _blocking(hub.events_since, thread_id, seq)
        return entries

    def access_from(self, data: dict[str, Any]) -> Access:
        """``readers``/``writers`` of a request body (400 naming the field if malformed)."""
        try:
            return Access(
                parse_names(data.get("readers"), "readers"),
                parse_names(data.get("writers"), "writers"),
            )
        except ValueError as error:
            field = "writers" if str(error).startswith("writers") else "readers"
            self.refuse(400, str(error), field)

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

    def check_body_size(self) -> None:
        # a whole thread, from teachers only (a student's body is refused before it is read)
        if self.request.method == "POST" and self.service.hub.roles.hub_moderator(self.who):
            self.body_limit = MAX_BODY_BYTES
        super().check_body_size()

    async def get(self) -> None:
        self.send_json({"threads": await _blocking(self.service.hub.readable, self.who)})

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
        access = self.access_from(data) if {"readers", "writers"} & data.keys() else None
        try:
            created = await _blocking(
                lambda: self.service.hub.create(thread_id, thread, exist_ok=exist_ok)
            )
        except ValueError as error:
            self.refuse(409, str(error), "id")
        if access is not None:
            self.service.hub.set_access(thread_id, access)
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
                "generation": hub.generation(thread_id),
            }
        )

    async def delete(self, raw: str) -> None:
        self.require_teacher()
        thread_id = self.thread_id(raw)
        await _blocking(self.service.hub.delete, thread_id)
        self.send_json({"id": thread_id, "deleted": True})


class AccessHandler(ApiHandler):
    """``GET api/threads/<id>/access``: who may read and write it (null: every hub user);
    ``PUT {"readers", "writers"}`` (teachers) sets both."""

    def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        self.send_json(self.service.hub.roles.access(thread_id).json())

    def put(self, raw: str) -> None:
        self.require_teacher()
        thread_id = self.thread_id(raw)
        access = self.access_from(self.body_json())
        self.send_json(self.service.hub.set_access(thread_id, access).json())


class PageStateHandler(ApiHandler):
    """``GET api/threads/<id>/page``: the web page's starting state (snapshot and config)."""

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        self.send_json(await _blocking(self.service.hub.page_state, thread_id, self.who))


class OpsHandler(ApiHandler):
    """``POST api/threads/<id>/ops`` with ``{"op": {...}, "after": seq}``: decided as the
    verified caller; ``{seq, event, missed}`` or 4xx ``{reason, field}``."""

    body_limit = MAX_CLIENT_MESSAGE_BYTES

    async def post(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        data = self.body_json()
        after = data.get("after")
        if after is not None and (not isinstance(after, int) or after < 0):
            self.refuse(400, "after must be a seq (an integer >= 0) or null.", "after")
        generation = data.get("generation")
        if generation is not None and generation != self.service.hub.generation(thread_id):
            self.refuse(
                409,
                f"The thread {thread_id!r} was deleted and created again since you read it; "
                "read it again (nothing changed).",
                "generation",
            )
        try:
            op = operations.parse_operation(data.get("op"))
        except ValidationError as error:
            reason, field = describe_validation_error(error)
            self.refuse(422, f"Invalid operation: {reason}", field)
        try:
            entry, missed = await _blocking(self.service.hub.submit, thread_id, op, self.who, after)
        except TooMany as error:
            await self.too_many(error)
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
        await self.charge(self.service.hub.engine(thread_id).seq - since)
        entries = await self.events_after(thread_id, since)
        viewer = self.viewer(thread_id)
        events = ",".join(self.entry_text(e, viewer) for e in entries)
        self.send_text(f'{{"events":[{events}]}}')


class HistoryHandler(ApiHandler):
    """``GET api/threads/<id>/history``: the thread as first stored and every event since."""

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        await self.charge(self.service.hub.engine(thread_id).seq)
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
        await self.charge(engine.seq)  # read from the whole history
        stops = await _blocking(engine.moments)
        self.send_json({"moments": [when.isoformat() for when in stops]})


class ReplayHandler(ApiHandler):
    """``GET api/threads/<id>/replay?index=N``: the thread at moment ``N`` of the timeline."""

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        index = _int_arg(self, "index")
        await self.charge(self.service.hub.engine(thread_id).seq)  # replayed from the start
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


class VariantsHandler(ApiHandler):
    """``GET api/threads/<id>/variants``: the variant plan (``{"plan": ...}``; a participant
    gets only their own variant); ``PUT {"plan"}`` (moderators of the thread) sets it."""

    body_limit = MAX_CLIENT_MESSAGE_BYTES

    def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        plan = self.service.hub.variant_plan(thread_id, self.who)
        self.send_json({"plan": None if plan is None else json.loads(plan.to_json())})

    def put(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        data = self.body_json().get("plan")
        try:
            plan = None if data is None else VariantPlan.from_json(json.dumps(data))
        except (ValueError, TypeError) as error:
            self.refuse(400, str(error), "plan")
        try:
            self.service.hub.set_variant_plan(thread_id, plan, self.who)
        except PermissionError as error:
            self.refuse(403, f"{error} Nothing changed.")
        self.send_json({"plan": data})


class InteractionsHandler(ApiHandler):
    """``POST api/threads/<id>/interactions {"rows"}``: the caller's interaction-log rows
    (their own: the hub says who they are), within a bytes-per-second budget; ``GET``
    (moderators of the thread): every row."""

    body_limit = MAX_CLIENT_MESSAGE_BYTES

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        try:
            rows = await _blocking(self.service.hub.interactions, thread_id, self.who)
        except PermissionError as error:
            self.refuse(403, str(error))
        await self.charge(len(rows))
        self.send_json({"rows": rows})

    async def post(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        rows = self.body_json().get("rows")
        if not isinstance(rows, list):
            self.refuse(400, "rows must be a list of log rows.", "rows")
        try:
            clean = [clean_row(row) for row in rows]
        except ValueError as error:
            self.refuse(422, str(error), "rows")
        kept = await _blocking(self.service.hub.add_interactions, thread_id, self.who, clean)
        self.send_json({"kept": kept, "dropped": len(clean) - kept})


class StreamHandler(ApiHandler):
    """``GET api/threads/<id>/stream?since=N``: server-sent events. Every event after ``N`` (or
    after the ``Last-Event-ID`` a reconnecting browser sends), then each new one as it is
    stored; ``roles`` events when a role changes; a ``ping`` every HEARTBEAT seconds.

    At most ``Limits.streams_per_user`` open at once per user (429 beyond). The caller is
    identified with the hub again every ``cache_seconds``: a revoked token or a closed session
    ends the stream (a ``denied`` event), a changed role (a teacher taken out of the
    moderators' group) applies to the very next event."""

    _closed = False
    _wake: asyncio.Event | None = None

    async def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        hub = self.service.hub
        last = _int_arg(self, "since")
        resume = self.request.headers.get("Last-Event-ID", "")
        if resume.isdigit():
            last = int(resume)
        try:
            release = self.service.limits.open_stream(self.who.name)
        except TooMany as error:
            await self.too_many(error)
        try:
            await self._serve(thread_id, hub, last)
        finally:
            release()

    async def _serve(self, thread_id: str, hub: ThreadHub, last: int) -> None:
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Accel-Buffering", "no")
        wake = self._wake = asyncio.Event()
        roles_changed = False
        loop = IOLoop.current()

        deleted = False

        def listener(kind: str) -> None:
            nonlocal roles_changed, deleted
            if kind == "roles":
                roles_changed = True
            elif kind == "deleted":
                deleted = True
            loop.add_callback(wake.set)

        generation = hub.generation(thread_id)
        unsubscribe = hub.subscribe(thread_id, listener)
        deadline = loop.time() + STREAM_MAX_AGE
        identity = self.service.identity
        checked = loop.time()
        role = hub.roles.role_of(self.who, thread_id)
        try:
            hello = json.dumps({"user": self.who.name, "generation": generation})
            self.write(f"retry: 1000\nevent: hello\ndata: {hello}\n\n")
            known = self.get_argument("generation", None)
            if known is not None and known != generation:  # re-created since the client read
                self.write(f"event: recreated\ndata: {json.dumps({'generation': generation})}\n\n")
                deadline = loop.time()
            while not self._closed and loop.time() < deadline:
                wake.clear()
                if deleted:
                    self.write("event: deleted\ndata: {}\n\n")
                    break
                if loop.time() - checked >= identity.cache_seconds:
                    checked = loop.time()
                    try:  # the hub's word of now: revoked tokens, group changes
                        self.who = await identity.identify(self)
                    except AuthError as error:
                        denied = json.dumps({"reason": error.reason, "status": error.status})
                        self.write(f"event: denied\ndata: {denied}\n\n")
                        break
                    roles_changed = True  # the role is compared below
                if not hub.roles.may_read(self.who, thread_id):  # taken off its readers
                    denied = json.dumps(
                        {"reason": "You may no longer read this thread.", "status": 404}
                    )
                    self.write(f"event: denied\ndata: {denied}\n\n")
                    break
                try:
                    entries = await self.events_after(thread_id, last)
                except KeyError:  # deleted meanwhile
                    self.write("event: deleted\ndata: {}\n\n")
                    break
                viewer = self.viewer(thread_id)  # after reading: the role and hides of now
                for entry in entries:
                    data = self.entry_text(entry, viewer)
                    self.write(f"id: {entry.seq}\nevent: event\ndata: {data}\n\n")
                    last = entry.seq
                if roles_changed:
                    roles_changed = False
                    now = hub.roles.role_of(self.who, thread_id)
                    if now != role:
                        role = now
                        self.write(f"event: roles\ndata: {json.dumps({'role': role})}\n\n")
                await self.flush()
                timeout = min(HEARTBEAT, max(0.1, identity.cache_seconds))
                try:
                    await asyncio.wait_for(wake.wait(), timeout)
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
        (one + "/access", AccessHandler),
        (one + "/timeline", TimelineHandler),
        (one + "/replay", ReplayHandler),
        (one + "/stream", StreamHandler),
        (one + "/variants", VariantsHandler),
        (one + "/interactions", InteractionsHandler),
    ]
