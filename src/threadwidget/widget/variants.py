"""Variants per participant (docs/studies.md): a teacher's plan of named settings, checked
against the widget's settings, kept with the thread's storage, applied to a participant's own
widget when it connects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import traitlets

from ..core.study import VariantPlan
from ..page.settings import DEFAULT_OPTIONS, valid_options
from .keywords import SETTING_NAMES

__all__ = ["NOT_VARIANT_SETTINGS", "apply_variant", "valid_plan"]

#: Settings that decide who someone is, what they may do or what is recorded of them: never a
#: variant's to change (the log is on for every participant or for none).
NOT_VARIANT_SETTINGS = frozenset(
    {
        "user",
        "read_only",
        "role",
        "roles",
        "notebook_state",
        "log_interactions",
        "tabbable",
        "tooltip",
    }
)


def _checked(widget: traitlets.HasTraits, name: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """One variant's settings, each validated by the widget's own trait (layout options such as
    ``density`` may be given alone: they go into ``options``)."""
    out: dict[str, Any] = {}
    options: dict[str, Any] = {}
    traits = widget.traits()
    for key, value in settings.items():
        field = f"variants.{name}.{key}"
        if not isinstance(key, str):
            raise ValueError(f"variants.{name}: setting names are strings, not {key!r}")
        if key in DEFAULT_OPTIONS:
            options[key] = value
            continue
        if key in NOT_VARIANT_SETTINGS:
            raise ValueError(
                f"{field}: decides who someone is, what they may do or what is logged; "
                "not a variant's to change"
            )
        if key not in SETTING_NAMES or key not in traits:
            raise ValueError(f"{field}: not a widget setting")
        if key == "preset" and not isinstance(value, str):
            raise ValueError(
                f"{field}: a preset's registered name (a plan is kept as JSON; "
                "threadwidget.register_preset names your own)"
            )
        try:
            out[key] = traits[key].validate(widget, value)  # type: ignore[attr-defined]
        except (traitlets.TraitError, ValueError, TypeError) as error:
            raise ValueError(f"{field}: {error}") from None
    if options:
        try:
            valid_options({**dict(out.get("options") or {}), **options})
        except ValueError as error:
            raise ValueError(f"variants.{name}.options: {error}") from None
    # what is stored is what was given (JSON), checked
    return {k: v for k, v in settings.items()}


def valid_plan(
    widget: traitlets.HasTraits,
    variants: Mapping[str, Mapping[str, Any]],
    seed: int = 0,
    table: Mapping[str, str] | None = None,
    log_interactions: bool = False,
) -> VariantPlan:
    """A plan whose every setting the widget accepts (``ValueError`` naming the field)."""
    if not isinstance(variants, Mapping):
        raise ValueError("variants: a dict of name -> settings ({'A': {'sort': 'newest'}})")
    checked = {
        name: _checked(widget, str(name), settings if isinstance(settings, Mapping) else {})
        if isinstance(settings, Mapping)
        else settings
        for name, settings in variants.items()
    }
    return VariantPlan(checked, seed, dict(table or {}), log_interactions)


def apply_variant(widget: traitlets.HasTraits, settings: Mapping[str, Any]) -> None:
    """Set a variant's settings on ``widget`` (layout options merged into ``options``): its
    ``preset`` first, so that the variant's own settings win over the preset's."""
    options = {k: v for k, v in settings.items() if k in DEFAULT_OPTIONS}
    if settings.get("preset") is not None:  # its observer sets its settings now, not after
        widget.preset = settings["preset"]  # type: ignore[attr-defined]
    with widget.hold_trait_notifications():
        for key, value in settings.items():
            if key not in DEFAULT_OPTIONS and key != "preset":
                setattr(widget, key, value)
        if options:
            current = dict(getattr(widget, "options", {}) or {})
            widget.set_trait("options", {**current, **options})
