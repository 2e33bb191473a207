"""benchmarks/hub.py runs to the end at its smallest (``--smoke``: 2 students, 3 s), and under its
small attack no honest post is refused (the proxy's 503 of issue #25)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_hub_benchmark_smoke() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "hub.py"), "--smoke", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=220,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(done.stdout)
    for path in ("hub service (SQLite)", "sqlite, direct", "postgres, direct"):
        assert results[path]["replies"] > 0 and results[path]["missing"] == 0, results
    # the small attack: the honest students' posts are all taken (none refused by the proxy)
    attacked = results["hub service, one student attacking"]
    assert attacked["replies"] > 0 and attacked["missing"] == 0, results
    assert results["hub service (SQLite)"]["refused"] == attacked["refused"] == 0, results
