"""Who the browser views act as and which rules bind them: the widget's role lookup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core import rules

__all__ = ["Access"]


@dataclass(frozen=True)
class Access:
    """The settings every operation is checked against, as one immutable value; the widget
    replaces it whenever ``user``, ``read_only``, ``role``, ``roles``, ``voting`` or
    ``label_set`` change."""

    user: str = "anonymous"
    read_only: bool = False
    role: rules.Role = "participant"
    roles: Mapping[str, rules.Role] = field(default_factory=dict)
    votes: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()

    def role_of(self, user: str) -> rules.Role:
        """The role ``user`` acts with: ``roles[user]`` if set, else ``role``."""
        return self.roles.get(user, self.role)

    def context(self, actor: str, trusted: bool) -> rules.Context:
        """The rules an operation by ``actor`` is checked against."""
        return rules.Context(
            actor=actor,
            trusted=trusted,
            read_only=self.read_only,
            role=self.role_of(actor),
            votes=self.votes,
            labels=self.labels,
        )
