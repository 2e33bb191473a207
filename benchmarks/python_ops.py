"""Python's side of a huge thread: loading it, and likes on one much-liked comment.

    python benchmarks/python_ops.py              # 100,000 comments, 20,000 likes (a minute)
    python benchmarks/python_ops.py --smoke      # 2,000 comments, 500 likes: it runs

Ratios against baselines measured in the same run: loading 100,000 comments against loading
1,000 (per comment), and the 20,000th like on one comment against the first hundred (per like):
constant-time likes keep that ratio near 1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import threadwidget  # noqa: E402
from threadwidget import Comment, ThreadWidget  # noqa: E402
from threadwidget.analysis import synthetic  # noqa: E402


def _load_seconds(size: int, folder: Path) -> float:
    path = folder / f"t{size}.json"
    threadwidget.save(synthetic.thread(size, seed=1), path)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        threadwidget.load(path)
        best = min(best, time.perf_counter() - start)
    return best


def _likes(count: int) -> list[float]:
    """Seconds per like for each block of 100 likes on one comment."""
    w = ThreadWidget(comments=[Comment(id="a", body="liked a lot")])
    w.send = lambda content, buffers=None: None  # type: ignore[method-assign]
    blocks: list[float] = []
    for block in range(count // 100):
        start = time.perf_counter()
        for i in range(block * 100, block * 100 + 100):
            w.like("a", user=f"u{i}")
        blocks.append((time.perf_counter() - start) / 100)
    return blocks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="2,000 comments, 500 likes: it runs")
    args = parser.parse_args(argv)
    size, likes = (2_000, 500) if args.smoke else (100_000, 20_000)
    folder = Path(tempfile.mkdtemp(prefix="tw-pyops-"))
    small, big = _load_seconds(1_000, folder), _load_seconds(size, folder)
    start = time.perf_counter()
    blocks = _likes(likes)
    total = time.perf_counter() - start
    w = ThreadWidget(
        comments=[
            Comment(id="a", body="x", likes=likes, liked_by=tuple(f"u{i}" for i in range(likes)))
        ]
    )
    start = time.perf_counter()
    for i in range(likes):
        w.unlike("a", user=f"u{i}")
    unlikes = time.perf_counter() - start
    print("| measure | value | baseline (same run) | ratio |")
    print("|---|---|---|---|")
    print(
        f"| load {size:,} comments (threadwidget.load) | {big:.2f} s | 1,000 comments: "
        f"{small * 1000:.0f} ms | {big / small / (size / 1000):.2f}x per comment |"
    )
    print(
        f"| {likes:,} likes on one comment | {total:.2f} s | first 100: {blocks[0] * 1e6:.0f} µs "
        f"per like | last 100: {blocks[-1] / blocks[0]:.2f}x per like |"
    )
    print(f"| {likes:,} unlikes of that comment | {unlikes:.2f} s | | |")


if __name__ == "__main__":
    main()
