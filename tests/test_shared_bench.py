"""Smoke test of the shared-thread benchmark in its quick form (a few students, a few seconds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import ROOT


def test_shared_benchmark_quick() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "shared.py"),
            "--quick",
            "--duration",
            "4",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads(result.stdout)
    for store in ("sqlite", "postgres"):
        assert results[store]["replies"] > 0 and results[store]["missing"] == 0
        assert results[store]["worst_ms"] < 1000, results  # the bound: within 1 second
