"""What a source is (a URL pattern, an example, a fetch function) and what a fetch is given."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..core.models import Gap, Thread
from ..formats import ThreadLoadWarning, load_with_report
from ..formats._common import LoadReport
from .http import Client
from .progress import Progress

__all__ = ["Context", "Source", "env_base", "to_thread"]


@dataclass
class Context:
    """Everything a source's fetch needs: the client, base-URL overrides, options, progress,
    and the gaps it records (pages ``max_pages`` left unread)."""

    client: Client
    base_urls: Mapping[str, str] = field(default_factory=dict)
    progress: Progress = field(default_factory=lambda: Progress("fetch", enabled=False))
    token: str | None = None
    more_limit: int = 20
    max_pages: int = 100
    gaps: list[Gap] = field(default_factory=list)

    def base(self, source: str, default: str) -> str:
        """The API origin for a source: ``base_urls[source]``, ``$THREADWIDGET_BASE_<SOURCE>``,
        else ``default`` (for instance sources, the origin of the URL itself)."""
        chosen = self.base_urls.get(source) or env_base(source) or default
        return chosen.rstrip("/")

    def page(self, comments: int | None = None, total: int | None = None) -> None:
        """A page was read: ``comments`` so far, ``total`` requests expected (when known)."""
        self.progress.page(comments, total)

    def cut(self, reason: str, count: int | None = None, parent_id: str | None = None) -> None:
        """Note that ``max_pages`` stopped the paging: ``count`` replies not read (None: not
        known) under ``parent_id`` (None: the post)."""
        self.gaps.append(Gap(kind="pages", parent_id=parent_id, count=count, reason=reason))


def env_base(source: str) -> str | None:
    """``$THREADWIDGET_BASE_<SOURCE>`` (``THREADWIDGET_BASE_HACKERNEWS``, ...), if set."""
    return os.environ.get(f"THREADWIDGET_BASE_{source.upper()}") or None


@dataclass(frozen=True)
class Source:
    """One kind of site: how its URLs look and how a thread is fetched from one."""

    name: str
    label: str
    example: str
    pattern: re.Pattern[str]
    fetch: Callable[[re.Match[str], str, Context], Thread]

    def match(self, url: str) -> re.Match[str] | None:
        """The pattern's match on the URL (scheme-less URLs are tried with https)."""
        return self.pattern.match(url if "://" in url else f"https://{url}")


def origin(url: str) -> str:
    """``https://host`` of a URL."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return f"{parts.scheme}://{parts.netloc}"


def to_thread(data: Any, format: str, name: str) -> tuple[Thread, LoadReport]:
    """Fetched JSON (or XML bytes) read by the importer of ``format``; like :func:`load`, a
    :class:`ThreadLoadWarning` lists what the import dropped, re-attached or filled in."""
    import json

    text = data if isinstance(data, bytes) else json.dumps(data)
    thread, report = load_with_report(text=text, format=format, errors="skip", name=name)
    if report.altered:  # what is missing, fetch() says once, with the pages it did not read
        warnings.warn(ThreadLoadWarning(report.summary(), report), stacklevel=4)
    return thread, report
