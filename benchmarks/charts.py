"""Every chart of threadwidget.plot at 100,000 comments: build, serialise, spec size, PNG.

    python benchmarks/charts.py              # 100,000 comments against 1,000 (a few minutes)
    python benchmarks/charts.py --png        # also render each chart to PNG with vl-convert
    python benchmarks/charts.py --size 20000 # another size

Machines here are noisy, so each figure is the best of three and is compared with the same
chart of 1,000 comments measured in the same run (ratio: 100 times the comments). Charts share
one table of the thread's comments (plot._frame), built once per thread: its time is a row of
its own, and "cold" adds it to a chart's build, what the first chart drawn of a thread costs.
Wall-clock seconds and CPU seconds of this process are both shown: on a machine shared by
several jobs (the load average is printed) the wall clock counts the waits for a core too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from threadwidget import plot  # noqa: E402
from threadwidget.analysis import synthetic  # noqa: E402
from threadwidget.core.models import Thread  # noqa: E402
from threadwidget.plot import _frame  # noqa: E402

#: Charts in the table: every chart of threadwidget.plot, by the name users call.
CHARTS: dict[str, Callable[[Thread], Any]] = {
    "activity": plot.activity,
    "cumulative": plot.cumulative,
    "timeline": plot.timeline,
    "tree": plot.tree,
    "tree radial": lambda t: plot.tree(t, layout="radial"),
    "radial_tree": plot.radial_tree,
    "depths": plot.depths,
    "reply_times": plot.reply_times,
    "distributions": plot.distributions,
    "lorenz": plot.lorenz,
    "top_authors": plot.top_authors,
    "participation": plot.participation,
    "replies_per_author": plot.replies_per_author,
    "exchanges": plot.exchanges,
    "network": plot.network,
}
#: What every chart of 100,000 comments must stay under (issue 24).
BUDGET_SECONDS = 2.0
BUDGET_BYTES = 2_000_000


def best_of(fn: Callable[[], object], repeat: int = 3) -> tuple[float, float, object]:
    """Fastest of ``repeat`` runs: wall seconds, CPU seconds of this process, the result."""
    wall = cpu = float("inf")
    out = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, out


def frame_seconds(thread: Thread) -> tuple[float, float]:
    """Building the shared table of comments, uncached: (wall, CPU) seconds."""
    wall, cpu, _ = best_of(lambda: _frame._build(thread))
    return wall, cpu


def chart_figures(make: Callable[[Thread], Any], thread: Thread, png: bool) -> dict[str, float]:
    """Build and serialise (to_dict + JSON) one chart, frame cached; optionally its PNG."""
    _frame.frame_of(thread)

    def both() -> str:
        return json.dumps(make(thread).to_dict())

    wall, cpu, text = best_of(both)
    out = {"wall": wall, "cpu": cpu, "bytes": float(len(str(text)))}
    if png:
        chart = make(thread)
        out["png"] = best_of(lambda: plot.to_png(chart, scale=1.0), repeat=1)[0]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--png", action="store_true", help="also time PNG rendering")
    args = parser.parse_args(argv)
    big = synthetic.thread(args.size, seed=1, bodies=False)
    small = synthetic.thread(args.baseline, seed=1, bodies=False)
    (frame_wall, frame_cpu), (small_wall, _) = frame_seconds(big), frame_seconds(small)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"threadwidget chart benchmarks, {datetime.now():%Y-%m-%d %H:%M}, "
        f"{platform.machine()} x{os.cpu_count()}, Python {platform.python_version()}, "
        f"load average {load:.1f}"
    )
    print(
        f"{args.size:,} comments against {args.baseline:,} (ratio), best of 3; "
        "build + serialise (to_dict and JSON) in seconds\n"
    )
    head = (
        f"| chart | wall | CPU | cold wall (+ table) | cold CPU | ratio to {args.baseline:,} "
        "| spec KB |" + (" PNG s |" if args.png else "")
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    print(
        f"| comment table (once per thread) | {frame_wall:.3f} | {frame_cpu:.3f} | - | - | "
        f"{frame_wall / max(small_wall, 1e-9):.0f}x | - |" + (" - |" if args.png else "")
    )
    worst = 0.0
    for name, make in CHARTS.items():
        big_fig = chart_figures(make, big, args.png)
        small_fig = chart_figures(make, small, False)
        cold_cpu = big_fig["cpu"] + frame_cpu
        worst = max(worst, cold_cpu)
        line = (
            f"| {name} | {big_fig['wall']:.3f} | {big_fig['cpu']:.3f} | "
            f"{big_fig['wall'] + frame_wall:.3f} | {cold_cpu:.3f} | "
            f"{big_fig['wall'] / max(small_fig['wall'], 1e-9):.1f}x | "
            f"{big_fig['bytes'] / 1000:.0f} |"
        )
        if args.png:
            line += f" {big_fig['png']:.2f} |"
        print(line, flush=True)
        if big_fig["bytes"] >= BUDGET_BYTES:
            print(f"  {name}: spec of {big_fig['bytes']:,.0f} bytes, over {BUDGET_BYTES:,}")
    print(f"\nslowest chart, cold, CPU: {worst:.2f} s (budget {BUDGET_SECONDS} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
