"""Who is calling: identity from JupyterHub, never from what a client claims.

Kernels send the API token JupyterHub gives every single-user server (``JUPYTERHUB_API_TOKEN``)
as ``Authorization: token ...``; browsers log in through the hub (OAuth, a cookie). Either way
:class:`HubIdentity` asks the hub whose token it is (``HubAuth``/``HubOAuth``), checks that the
token may use this service, and looks the user's admin flag and groups up with the service's own
token (roles come from them). A name a client claims (``X-Threadwidget-User``) is only compared:
if it is not the token's owner the request is refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jupyterhub.services.auth import HubAuth, check_scopes  # type: ignore[import-untyped]
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.web import RequestHandler

from .limits import Limits, TooMany

__all__ = ["CLAIMED_USER_HEADER", "AuthError", "HubIdentity", "Identity"]

log = logging.getLogger("threadwidget.service")

#: The header in which a client says who it thinks it is (compared with the token's owner).
CLAIMED_USER_HEADER = "X-Threadwidget-User"


@dataclass(frozen=True)
class Identity:
    """A caller the hub vouched for: its name, hub admin flag and hub groups."""

    name: str
    admin: bool = False
    groups: frozenset[str] = frozenset()
    #: "token" (a kernel, a script) or "cookie" (a browser logged in through the hub)
    via: str = "token"


class AuthError(Exception):
    """A request the service refuses before doing anything: HTTP ``status`` and a clear reason."""

    def __init__(self, status: int, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after


class HubIdentity:
    """Identifies requests with ``hub_auth``; admin/groups are cached ``cache_seconds``, and
    so is the hub's answer for a token (a refusal too). ``limits`` throttles the lookups of
    unknown tokens per client address (a flood of forged tokens never reaches the hub)."""

    def __init__(
        self, hub_auth: HubAuth, *, cache_seconds: float = 30.0, limits: Limits | None = None
    ) -> None:
        self.hub_auth = hub_auth
        # The hub's answer for a token is cached too: keep it short, so a revoked token stops
        # working soon (HubAuth's own default is five minutes).
        hub_auth.cache_max_age = max(1, int(cache_seconds))
        hub_auth.cache.max_age = hub_auth.cache.purge_interval = hub_auth.cache_max_age
        self.cache_seconds = cache_seconds
        self.limits = limits if limits is not None else Limits()
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}
        #: sha256 of the tokens the hub accepted once (their lookups are not throttled)
        self._accepted: set[str] = set()

    async def identify(self, handler: RequestHandler) -> Identity:
        """The verified caller of ``handler``'s request, or :class:`AuthError` (401/403, 429
        for an address that sent too many refused tokens). Asks the hub again (as for a new
        request) once its cached answers are older than ``cache_seconds``."""
        if hasattr(handler, "_cached_hub_user"):  # a long-lived request identified again
            del handler._cached_hub_user
        token = self.hub_auth.get_token(handler, in_cookie=False)
        address = handler.request.remote_ip or ""
        digest = hashlib.sha256(token.encode("utf8", "replace")).hexdigest() if token else ""
        unknown = (
            bool(token)
            and digest not in self._accepted
            and self._token_key(handler, digest) not in self.hub_auth.cache
        )
        if unknown:
            try:
                self.limits.may_look_up(address)
            except TooMany as error:
                raise AuthError(429, error.reason, error.retry_after) from None
        model: dict[str, Any] | None = await self.hub_auth.get_user(handler, sync=False)
        if unknown and model:
            self.limits.accepted_lookup(address)
        if not model:
            if token:
                raise AuthError(
                    401,
                    "JupyterHub does not accept this token (it is forged, expired or revoked); "
                    "nothing changed.",
                )
            if handler.get_cookie(self.hub_auth.cookie_name):
                raise AuthError(
                    403,
                    "This request carries a hub session cookie the service did not accept: "
                    "this service's xsrf token is missing or wrong (send it as the X-XSRFToken "
                    "header or the _xsrf argument, as the service's page does), or the session "
                    "ended; reload the page. Nothing changed.",
                )
            raise AuthError(
                401, "Log in to JupyterHub first (no token and no hub session); nothing changed."
            )
        name = str(model.get("name", ""))
        kind = model.get("kind", "user")
        if kind != "user" or not name:
            raise AuthError(403, f"Only JupyterHub users take part in threads, not a {kind}.")
        required = self.hub_auth.access_scopes
        if required and not check_scopes(required, set(model.get("scopes", ()))):
            raise AuthError(
                403,
                f"{name}'s token may not use this service (it needs one of "
                f"{', '.join(sorted(required))}; see docs/hub.md); nothing changed.",
            )
        claimed = handler.request.headers.get(CLAIMED_USER_HEADER)
        if claimed and claimed != name:
            raise AuthError(
                403,
                f"This token belongs to {name}, not to {claimed}: use your own JupyterHub "
                "token; nothing changed.",
            )
        if digest:  # checked again with the hub like any other, but never throttled
            if len(self._accepted) > 100_000:
                self._accepted.clear()
            self._accepted.add(digest)
        info = await self._user_info(name, model)
        return Identity(
            name=name,
            admin=bool(info.get("admin", False)),
            groups=frozenset(info.get("groups") or ()),
            via="token" if token else "cookie",
        )

    def _token_key(self, handler: RequestHandler, digest: str) -> str:
        """HubAuth's cache key for a token's sha256 (see ``HubAuth.user_for_token``)."""
        return f"token:{self.hub_auth.get_session_id(handler)}:{digest}"

    async def _user_info(self, name: str, model: dict[str, Any]) -> dict[str, Any]:
        """The hub's user model (admin, groups), read with the service's own token."""
        cached = self._users.get(name)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]
        url = f"{self.hub_auth.api_url.rstrip('/')}/users/{quote(name, safe='')}"
        try:
            response = await AsyncHTTPClient().fetch(
                url, headers={"Authorization": f"token {self.hub_auth.api_token}"}
            )
            info: dict[str, Any] = json.loads(response.body)
        except (HTTPClientError, OSError, ValueError) as error:
            # Without read:users / read:groups the token's own model is all we have.
            log.warning(
                "threadwidget: could not read hub user %s (%s); see docs/hub.md", name, error
            )
            info = model
        self._users[name] = (now, info)
        return info

    def forget(self, name: str | None = None) -> None:
        """Drop cached hub user models (one user's, or all), e.g. after a group change."""
        if name is None:
            self._users.clear()
        else:
            self._users.pop(name, None)
