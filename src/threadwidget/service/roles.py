"""Roles from the hub, with per-thread changes made by moderators.

Hub admins and members of the moderators' group (``teachers`` by default) moderate every thread;
everyone else participates. A moderator may make someone a moderator, a participant or a reader
in one thread; hub moderators stay moderators (nobody can lock the teachers out). The per-thread
choices are kept in a small JSON file next to the service's data, written atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path

from ..core import rules
from .auth import Identity

__all__ = ["RoleBook"]


class RoleBook:
    """Who has which role in which thread; ``path`` None keeps the changes in memory only."""

    def __init__(self, moderator_group: str, path: str | os.PathLike[str] | None = None) -> None:
        self.moderator_group = moderator_group
        self.path = None if path is None else Path(path)
        self._lock = threading.Lock()
        self._roles: dict[str, dict[str, rules.Role]] = {}
        if self.path is not None and self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            for thread_id, roles in data.items():
                self._roles[thread_id] = {
                    str(user): role for user, role in roles.items() if role in rules.ROLES
                }

    def hub_moderator(self, who: Identity) -> bool:
        """A hub admin or a member of the moderators' group."""
        return who.admin or self.moderator_group in who.groups

    def role_of(self, who: Identity, thread_id: str) -> rules.Role:
        """The role ``who`` has in ``thread_id``."""
        if self.hub_moderator(who):
            return "moderator"
        with self._lock:
            return self._roles.get(thread_id, {}).get(who.name, "participant")

    def roles(self, thread_id: str) -> dict[str, rules.Role]:
        """The per-thread changes: user -> role (hub moderators are not listed)."""
        with self._lock:
            return dict(self._roles.get(thread_id, {}))

    def set_role(self, thread_id: str, user: str, role: rules.Role | None) -> dict[str, rules.Role]:
        """Give ``user`` ``role`` in the thread (None: back to what the hub says); the new
        table. ``ValueError`` for an unknown role."""
        if role is not None and role not in rules.ROLES:
            raise ValueError(f"role must be one of {', '.join(rules.ROLES)} or null, not {role!r}")
        if not user or len(user) > 255:
            raise ValueError("user must be a JupyterHub user name")
        with self._lock:
            table = self._roles.setdefault(thread_id, {})
            if role is None or role == "participant":
                table.pop(user, None)
            else:
                table[user] = role
            if not table:
                self._roles.pop(thread_id, None)
            self._save()
            return dict(table)

    def drop_thread(self, thread_id: str) -> None:
        """Forget a deleted thread's roles."""
        with self._lock:
            if self._roles.pop(thread_id, None) is not None:
                self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".roles-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self._roles, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
