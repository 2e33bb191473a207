"""Optional dependencies: imported when a feature needs them, with the install line if missing."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` for ``feature``; an ``ImportError`` naming the extra to install if it
    is missing (``w.labels`` without pandas says ``pip install 'threadwidget[pandas]'``)."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{feature} needs {module}, which is not installed: pip install 'threadwidget[{extra}]'"
        ) from error
