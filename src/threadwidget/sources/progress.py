"""What a fetch shows while it runs: requests made, pages read, comments so far, and each wait
with its reason ("rate limited by reddit.com, retrying in 30 s").

Shown through ``tqdm.auto``: a progress bar widget in a notebook, a status line on stderr in a
terminal (the CLI), from the first request on (at once: a server that stalls is exactly when it
matters). Nothing is shown for a fetch answered from the cache (no request), nor with
``progress=False``.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

__all__ = ["Progress"]

#: tqdm's look without the rate (requests per second says nothing here)
_COUNTING = "{desc}: {n_fmt}{unit} [{elapsed}{postfix}]"
_KNOWN = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}{unit} [{elapsed}{postfix}]"


def _seconds(value: float) -> str:
    """``30 s``, ``4 min 10 s``, ``1 h 0 min``."""
    value = max(0.0, value)
    if value < 60:
        return f"{value:.0f} s" if value >= 1 else f"{value:.1f} s"
    minutes, secs = divmod(round(value), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class Progress:
    """Counts of one fetch and the bar (or status line) that shows them."""

    def __init__(
        self,
        label: str,
        enabled: bool = True,
        stream: TextIO | None = None,
    ) -> None:
        self.label = label
        self.enabled = enabled
        self.stream = stream
        self.requests = 0
        self.pages = 0
        self.comments = 0
        self.total: int | None = None
        self.doing = ""
        #: every wait shown, as "reason, retrying in N s" (tests and the CLI read them)
        self.waits: list[str] = []
        self._bar: Any = None

    def _show(self) -> None:
        if not self.enabled or (self._bar is None and self.requests == 0):
            return  # off, or all from the cache so far
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=self.total,
                desc=self.label,
                unit=" requests",
                file=self.stream or sys.stderr,
                leave=True,
                dynamic_ncols=True,
                bar_format=_COUNTING if self.total is None else _KNOWN,
            )
        bar = self._bar
        if self.total is not None and bar.total != self.total:
            bar.total = self.total
            bar.bar_format = _KNOWN
            container = getattr(bar, "container", None)  # the notebook's bar widget
            if container is not None and hasattr(container, "children"):
                container.children[1].max = self.total
        bar.n = self.requests
        parts = [f"{self.pages} page{'s' if self.pages != 1 else ''}"]
        parts.append(f"{self.comments:,} comment{'s' if self.comments != 1 else ''}")
        if self.doing:
            parts.append(self.doing)
        bar.set_postfix_str(", ".join(parts), refresh=False)
        bar.refresh()

    def request(self, host: str) -> None:
        """A request to ``host`` is going out."""
        self.requests += 1
        self.doing = f"asking {host}"
        self._show()

    def page(self, comments: int | None = None, total: int | None = None) -> None:
        """A page was read; ``comments`` so far and the ``total`` requests expected, if known."""
        self.pages += 1
        if comments is not None:
            self.comments = comments
        if total is not None:
            self.total = max(total, self.requests)
        self.doing = ""
        self._show()

    def found(self, comments: int) -> None:
        """``comments`` read so far (without a new page)."""
        self.comments = comments
        self._show()

    def wait(self, seconds: float, reason: str, retry: bool = True) -> None:
        """A wait is starting: ``reason`` says why (``rate limited by reddit.com``); ``retry``:
        the same request is asked again after it (else the next one is)."""
        said = f"{reason}, {'retrying' if retry else 'next request'} in {_seconds(seconds)}"
        self.waits.append(said)
        self.doing = said
        self._show()

    def close(self, failed: str | None = None) -> None:
        """The fetch ended (``failed``: why it stopped); the bar stays with the final counts."""
        if self._bar is None:
            return
        self.doing = f"failed: {failed}" if failed else "done"
        if failed is None and self.total is not None:
            self.total = self.requests
        self._show()
        self._bar.close()
        self._bar = None
