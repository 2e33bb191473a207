"""Who the browser views act as and which rules bind them: the widget's role lookup."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core import rules
from ..core.ranking import SORTS

__all__ = ["Access", "page_updates"]


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


def page_updates(
    sync_data: Mapping[str, Any], comment_ids: Container[str], keys: Iterable[str]
) -> tuple[dict[str, Any], list[str]]:
    """The trait updates a page may make (view preferences with valid values: ``sort``,
    ``selected``) and the trait names it is refused (e.g. ``user``, ``read_only``)."""
    allowed: dict[str, Any] = {}
    if sync_data.get("sort") in SORTS:
        allowed["sort"] = sync_data["sort"]
    chosen = sync_data.get("selected", False)
    if chosen is None or (isinstance(chosen, str) and chosen in comment_ids):
        allowed["selected"] = chosen
    traits = set(keys)
    return allowed, sorted(key for key in sync_data if key not in allowed and key in traits)
