"""The Python verbs of :class:`~threadwidget.ThreadWidget`: one method per operation.

Each builds an operation and hands it to the one operation path (validators, the rules in
:mod:`threadwidget.core.rules`, the storage, every view). Python code is trusted: roles, locks and
``read_only`` do not bind it, but every rule about the thread itself does. Every verb takes the
acting person as ``user=`` (default: the widget's ``user``) and returns the comment as it is
afterwards (the post, for verbs on the post).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..core import operations
from ..core.engine import Engine
from ..core.models import Comment, JsonValue, ModerationAction, Post
from .access import Access

__all__ = ["Commands"]


class Commands:
    """The widget's operation methods, applied to ``engine`` as trusted Python code acting as
    ``user=`` or, by default, ``access().user``."""

    def __init__(self, engine: Engine, access: Callable[[], Access]) -> None:
        self._engine = engine
        self._access = access

    def apply(
        self, op: operations.Operation | Mapping[str, Any], actor: str | None = None
    ) -> operations.Event:
        """Apply any operation (or its dict) as trusted Python code acting as ``actor``
        (default: ``user``)."""
        operation = operations.parse_operation(op) if isinstance(op, Mapping) else op
        access = self._access()
        return self._engine.submit(operation, access.context(actor or access.user, trusted=True))

    def _after(self, comment_id: str | None) -> Comment | Post:
        return self._engine.post if comment_id is None else self._engine.get(comment_id)

    # ---- writing ------------------------------------------------------------------------------

    def add_comment(
        self,
        body: str,
        *,
        parent_id: str | None = None,
        user: str | None = None,
        author: str | None = None,
        extra: Mapping[str, JsonValue] | None = None,
    ) -> Comment:
        """Post a comment as ``user`` (default: the widget's ``user``); ``parent_id`` None
        answers the post. ``author`` is another name for ``user``; ``extra`` attaches JSON data
        (shown through ``fields``)."""
        if user is not None and author is not None and user != author:
            raise TypeError("give the person posting as user= (or author=), not both")
        op = operations.AddComment(body=body, parent_id=parent_id, extra=dict(extra or {}))
        event = self.apply(op, user or author)
        assert isinstance(event, operations.AddEvent)
        return event.comment

    def edit_comment(self, comment_id: str, body: str, *, user: str | None = None) -> Comment:
        """Replace a comment's body; it gets an "edited" mark."""
        self.apply(operations.EditComment(id=comment_id, body=body), user)
        return self._engine.get(comment_id)

    def delete_comment(self, comment_id: str, *, user: str | None = None) -> Comment:
        """Delete a comment: "[deleted]" while it has replies, gone from view otherwise. Returns
        the tombstone."""
        self.apply(operations.DeleteComment(id=comment_id), user)
        return self._engine.get(comment_id)

    def set_extra(
        self, /, comment_id: str | None, *, user: str | None = None, **values: JsonValue
    ) -> Comment | Post:
        """Merge ``values`` into a comment's ``extra`` (the post's for None); None removes a key.

        >>> w.set_extra(c.id, sentiment="positive", toxicity=0.1)  # doctest: +SKIP
        """
        self.apply(operations.SetExtra(id=comment_id, extra=values), user)
        return self._after(comment_id)

    # ---- likes and votes ----------------------------------------------------------------------

    def like(self, comment_id: str, *, user: str | None = None) -> Comment:
        """Like a comment as ``user``; once per user."""
        self.apply(operations.Like(id=comment_id), user)
        return self._engine.get(comment_id)

    def unlike(self, comment_id: str, *, user: str | None = None) -> Comment:
        """Take back ``user``'s like."""
        self.apply(operations.Unlike(id=comment_id), user)
        return self._engine.get(comment_id)

    def vote(self, comment_id: str, choice: str | None, *, user: str | None = None) -> Comment:
        """Set ``user``'s one vote on a comment ("up", "down" or a reaction); None retracts it."""
        self.apply(operations.Vote(id=comment_id, choice=choice), user)
        return self._engine.get(comment_id)

    # ---- reports and moderation ---------------------------------------------------------------

    def flag(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Report a comment to the moderators as ``user``, with a reason (once per user)."""
        self.apply(operations.FlagComment(id=comment_id, reason=reason), user)
        return self._engine.get(comment_id)

    def unflag(self, comment_id: str, *, user: str | None = None) -> Comment:
        """Take back ``user``'s report."""
        self.apply(operations.Unflag(id=comment_id), user)
        return self._engine.get(comment_id)

    def moderate(
        self,
        comment_id: str,
        action: ModerationAction,
        reason: str = "",
        *,
        user: str | None = None,
    ) -> Comment:
        """Apply a moderation action (hide, unhide, spam, not_spam, remove, restore); the comment
        records who (``user``), when and why."""
        self.apply(operations.Moderate(id=comment_id, action=action, reason=reason), user)
        return self._engine.get(comment_id)

    def hide(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Hide a comment from everyone but moderators (who see it greyed, with the reason)."""
        return self.moderate(comment_id, "hide", reason, user=user)

    def unhide(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Show a hidden comment again."""
        return self.moderate(comment_id, "unhide", reason, user=user)

    def mark_spam(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Mark a comment as spam: hidden from everyone but moderators."""
        return self.moderate(comment_id, "spam", reason, user=user)

    def mark_not_spam(
        self, comment_id: str, reason: str = "", *, user: str | None = None
    ) -> Comment:
        """Undo :meth:`mark_spam`."""
        return self.moderate(comment_id, "not_spam", reason, user=user)

    def remove(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Remove a comment: readers see "Removed by a moderator" in its place."""
        return self.moderate(comment_id, "remove", reason, user=user)

    def restore(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Undo :meth:`remove`."""
        return self.moderate(comment_id, "restore", reason, user=user)

    def pin(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Pin a comment first among its siblings, whatever the sort."""
        self.apply(operations.Pin(id=comment_id, pinned=True, reason=reason), user)
        return self._engine.get(comment_id)

    def unpin(self, comment_id: str, reason: str = "", *, user: str | None = None) -> Comment:
        """Undo :meth:`pin`."""
        self.apply(operations.Pin(id=comment_id, pinned=False, reason=reason), user)
        return self._engine.get(comment_id)

    def lock(
        self, comment_id: str | None = None, reason: str = "", *, user: str | None = None
    ) -> Comment | Post:
        """Lock a comment's subtree (the whole thread for None): only moderators may reply or
        edit there until :meth:`unlock`."""
        self.apply(operations.LockThread(id=comment_id, locked=True, reason=reason), user)
        return self._after(comment_id)

    def unlock(
        self, comment_id: str | None = None, reason: str = "", *, user: str | None = None
    ) -> Comment | Post:
        """Undo :meth:`lock`."""
        self.apply(operations.LockThread(id=comment_id, locked=False, reason=reason), user)
        return self._after(comment_id)

    # ---- labelling -----------------------------------------------------------------------------

    def label(self, comment_id: str, label: str | None, *, user: str | None = None) -> Comment:
        """Set ``user``'s label on a comment (one per user); None clears it."""
        self.apply(operations.LabelComment(id=comment_id, label=label), user)
        return self._engine.get(comment_id)
