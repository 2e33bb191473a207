"""The tornado application of the service, its web page, and ``threadwidget serve``.

JupyterHub starts the service (``c.JupyterHub.services``) with its address, prefix, API token and
OAuth client in the environment (``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``,
``JUPYTERHUB_API_TOKEN``, ``JUPYTERHUB_CLIENT_ID``...); :func:`main` reads them.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import logging
import os
import secrets
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler  # type: ignore[import-untyped]
from tornado.httpserver import HTTPServer
from tornado.log import access_log
from tornado.web import Application, RedirectHandler, RequestHandler, StaticFileHandler

from ..stores.store import open_store
from . import DEFAULT_MODERATOR_GROUP, DEFAULT_SERVICE_NAME
from .auth import AuthError, HubIdentity, Identity
from .handlers import MAX_BODY_BYTES, ApiHandler, Service, handlers
from .limits import Limits, TooMany
from .roles import RoleBook
from .threads import ThreadHub

__all__ = ["make_app", "run"]

log = logging.getLogger("threadwidget.service")

_HERE = Path(__file__).resolve().parent
_BUNDLE = _HERE.parent / "static"

#: Content Security Policy of the web page: only this service's scripts; comment text is
#: sanitised by the bundle, and even a miss could not load or send anything elsewhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' https: data:; connect-src 'self'; font-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{prefix}static/bundle/widget.css">
<link rel="stylesheet" href="{prefix}static/page/page.css">
</head>
<body>
<header class="twp-bar">
  <strong class="twp-title" data-role="page-thread">{title}</strong>
  <span class="twp-who" data-role="page-user"></span>
  <span class="twp-status" data-role="page-status" aria-live="polite">connecting…</span>
</header>
<main class="twp-main" id="thread"></main>
<script type="application/json" id="twp-config">{config}</script>
<script type="module" src="{prefix}static/page/page.js"></script>
</body>
</html>
"""


class BrowserHandler(ApiHandler):
    """A page for people: anonymous visitors are sent to the hub's login first."""

    async def admit(self) -> None:
        model = await self.hub_auth.get_user(self, sync=False)
        if not model:
            self.close_after()
            self.redirect(self.get_login_url())
            return
        try:
            self.who = await self.service.identity.identify(self)
            self.service.limits.read(self.who.name)
        except (AuthError, TooMany) as error:
            self.set_status(error.status if isinstance(error, AuthError) else 429)
            if error.retry_after is not None:
                self.set_header("Retry-After", str(error.retry_after))
            self.close_after()
            self.finish(f"<!doctype html><p>{html.escape(error.reason)}</p>")
            return
        self.check_body_size()


class PageHandler(BrowserHandler):
    """``GET threads/<id>``: the thread as a web page (hub login; the same frontend bundle)."""

    def get(self, raw: str) -> None:
        thread_id = self.thread_id(raw)
        prefix = self.service.prefix
        config = {
            "thread": thread_id,
            "api": f"{prefix}api/threads/{thread_id}",
            "bundle": f"{prefix}static/bundle/widget.js",
            "xsrf": _text(self.xsrf_token),
        }
        # JSON inside <script>: no "<" may end the element early
        text = json.dumps(config).replace("<", "\\u003c")
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")
        title = html.escape(f"{thread_id} · threadwidget")
        self.finish(_PAGE.format(title=title, prefix=prefix, config=text))


class IndexHandler(BrowserHandler):
    """``GET`` the service root: a list of threads, each a link to its page."""

    def get(self) -> None:
        prefix = self.service.prefix
        items = "".join(
            f'<li><a href="{prefix}threads/{html.escape(t)}">{html.escape(t)}</a></li>'
            for t in self.service.hub.readable(self.who)
        )
        self.set_header("Content-Security-Policy", CSP)
        self.finish(
            "<!doctype html><html lang='en'><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>threadwidget</title><h1>Threads</h1><ul>{items}</ul></html>"
        )


