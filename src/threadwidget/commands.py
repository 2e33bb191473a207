"""The Python verbs of :class:`~threadwidget.ThreadWidget`: one method per operation.

Each builds an operation and hands it to the widget's one operation path (validators, the rules in
:mod:`threadwidget.ops`, the journal or shared store, every view). Python code is trusted: roles,
locks and ``read_only`` do not bind it, but every rule about the thread itself does.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import ops
from .models import Comment, JsonValue, ModerationAction

__all__ = ["Commands"]


class Commands:
    """Mixin of the widget's operation methods (``_apply_trusted`` and ``get`` come from it)."""

    def _apply_trusted(self, op: ops.Operation, actor: str | None = None) -> ops.Event:
        raise NotImplementedError  # pragma: no cover - provided by ThreadWidget

    def get(self, comment_id: str) -> Comment:
        raise NotImplementedError  # pragma: no cover - provided by ThreadWidget

    # ---- writing ------------------------------------------------------------------------------

    def add_comment(
        self,
        body: str,
        author: str | None = None,
        parent_id: str | None = None,
        extra: Mapping[str, JsonValue] | None = None,
    ) -> Comment:
        """Post a comment as ``author`` (default ``user``); ``parent_id`` None answers the post.

        ``extra`` attaches JSON data (shown through ``fields``).
        """
        op = ops.AddComment(body=body, parent_id=parent_id, extra=dict(extra or {}))
        event = self._apply_trusted(op, author)
        assert isinstance(event, ops.AddEvent)
        return event.comment

    def edit_comment(self, comment_id: str, body: str) -> Comment:
        """Replace a comment's body; it gets an "edited" mark."""
        self._apply_trusted(ops.EditComment(id=comment_id, body=body))
        return self.get(comment_id)

    def delete_comment(self, comment_id: str) -> None:
        """Delete a comment: "[deleted]" while it has replies, gone from view otherwise."""
        self._apply_trusted(ops.DeleteComment(id=comment_id))

    def set_extra(self, comment_id: str | None, **values: JsonValue) -> None:
        """Merge ``values`` into a comment's ``extra`` (the post's for None); None removes a key.

        >>> w.set_extra(c.id, sentiment="positive", toxicity=0.1)  # doctest: +SKIP
        """
        self._apply_trusted(ops.SetExtra(id=comment_id, extra=values))

    # ---- likes and votes ----------------------------------------------------------------------

    def like(self, comment_id: str, user: str | None = None) -> Comment:
        """Like a comment as ``user`` (default: ``self.user``); once per user."""
        self._apply_trusted(ops.Like(id=comment_id), user)
        return self.get(comment_id)

    def unlike(self, comment_id: str, user: str | None = None) -> Comment:
        """Take back ``user``'s like."""
        self._apply_trusted(ops.Unlike(id=comment_id), user)
        return self.get(comment_id)

    def vote(self, comment_id: str, choice: str | None, user: str | None = None) -> Comment:
        """Set ``user``'s one vote on a comment ("up", "down" or a reaction); None retracts it."""
        self._apply_trusted(ops.Vote(id=comment_id, choice=choice), user)
        return self.get(comment_id)

    # ---- reports and moderation ---------------------------------------------------------------

    def flag(self, comment_id: str, reason: str = "", user: str | None = None) -> Comment:
        """Report a comment to the moderators as ``user``, with a reason (once per user)."""
        self._apply_trusted(ops.FlagComment(id=comment_id, reason=reason), user)
        return self.get(comment_id)

    def unflag(self, comment_id: str, user: str | None = None) -> Comment:
        """Take back ``user``'s report."""
        self._apply_trusted(ops.Unflag(id=comment_id), user)
        return self.get(comment_id)

    def moderate(
        self,
        comment_id: str,
        action: ModerationAction,
        reason: str = "",
        moderator: str | None = None,
    ) -> Comment:
        """Apply a moderation action (hide, unhide, spam, not_spam, remove, restore); the comment
        records who (``moderator``, default ``user``), when and why."""
        self._apply_trusted(ops.Moderate(id=comment_id, action=action, reason=reason), moderator)
        return self.get(comment_id)

    def hide(self, comment_id: str, reason: str = "", moderator: str | None = None) -> Comment:
        """Hide a comment from everyone but moderators (who see it greyed, with the reason)."""
        return self.moderate(comment_id, "hide", reason, moderator)

    def unhide(self, comment_id: str, reason: str = "", moderator: str | None = None) -> Comment:
        """Show a hidden comment again."""
        return self.moderate(comment_id, "unhide", reason, moderator)

    def mark_spam(self, comment_id: str, reason: str = "", moderator: str | None = None) -> Comment:
        """Mark a comment as spam: hidden from everyone but moderators."""
        return self.moderate(comment_id, "spam", reason, moderator)

    def mark_not_spam(
        self, comment_id: str, reason: str = "", moderator: str | None = None
    ) -> Comment:
        """Undo :meth:`mark_spam`."""
        return self.moderate(comment_id, "not_spam", reason, moderator)

    def remove(self, comment_id: str, reason: str = "", moderator: str | None = None) -> Comment:
        """Remove a comment: readers see "Removed by a moderator" in its place."""
        return self.moderate(comment_id, "remove", reason, moderator)

    def restore(self, comment_id: str, reason: str = "", moderator: str | None = None) -> Comment:
        """Undo :meth:`remove`."""
        return self.moderate(comment_id, "restore", reason, moderator)

    def pin(self, comment_id: str, reason: str = "", moderator: str | None = None) -> Comment:
        """Pin a comment first among its siblings, whatever the sort."""
        self._apply_trusted(ops.Pin(id=comment_id, pinned=True, reason=reason), moderator)
        return self.get(comment_id)

    def unpin(self, comment_id: str, reason: str = "", moderator: str | None = None) -> Comment:
        """Undo :meth:`pin`."""
        self._apply_trusted(ops.Pin(id=comment_id, pinned=False, reason=reason), moderator)
        return self.get(comment_id)

    def lock(
        self, comment_id: str | None = None, reason: str = "", moderator: str | None = None
    ) -> None:
        """Lock a comment's subtree (the whole thread for None): only moderators may reply or
        edit there until :meth:`unlock`."""
        self._apply_trusted(ops.LockThread(id=comment_id, locked=True, reason=reason), moderator)

    def unlock(
        self, comment_id: str | None = None, reason: str = "", moderator: str | None = None
    ) -> None:
        """Undo :meth:`lock`."""
        self._apply_trusted(ops.LockThread(id=comment_id, locked=False, reason=reason), moderator)

    # ---- labelling -----------------------------------------------------------------------------

    def label(self, comment_id: str, label: str | None, user: str | None = None) -> Comment:
        """Set ``user``'s label on a comment (one per user); None clears it."""
        self._apply_trusted(ops.LabelComment(id=comment_id, label=label), user)
        return self.get(comment_id)
