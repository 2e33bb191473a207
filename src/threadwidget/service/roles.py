"""Roles from the hub, with per-thread changes made by moderators, and who may read or write
each thread.

Hub admins and members of the moderators' group (``teachers`` by default) moderate every thread;
everyone else participates. A moderator may make someone a moderator, a participant or a reader
in one thread; hub moderators stay moderators (nobody can lock the teachers out).

A thread's access lists name hub users (``"alice"``) and hub groups (``"group:cs101"``): only
those on ``readers`` may see the thread at all (it is not even listed for others), only those on
``writers`` take part (the others read). None, the default, is every hub user. Hub moderators
always read and write. The per-thread choices are kept in a small JSON file next to the
service's data, written atomically, or (``store``) in the threads' store itself, so that every
service process on one PostgreSQL server sees them (each re-reads a thread's at most ``ttl``
seconds old).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import rules
from ..stores.store import SharedStore
from .auth import Identity

__all__ = ["Access", "RoleBook", "parse_names"]

#: A hub user or group name as an access list holds it (JupyterHub names are short, no spaces).
_NAME = re.compile(r"^(group:)?[^\s/:]{1,255}$")


def parse_names(value: object, field: str) -> tuple[str, ...] | None:
    """An access list from JSON or Python: None (every hub user) or user and ``group:`` names;
    ``ValueError`` naming ``field`` otherwise."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(
            f"{field} must be a list of hub user names and 'group:NAME' entries, or null"
        )
    names = tuple(dict.fromkeys(value))
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(
                f"{field}: {name!r} is neither a hub user name nor 'group:NAME' (no spaces, "
                "slashes or other colons)"
            )
    if len(names) > 10_000:
        raise ValueError(f"{field} names more than 10,000 users and groups")
    return names


@dataclass(frozen=True)
class Access:
    """Who may read and who may write one thread (None: every hub user)."""

    readers: tuple[str, ...] | None = None
    writers: tuple[str, ...] | None = None

    @staticmethod
    def names(who: Identity) -> frozenset[str]:
        """What of the access lists ``who`` matches: their name and ``group:`` names."""
        return frozenset({who.name, *(f"group:{g}" for g in who.groups)})

    def reads(self, who: Identity) -> bool:
        """Whether ``who`` (not a hub moderator) may read the thread."""
        return self.readers is None or not self.names(who).isdisjoint(self.readers)

    def writes(self, who: Identity) -> bool:
        """Whether ``who`` (not a hub moderator) may take part."""
        return self.writers is None or not self.names(who).isdisjoint(self.writers)

    def json(self) -> dict[str, Any]:
        """``{"readers", "writers"}`` (lists or null)."""
        return {
            "readers": None if self.readers is None else list(self.readers),
            "writers": None if self.writers is None else list(self.writers),
        }


