"""The benchmark's smoke run (100 comments), so benchmarks/run.py cannot rot unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from harness import REPO

pytestmark = pytest.mark.browser


def test_benchmark_smoke(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--sizes",
            "100",
            "--python-max",
            "1000",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| comments |" in done.stdout
    figures = json.loads(out.read_text())
    row = figures["rows"]["100"]
    assert row["down"] < 1024  # one operation, one view: well under 1 KB on the wire
    assert row["naive"] > 10 * row["down"]
    assert row["apply"] < 16  # a remote edit lands within one frame
    assert row["first_on_screen"]
    assert figures["round_trip"]["reply"] > 0
    assert figures["bundle"]["gzip"] < 60 * 1024