class RequestLog:
    """Tornado's request log, except refusals past a limit (429): a caller's first is logged,
    then one line per ``every`` seconds says how many more (a flood does not become log work)."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self._refused: dict[str, tuple[float, int]] = {}

    def __call__(self, handler: RequestHandler) -> None:
        status = handler.get_status()
        if status == 429:
            who = getattr(handler, "who", None)
            key = who.name if isinstance(who, Identity) else handler.request.remote_ip or "?"
            now = time.monotonic()
            since, more = self._refused.get(key, (now - self.every, 0))
            if now - since < self.every:
                self._refused[key] = (since, more + 1)
                return
            if len(self._refused) > 10_000:
                self._refused.clear()
            self._refused[key] = (now, 0)
            if more:
                access_log.warning(
                    "%d more requests of %s refused (429) in %.0f s", more, key, now - since
                )
        if status < 400:
            method = access_log.info
        elif status < 500:
            method = access_log.warning
        else:
            method = access_log.error
        took = 1000.0 * handler.request.request_time()
        method("%d %s %.2fms", status, handler._request_summary(), took)


def make_app(
    store: str | os.PathLike[str],
    *,
    prefix: str = f"/services/{DEFAULT_SERVICE_NAME}/",
    moderator_group: str = DEFAULT_MODERATOR_GROUP,
    data_dir: str | os.PathLike[str] = ".",
    hub_auth: HubOAuth | None = None,
    cache_seconds: float = 30.0,
    limits: Limits | None = None,
) -> tuple[Application, ThreadHub]:
    """The tornado application serving ``store`` under ``prefix``, and its :class:`ThreadHub`.
    ``cache_seconds``: how long the hub's word on a token, a user's groups and admin flag is
    kept (open streams ask again after it)."""
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    auth = (
        hub_auth if hub_auth is not None else HubOAuth.instance(cache_max_age=30)
    )  # the callback handler uses it
    shared = open_store(store)
    # roles and access lists live in the store: every service process on it sees them
    roles = RoleBook(moderator_group, data / "roles.json", store=shared)
    hub = ThreadHub(shared, roles)
    identity = HubIdentity(auth, cache_seconds=cache_seconds, limits=limits)
    service = Service(hub, identity, prefix)
    kw: dict[str, Any] = {"service": service}
    routes: list[Any] = [(route, handler, kw) for route, handler in handlers(prefix)]
    bundle, page = str(_BUNDLE), str(_HERE / "static")
    routes += [
        (prefix, IndexHandler, kw),
        (prefix.rstrip("/"), RedirectHandler, {"url": prefix}),
        (prefix + r"threads/([^/]+)/?", PageHandler, kw),
        (prefix + "oauth_callback", HubOAuthCallbackHandler),
        (prefix + r"static/bundle/(widget\.(?:js|css))", StaticFileHandler, {"path": bundle}),
        (prefix + r"static/page/(page\.(?:js|css))", StaticFileHandler, {"path": page}),
    ]
    app = Application(
        routes,
        cookie_secret=_cookie_secret(data),
        hub_auth=auth,
        login_url=auth.login_url,
        log_function=RequestLog(),
    )
    return app, hub


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _cookie_secret(data: Path) -> bytes:
    """The secret that signs the service's login cookies, kept across restarts (so pages
    reconnect without logging in again): ``THREADWIDGET_COOKIE_SECRET`` or a private file."""
    env = os.environ.get("THREADWIDGET_COOKIE_SECRET")
    if env:
        return env.encode()
    path = data / "cookie_secret"
    if path.exists():
        return path.read_bytes().strip()
    secret = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(secret)
    return secret


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM/SIGINT; the exit code."""
    logging.basicConfig(level=logging.INFO, format="[threadwidget %(levelname)s] %(message)s")
    if not os.environ.get("JUPYTERHUB_API_TOKEN"):
        log.error("threadwidget serve runs as a JupyterHub service: see docs/hub.md")
        return 2
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    ip = args.ip or url.hostname or "127.0.0.1"
    port = args.port or url.port or 10101
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{DEFAULT_SERVICE_NAME}/")
    store = args.store or str(Path(args.data_dir) / "threads.db")
    limits = Limits(
        streams_per_user=args.max_streams_per_user,
        read_rate=args.reads_per_second,
        read_burst=max(args.reads_per_second * 6, 20),
    )
    app, hub = make_app(
        store,
        prefix=prefix,
        moderator_group=args.moderator_group,
        data_dir=args.data_dir,
        cache_seconds=args.auth_cache_seconds,
        limits=limits,
    )
    return asyncio.run(_serve(app, hub, ip, port, prefix))


async def _serve(app: Application, hub: ThreadHub, ip: str, port: int, prefix: str) -> int:
    # no body beyond the largest any route takes is ever buffered (each route takes less)
    server = HTTPServer(app, xheaders=True, max_body_size=MAX_BODY_BYTES)
    server.listen(port, ip, backlog=1024)  # a burst of connections is queued, not refused
    log.info("serving %s on http://%s:%d%s", hub.store, ip, port, prefix)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.stop()
    hub.close()
    log.info("stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m threadwidget.service.app``: the same as ``threadwidget serve``."""
    from .options import build_parser

    return run(build_parser().parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
