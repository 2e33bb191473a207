"""Presets: named bundles of layout, sort, voting, counts, density and CSS that make a thread look
like a big platform's (``w.preset = "reddit"``), and the registry of names users extend."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..core.ranking import SORTS, Sort
from ..core.voting import voting_model
from .settings import COUNT_KINDS, valid_css, valid_layout, valid_options

__all__ = ["PRESETS", "Preset", "register_preset", "resolve_preset"]

_CSS = Path(__file__).parent / "preset_css"


@dataclass(frozen=True)
class Preset:
    """What a preset sets: ``layout``, ``sort``, ``voting``, the ``counts`` and ``density``
    options, and ``css`` (scoped to the widget: rules start with ``.tw-root``)."""

    layout: Literal["tree", "two-level", "flat"] = "tree"
    sort: Sort = "oldest"
    voting: Any = "likes"
    counts: tuple[str, ...] = COUNT_KINDS
    density: Literal["comfortable", "compact"] = "comfortable"
    css: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        valid_layout(self.layout)
        if self.sort not in SORTS:
            raise ValueError(f"preset sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        voting_model(self.voting)  # raises ValueError naming voting
        object.__setattr__(self, "counts", tuple(self.counts))
        valid_options({"counts": list(self.counts), "density": self.density})
        valid_css(self.css)

    def options(self, current: dict[str, Any]) -> dict[str, Any]:
        """``current`` options with this preset's counts and density (the others kept)."""
        return {**current, "counts": list(self.counts), "density": self.density}


def _builtin(name: str, **settings: Any) -> Preset:
    return Preset(css=(_CSS / f"{name}.css").read_text(encoding="utf-8"), **settings)


#: The registered presets by name (``register_preset`` adds yours).
PRESETS: dict[str, Preset] = {
    "reddit": _builtin("reddit", layout="tree", sort="best", voting="updown"),
    "hackernews": _builtin(
        "hackernews", sort="best", voting="updown", counts=("comments",), density="compact"
    ),
    "youtube": _builtin("youtube", layout="two-level", sort="top", counts=("votes", "replies")),
    "discourse": _builtin("discourse", layout="flat", counts=("votes", "comments")),
    "blogger": _builtin("blogger", layout="flat", counts=("comments",)),
}


def register_preset(name: str, preset: Preset) -> None:
    """Make ``preset`` available as ``w.preset = name`` (a built-in name is refused)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"preset name must be a non-empty str, not {name!r}")
    if not isinstance(preset, Preset):
        raise ValueError(f"preset {name!r} must be a Preset, not {type(preset).__name__}")
    if name in _BUILTIN_NAMES:
        raise ValueError(f"preset {name!r} is built in; register yours under another name")
    PRESETS[name] = preset


def resolve_preset(value: str | Preset) -> Preset:
    """The preset ``value`` names (or is): ``ValueError`` naming preset for anything else."""
    if isinstance(value, Preset):
        return value
    if isinstance(value, str) and value in PRESETS:
        return PRESETS[value]
    raise ValueError(
        f"preset must be a Preset or one of {', '.join(_names(PRESETS))}, not {value!r}"
    )


def _names(presets: Iterable[str]) -> list[str]:
    return sorted(presets)


_BUILTIN_NAMES = frozenset(PRESETS)
