"""Draw every chart of docs/analysis.md into docs/analysis/*.png (offline, with vl-convert).

Run ``python scripts/analysis_images.py`` from anywhere; it needs the "plot" extra.
"""

from __future__ import annotations

from pathlib import Path

import threadwidget
from threadwidget import plot

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data"
OUT = ROOT / "docs" / "analysis"


def main() -> None:
    """Load the three example threads and save each chart as a PNG."""
    seed = threadwidget.load(DATA / "power-trip.json")
    hn = threadwidget.load(DATA / "hn-planet-nine.json")
    reddit = threadwidget.load(DATA / "reddit-crafts-cosplay.json")
    names = ["Blog (seed)", "Hacker News", "Reddit"]
    charts = {
        "activity": plot.activity(hn),
        "timeline": plot.timeline(reddit),
        "tree": plot.tree(hn),
        "tree-radial": plot.tree(reddit, color_by="depth", layout="radial", width=420),
        "distributions": plot.distributions(hn),
        "participation": plot.participation(reddit),
        "network": plot.network(hn),
        "compare-tree": plot.compare([seed, hn, reddit], "tree", names=names),
        "compare-lorenz": plot.compare([seed, hn, reddit], "lorenz", names=names),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for name, chart in charts.items():
        path = plot.save(chart, OUT / f"{name}.png", scale=1.5)
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
