"""Shared helpers for the format tests: where the sample files are, and loading without warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadwidget.core.models import Thread
from threadwidget.formats import LoadReport, load_with_report

DATA = Path(__file__).parent / "data"


def sample(name: str, **kwargs: object) -> tuple[Thread, LoadReport]:
    """Load a sample file from tests/formats/data with its import report."""
    return load_with_report(DATA / name, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def data_dir() -> Path:
    """The folder of sample files."""
    return DATA
