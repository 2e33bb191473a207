"""The on-disk cache of fetched responses, so a notebook re-runs offline (one file per request).

Only answers that parsed are stored (the client parses first). The cache is bounded: past
``max_bytes`` (default :data:`MAX_CACHE_BYTES`) the least recently used answers are removed;
:meth:`Cache.clear` (``threadwidget.clear_cache()``, ``threadwidget cache --clear``) empties it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["ENV_CACHE_DIR", "MAX_CACHE_BYTES", "Cache", "default_cache_dir"]

#: Environment variable naming the cache directory (overrides the user cache directory).
ENV_CACHE_DIR = "THREADWIDGET_CACHE_DIR"
#: Default bound of the cache's size on disk (bytes); least recently used answers go first.
MAX_CACHE_BYTES = 500 * 1024 * 1024


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
    """Response bodies stored under a hash of the request; writes are atomic; bounded in size."""

    def __init__(
        self, directory: str | os.PathLike[str] | None = None, max_bytes: int = MAX_CACHE_BYTES
    ) -> None:
        if not isinstance(max_bytes, int) or max_bytes < 0:
            raise ValueError(f"max_bytes must be a whole number of bytes, not {max_bytes!r}")
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.max_bytes = max_bytes
        self._total: int | None = None  # bytes stored (an upper estimate between scans)

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.directory / "http" / digest[:2] / f"{digest}.body"

    def get(self, key: str) -> bytes | None:
        """The stored body for this request key, or None (a hit counts as a use, for eviction)."""
        path = self._path(key)
        try:
            body = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return body

    def put(self, key: str, body: bytes) -> None:
        """Store a body (failures to write are ignored: the cache is an optimisation), then
        remove the least recently used answers while the cache is over its bound."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            os.replace(tmp, path)
        except OSError:
            return
        if self._total is None:
            self._total = self.size()[1]
        else:
            self._total += len(body)
        if self._total > self.max_bytes:
            self.trim(keep=path)

    def delete(self, key: str) -> None:
        """Forget one answer (a bad one an earlier version stored)."""
        with contextlib.suppress(OSError):
            self._path(key).unlink()

    def _files(self) -> list[tuple[float, int, Path]]:
        found = []
        for path in (self.directory / "http").glob("*/*.body"):
            try:
                info = path.stat()
            except OSError:
                continue
            found.append((info.st_mtime, info.st_size, path))
        return found

    def size(self) -> tuple[int, int]:
        """(answers stored, bytes they take)."""
        files = self._files()
        return len(files), sum(size for _, size, _ in files)

    def trim(self, keep: Path | None = None) -> int:
        """Remove least recently used answers until the cache fits ``max_bytes``; how many went."""
        files = self._files()
        total = sum(size for _, size, _ in files)
        removed = 0
        for _, size, path in sorted(files, key=lambda f: f[0]):
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            removed += 1
        self._total = total
        return removed

    def clear(self) -> int:
        """Remove every stored answer; returns how many there were."""
        removed = 0
        for _, _, path in self._files():
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
        self._total = None
        return removed
