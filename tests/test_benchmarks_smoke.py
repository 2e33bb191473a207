"""Every benchmark script without a browser or a hub runs to the end at tiny sizes (``--smoke``),
so none of them rots unnoticed. shared.py runs in test_shared_bench.py (``--quick``), the browser
and hub ones in tests/browser/test_benchmark_smoke.py and tests/hub/test_hub_bench_smoke.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import ROOT


def _smoke(script: str, *args: str, timeout: float = 240) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--smoke", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_python_ops_smoke() -> None:
    out = _smoke("python_ops.py")
    assert "| load 2,000 comments" in out and "| 500 likes on one comment" in out


def test_memory_smoke() -> None:
    out = _smoke("memory.py")
    for kind in ("memory", "autosave", "shared"):  # a row per storage at the last checkpoint
        assert re.search(rf"^\s*{kind}\s+2,000\s", out, re.M), out


def test_delete_cost_smoke() -> None:
    out = _smoke("delete_cost.py")
    for size in ("100", "1,000"):  # a row per change at each size
        for kind in ("edit", "delete", "hide"):
            assert re.search(rf"^\s*{size}\s+{kind}\s", out, re.M), out
