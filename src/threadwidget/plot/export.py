"""Charts to PNG, SVG or HTML files, offline (vl-convert renders Vega-Lite without a browser)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import altair as alt

__all__ = ["save", "to_png", "to_svg"]

_HINT = "saving charts needs vl-convert-python: pip install 'threadwidget[plot]'"


def _vlc() -> Any:
    try:
        import vl_convert
    except ImportError:
        raise ImportError(_HINT) from None
    return vl_convert


def _spec(chart: alt.TopLevelSpec) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _version() -> str:
    """The Vega-Lite version altair writes, as vl-convert names it (``6.4``)."""
    major, minor = alt.VEGALITE_VERSION.split(".")[:2]
    return f"{major}.{minor}"


def to_png(chart: alt.TopLevelSpec, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes (``scale`` 2 for sharp pictures on high-density screens)."""
    png: bytes = _vlc().vegalite_to_png(_spec(chart), vl_version=_version(), scale=scale)
    return png


def to_svg(chart: alt.TopLevelSpec) -> str:
    """The chart as SVG text."""
    svg: str = _vlc().vegalite_to_svg(_spec(chart), vl_version=_version())
    return svg


def save(chart: alt.TopLevelSpec, path: str | os.PathLike[str], scale: float = 2.0) -> Path:
    """Write ``chart`` to ``path``: .png, .svg, .json (Vega-Lite) or .html, chosen by suffix."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".png":
        target.write_bytes(to_png(chart, scale=scale))
    elif suffix == ".svg":
        target.write_text(to_svg(chart), encoding="utf-8")
    elif suffix == ".json":
        target.write_text(json.dumps(_spec(chart), indent=1), encoding="utf-8")
    elif suffix == ".html":
        html: str = _vlc().vegalite_to_html(_spec(chart), vl_version=_version(), bundle=True)
        target.write_text(html, encoding="utf-8")
    else:
        raise ValueError(f"{target.name}: save as .png, .svg, .json or .html")
    return target
