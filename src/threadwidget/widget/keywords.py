"""The widget constructor's setting keywords, typed once: ``**settings: Unpack[WidgetSettings]``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypedDict

from ..core.models import Comment, Post, Thread
from ..core.ranking import Sort
from ..core.rules import Role
from ..page.presets import Preset

__all__ = ["SETTING_NAMES", "WidgetSettings", "given_thread", "unknown_settings"]


class WidgetSettings(TypedDict, total=False):
    """Keywords of :class:`~threadwidget.ThreadWidget` (and ``load``/``connect``) that set its
    traits; None (or leaving one out) keeps the default."""

    user: str | None
    read_only: bool
    sort: Sort
    strings: Mapping[str, str] | None
    locale: str
    options: Mapping[str, Any] | None
    css: str
    role: Role
    roles: Mapping[str, Role] | None
    voting: object
    label_set: Iterable[str]
    fields: Iterable[Any]
    badges: Mapping[str, str] | None
    notebook_state: Literal["published", "full"]
    log_interactions: bool
    layout: Literal["tree", "two-level", "flat"]
    preset: str | Preset | None
    # ipywidgets' own
    tabbable: bool | None
    tooltip: str | None


#: Every keyword :class:`WidgetSettings` names.
SETTING_NAMES = frozenset(WidgetSettings.__annotations__)


def unknown_settings(given: Iterable[str]) -> None:
    """Refuse keywords that are no setting (``TypeError`` naming them, as Python would)."""
    unknown = set(given) - SETTING_NAMES
    if unknown:
        raise TypeError(
            f"ThreadWidget got unexpected keyword argument(s): {', '.join(sorted(unknown))}"
        )


def given_thread(
    post: Post | Mapping[str, Any] | None,
    comments: Iterable[Comment | Mapping[str, Any]],
    thread: Thread | None,
) -> Thread | None:
    """The thread the constructor was given: ``thread``, or one of ``post`` and ``comments``."""
    if thread is not None and (post is not None or comments):
        raise TypeError("pass either thread=... or post=/comments=, not both")
    if thread is None and (post is not None or comments):
        if isinstance(post, Mapping):
            post = Post.model_validate(post)
        thread = Thread(
            post=post if post is not None else Post(),
            comments=tuple(comments),  # type: ignore[arg-type]
        )
    return thread