class RoleBook:
    """Who has which role in which thread; ``path`` None keeps the changes in memory only."""

    def __init__(
        self,
        moderator_group: str,
        path: str | os.PathLike[str] | None = None,
        *,
        store: SharedStore | None = None,
        ttl: float = 2.0,
    ) -> None:
        self.moderator_group = moderator_group
        self.path = None if path is None else Path(path)
        self.store = store
        self.ttl = ttl
        self._read: dict[str, float] = {}
        self._lock = threading.RLock()
        self._roles: dict[str, dict[str, rules.Role]] = {}
        self._access: dict[str, Access] = {}
        if self.path is not None and self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            access = data.pop("@access", {}) if isinstance(data.get("@access"), dict) else {}
            for thread_id, roles in data.items():
                self._roles[thread_id] = {
                    str(user): role for user, role in roles.items() if role in rules.ROLES
                }
            for thread_id, lists in access.items():
                self._access[thread_id] = Access(
                    parse_names(lists.get("readers"), "readers"),
                    parse_names(lists.get("writers"), "writers"),
                )
        if store is not None:  # a roles.json of an earlier version: into the store, once
            with self._lock:
                for thread_id in sorted({*self._roles, *self._access}):
                    if store.get_setting(_key(thread_id)) is None:
                        self._save_thread(thread_id)
                self.path = None

    def _fresh(self, thread_id: str, force: bool = False) -> None:
        """(Lock held) re-read a thread's roles and access from the store when stale."""
        if self.store is None:
            return
        now = time.monotonic()
        if not force and now - self._read.get(thread_id, -self.ttl) < self.ttl:
            return
        raw = self.store.get_setting(_key(thread_id))
        data = json.loads(raw) if raw else {}
        roles = {u: r for u, r in data.get("roles", {}).items() if r in rules.ROLES}
        lists = data.get("access") or {}
        access = Access(
            parse_names(lists.get("readers"), "readers"),
            parse_names(lists.get("writers"), "writers"),
        )
        for table, value, empty in ((self._roles, roles, {}), (self._access, access, Access())):
            if value == empty:
                table.pop(thread_id, None)
            else:
                table[thread_id] = value  # type: ignore[assignment]
        self._read[thread_id] = now

    def _save_thread(self, thread_id: str) -> None:
        """(Lock held) keep one thread's roles and access: in the store, or the whole file."""
        if self.store is None:
            self._save()
            return
        roles = self._roles.get(thread_id, {})
        access = self._access.get(thread_id, Access())
        value = None
        if roles or access != Access():
            value = json.dumps({"roles": roles, "access": access.json()}, sort_keys=True)
        self.store.set_setting(_key(thread_id), value)
        self._read[thread_id] = time.monotonic()

    def hub_moderator(self, who: Identity) -> bool:
        """A hub admin or a member of the moderators' group."""
        return who.admin or self.moderator_group in who.groups

    def role_of(self, who: Identity, thread_id: str) -> rules.Role:
        """The role ``who`` has in ``thread_id`` (:meth:`may_read` says whether they see it)."""
        if self.hub_moderator(who):
            return "moderator"
        with self._lock:
            self._fresh(thread_id)
            access = self._access.get(thread_id, Access())
            role = self._roles.get(thread_id, {}).get(who.name)
        if role is not None:  # a moderator named them in this thread
            return role
        return "participant" if access.writes(who) else "reader"

    def may_read(self, who: Identity, thread_id: str) -> bool:
        """Whether ``who`` may see ``thread_id`` at all (hub moderators always)."""
        if self.hub_moderator(who):
            return True
        with self._lock:
            self._fresh(thread_id)
            access = self._access.get(thread_id, Access())
            named = who.name in self._roles.get(thread_id, {})
        return access.reads(who) or named

    def access(self, thread_id: str) -> Access:
        """Who may read and write ``thread_id``."""
        with self._lock:
            self._fresh(thread_id)
            return self._access.get(thread_id, Access())

    def set_access(self, thread_id: str, access: Access) -> Access:
        """Set who may read and write ``thread_id`` (``Access()``: every hub user)."""
        with self._lock:
            self._fresh(thread_id, force=True)
            if access == Access():
                self._access.pop(thread_id, None)
            else:
                self._access[thread_id] = access
            self._save_thread(thread_id)
        return access

    def roles(self, thread_id: str) -> dict[str, rules.Role]:
        """The per-thread changes: user -> role (hub moderators are not listed)."""
        with self._lock:
            self._fresh(thread_id)
            return dict(self._roles.get(thread_id, {}))

    def set_role(self, thread_id: str, user: str, role: rules.Role | None) -> dict[str, rules.Role]:
        """Give ``user`` ``role`` in the thread (None: back to what the hub says); the new
        table. ``ValueError`` for an unknown role."""
        if role is not None and role not in rules.ROLES:
            raise ValueError(f"role must be one of {', '.join(rules.ROLES)} or null, not {role!r}")
        if not user or len(user) > 255:
            raise ValueError("user must be a JupyterHub user name")
        with self._lock:
            self._fresh(thread_id, force=True)
            table = self._roles.setdefault(thread_id, {})
            if role is None or role == "participant":
                table.pop(user, None)
            else:
                table[user] = role
            if not table:
                self._roles.pop(thread_id, None)
            self._save_thread(thread_id)
            return dict(table)

    def drop_thread(self, thread_id: str) -> None:
        """Forget a deleted thread's roles and access lists."""
        with self._lock:
            dropped = self._roles.pop(thread_id, None), self._access.pop(thread_id, None)
            if dropped != (None, None) or self.store is not None:
                self._save_thread(thread_id)

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".roles-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            data: dict[str, Any] = dict(self._roles)
            if self._access:
                data["@access"] = {t: a.json() for t, a in self._access.items()}
            json.dump(data, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)


def _key(thread_id: str) -> str:
    return f"service:thread:{thread_id}"
