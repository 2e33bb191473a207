"""The on-disk cache of fetched responses, so a notebook re-runs offline (one file per request)."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["ENV_CACHE_DIR", "Cache", "default_cache_dir"]

#: Environment variable naming the cache directory (overrides the user cache directory).
ENV_CACHE_DIR = "THREADWIDGET_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$THREADWIDGET_CACHE_DIR``, else the platform's user cache directory + ``threadwidget``."""
    explicit = os.environ.get(ENV_CACHE_DIR)
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "threadwidget" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "threadwidget"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "threadwidget"


class Cache:
    """Response bodies stored under a hash of the request; writes are atomic."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.directory / "http" / digest[:2] / f"{digest}.body"

    def get(self, key: str) -> bytes | None:
        """The stored body for this request key, or None."""
        try:
            return self._path(key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, body: bytes) -> None:
        """Store a body (failures to write are ignored: the cache is an optimisation)."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            os.replace(tmp, path)
        except OSError:
            return
