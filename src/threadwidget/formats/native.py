"""threadwidget's own JSON file format: ``Thread.model_dump_json()`` with a ``"version"`` key.

Writes are atomic (a temporary file in the same folder, flushed, then renamed over the target), so a
crash never leaves a half-written file. Errors name the file and the JSON path of the bad value.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from ..models import FORMAT_VERSION, Thread

__all__ = ["ThreadFileError", "read_thread", "write_thread"]


class ThreadFileError(ValueError):
    """A thread file could not be read; the message names the file and the place in it."""


def _json_path(loc: tuple[int | str, ...]) -> str:
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def read_thread(path: str | os.PathLike[str]) -> Thread:
    """Load and validate a thread saved by :func:`write_thread` (any version up to the current)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ThreadFileError(f"{path}: cannot read the file ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise ThreadFileError(f"{path}: not UTF-8 text (byte {error.start})") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ThreadFileError(
            f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from error
    if not isinstance(data, dict):
        raise ThreadFileError(f"{path}: expected a JSON object at $, found {type(data).__name__}")
    version = data.get("version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise ThreadFileError(
            f"{path}: $.version is {version!r}; this threadwidget reads versions 1 to "
            f"{FORMAT_VERSION} (upgrade threadwidget to read newer files)"
        )
    try:
        return Thread.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{_json_path(e['loc'])}: {e['msg']}" for e in error.errors()[:5])
        more = f" (and {error.error_count() - 5} more)" if error.error_count() > 5 else ""
        raise ThreadFileError(f"{path}: invalid thread: {problems}{more}") from error


def write_thread(thread: Thread, path: str | os.PathLike[str]) -> Path:
    """Save a thread as versioned JSON, atomically; returns the path written."""
    path = Path(path)
    text = thread.model_dump_json(indent=2)
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
