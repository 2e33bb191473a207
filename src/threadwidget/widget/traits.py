"""Trait types of the widget's settings: each validates its kind of value once, wherever it is
assigned (the constructor, ``w.options = ...``), raising ``ValueError`` naming the setting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import traitlets

from ..analysis.labelling import valid_label_set
from ..core.voting import voting_model
from ..page.fields import valid_fields
from ..page.presets import resolve_preset
from ..page.settings import (
    valid_badges,
    valid_css,
    valid_layout,
    valid_locale,
    valid_options,
    valid_roles,
    valid_strings,
)

__all__ = [
    "Badges",
    "Css",
    "Fields",
    "LabelSet",
    "Layout",
    "Locale",
    "Options",
    "PresetChoice",
    "Roles",
    "Strings",
    "Voting",
]


def _mapping(value: object) -> object:
    """Any mapping as a fresh dict (what the ``Dict`` traits hold); other values as they are."""
    return dict(value) if isinstance(value, Mapping) else value


class Roles(traitlets.Dict):
    """Per-user roles: ``{"teacher": "moderator"}``."""

    def validate(self, obj: Any, value: Any) -> dict[str, str]:
        return valid_roles(super().validate(obj, _mapping(value)) or {})


class Badges(traitlets.Dict):
    """Badges after author names: ``{"helper": "bot"}``."""

    def validate(self, obj: Any, value: Any) -> dict[str, str]:
        return valid_badges(super().validate(obj, _mapping(value)) or {})


class Strings(traitlets.Dict):
    """Replacements for UI strings, by a key of ``strings.json``."""

    def validate(self, obj: Any, value: Any) -> dict[str, str]:
        return valid_strings(super().validate(obj, _mapping(value)) or {})


class Options(traitlets.Dict):
    """Layout options, merged over the defaults."""

    def validate(self, obj: Any, value: Any) -> dict[str, Any]:
        return valid_options(super().validate(obj, _mapping(value)) or {})


class Locale(traitlets.Unicode):  # type: ignore[type-arg]
    """A BCP 47 language tag, or "" for the page's own locale."""

    def validate(self, obj: Any, value: Any) -> str:
        return valid_locale(super().validate(obj, value))


class Css(traitlets.Unicode):  # type: ignore[type-arg]
    """Extra CSS for the views (it may not close its <style>)."""

    def validate(self, obj: Any, value: Any) -> str:
        return valid_css(super().validate(obj, value))


class LabelSet(traitlets.List):  # type: ignore[type-arg]
    """The labels of a labelling exercise (a single str is refused, not split into letters)."""

    def set(self, obj: Any, value: Any) -> None:
        traitlets.TraitType.set(self, obj, value)  # not List.set: it turns a str into [str]

    def validate(self, obj: Any, value: Any) -> list[str]:
        return list(super().validate(obj, valid_label_set(value)) or ())


class Fields(traitlets.List):  # type: ignore[type-arg]
    """``extra`` keys the cards show, as ``(key, kind, label)`` triples (a str: one key)."""

    def validate(self, obj: Any, value: Any) -> list[tuple[str, str, str]]:
        return valid_fields(super().validate(obj, value) or ())


class Voting(traitlets.Any):
    """``"likes"``, ``"updown"`` or a reaction set ``{"👍": "Agree"}``."""

    def validate(self, obj: Any, value: Any) -> object:
        voting_model(value)  # raises ValueError naming voting
        return _mapping(value)


class Layout(traitlets.Unicode):  # type: ignore[type-arg]
    """``"tree"``, ``"two-level"`` or ``"flat"`` (see docs/studies.md)."""

    def validate(self, obj: Any, value: Any) -> str:
        return valid_layout(value)


class PresetChoice(traitlets.Any):
    """A preset's registered name (``"reddit"``) or a :class:`~.presets.Preset`; None: none."""

    def validate(self, obj: Any, value: Any) -> object:
        if value is not None:
            resolve_preset(value)  # raises ValueError naming preset
        return value
