"""A one-line progress report on stderr for multi-page fetches (no dependency, works in notebooks).

tqdm would add a dependency for one line of text; stderr shows in a terminal and in a notebook
cell's output alike, and ``progress=False`` silences it.
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``label: page 3 of 10`` rewritten in place; finished with a newline."""

    def __init__(self, label: str, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.label = label
        self.enabled = enabled
        self.stream = stream
        self.shown = False

    def update(self, done: int, total: int | None = None) -> None:
        """Show that ``done`` pages (of ``total``, when known) are fetched."""
        if not self.enabled:
            return
        stream = self.stream or sys.stderr
        of = f" of {total}" if total else ""
        stream.write(f"\r{self.label}: page {done}{of}")
        stream.flush()
        self.shown = True

    def close(self) -> None:
        """End the line (only if something was shown)."""
        if self.shown:
            (self.stream or sys.stderr).write("\n")
            self.shown = False
