"""The frontend the widget loads: the bundle built into ``static/``, or a note it is missing."""

from __future__ import annotations

from pathlib import Path

__all__ = ["css_source", "esm_source"]

_STATIC = Path(__file__).parents[1] / "static"
_MISSING_BUNDLE_ESM = """
export default { render({ el }) {
  el.textContent = "threadwidget: the frontend bundle is missing "
    + "(src/threadwidget/static/widget.js). Reinstall the package, or run "
    + "`npm install && npm run build` in a source checkout.";
} };
"""


def esm_source() -> str | Path:
    """The widget's ES module: ``static/widget.js``, or one that says the bundle is missing."""
    bundle = _STATIC / "widget.js"
    return bundle if bundle.exists() else _MISSING_BUNDLE_ESM


def css_source() -> str | Path:
    """The widget's stylesheet: ``static/widget.css`` (none without a bundle)."""
    css = _STATIC / "widget.css"
    return css if css.exists() else ""
