"""The UI strings table: every visible word of the views with its English default.

``strings.json`` is the one table: the frontend bundles it, and Python reads it once, here, to
validate ``ThreadWidget.strings`` and to write the ranking formula texts.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["DEFAULT_STRINGS"]

#: Every string key with its English default (``{n}``-style placeholders filled by the views).
DEFAULT_STRINGS: dict[str, str] = json.loads(
    (Path(__file__).parent / "strings.json").read_text(encoding="utf-8")
)
