"""Who is calling: identity from JupyterHub, never from what a client claims.

Kernels send the API token JupyterHub gives every single-user server (``JUPYTERHUB_API_TOKEN``)
as ``Authorization: token ...``; browsers log in through the hub (OAuth, a cookie). Either way
:class:`HubIdentity` asks the hub whose token it is (``HubAuth``/``HubOAuth``), checks that the
token may use this service, and looks the user's admin flag and groups up with the service's own
token (roles come from them). A name a client claims (``X-Threadwidget-User``) is only compared:
if it is not the token's owner the request is refused.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jupyterhub.services.auth import HubAuth, check_scopes  # type: ignore[import-untyped]
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.web import RequestHandler

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

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class HubIdentity:
    """Identifies requests with ``hub_auth``; admin/groups are cached ``cache_seconds``."""

    def __init__(self, hub_auth: HubAuth, *, cache_seconds: float = 30.0) -> None:
        self.hub_auth = hub_auth
        # The hub's answer for a token is cached too: keep it short, so a revoked token stops
        # working soon (HubAuth's own default is five minutes).
        hub_auth.cache_max_age = int(cache_seconds)
        self.cache_seconds = cache_seconds
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}

    async def identify(self, handler: RequestHandler) -> Identity:
        """The verified caller of ``handler``'s request, or :class:`AuthError` (401/403)."""
        token = self.hub_auth.get_token(handler, in_cookie=False)
        model: dict[str, Any] | None = await self.hub_auth.get_user(handler, sync=False)
        if not model:
            if token:
                raise AuthError(
                    401,
                    "JupyterHub does not accept this token (it is forged, expired or revoked); "
                    "nothing changed.",
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
        info = await self._user_info(name, model)
        return Identity(
            name=name,
            admin=bool(info.get("admin", False)),
            groups=frozenset(info.get("groups") or ()),
            via="token" if token else "cookie",
        )

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
