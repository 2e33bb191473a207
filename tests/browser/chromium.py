"""Debian's Chromium, headless, as these machines allow it (see shared/notes/browser-testing.md).

One place for the executable and flags, used by the browser tests, the benchmarks and the
screenshot script. Never ``playwright install``: browser downloads fail here.
"""

from __future__ import annotations

import os
from typing import Any

CHROMIUM = os.environ.get("THREADWIDGET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Any, profile: str, extra_args: tuple[str, ...] = (), **options: Any) -> Any:
    """A persistent context in a fresh profile folder (``launch()`` refuses ``--user-data-dir``)."""
    return playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, *extra_args],
        **options,
    )
