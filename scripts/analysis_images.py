"""Draw every chart of docs/analysis.md into docs/analysis/*.png (offline, with vl-convert):
each at a small size (a real thread) and at 100,000 comments (a synthetic thread).

Run ``python scripts/analysis_images.py`` from anywhere; it needs the "plot" extra.
``--check DIR`` draws every chart of the seed, the Hacker News story and 100,000 comments into
DIR instead (three sizes, to look at), leaving docs/ alone.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import threadwidget
from threadwidget import plot
from threadwidget.analysis import synthetic
from threadwidget.core.models import Thread

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data"
OUT = ROOT / "docs" / "analysis"
BIG = 100_000

#: Every chart, by the file name its pictures get, and the example thread drawn small.
CHARTS: dict[str, tuple[Callable[[Thread], Any], str]] = {
    "activity": (plot.activity, "hn"),
    "cumulative": (plot.cumulative, "hn"),
    "timeline": (plot.timeline, "reddit"),
    "tree": (plot.tree, "hn"),
    "tree-radial": (lambda t: plot.tree(t, color_by="depth", layout="radial", width=420), "reddit"),
    "radial-tree": (plot.radial_tree, "hn"),
    "distributions": (plot.distributions, "hn"),
    "participation": (plot.participation, "reddit"),
    "replies-per-author": (plot.replies_per_author, "reddit"),
    "exchanges": (plot.exchanges, "hn"),
    "network": (plot.network, "hn"),
}


def threads() -> dict[str, Thread]:
    """The three example threads of examples/analysis.ipynb and 100,000 synthetic comments."""
    return {
        "seed": threadwidget.load(DATA / "power-trip.json"),
        "hn": threadwidget.load(DATA / "hn-planet-nine.json"),
        "reddit": threadwidget.load(DATA / "reddit-crafts-cosplay.json"),
        "big": synthetic.thread(BIG, seed=1, bodies=False),
    }


def docs() -> None:
    """Each chart small and at 100,000 comments, and the comparisons, into docs/analysis."""
    made = threads()
    names = ["Blog (seed)", "Hacker News", "Reddit"]
    three = [made["seed"], made["hn"], made["reddit"]]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (make, small) in CHARTS.items():
        for suffix, thread, scale in (("", made[small], 1.5), ("-100k", made["big"], 1.0)):
            path = plot.save(make(thread), OUT / f"{name}{suffix}.png", scale=scale)
            print(path.relative_to(ROOT))
    for chart in ("tree", "lorenz", "activity", "depths"):
        panels = plot.compare(three, chart, names=names)
        path = plot.save(panels, OUT / f"compare-{chart}.png", scale=1.2)
        print(path.relative_to(ROOT))


def check(folder: Path) -> None:
    """Every chart of the seed, the Hacker News story and 100,000 comments, into ``folder``."""
    made = threads()
    folder.mkdir(parents=True, exist_ok=True)
    for name, (make, _) in CHARTS.items():
        for size in ("seed", "hn", "big"):
            path = plot.save(make(made[size]), folder / f"{name}-{size}.png", scale=1.0)
            print(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", type=Path, help="draw three sizes into this folder")
    args = parser.parse_args()
    if args.check:
        check(args.check)
    else:
        docs()


if __name__ == "__main__":
    main()
