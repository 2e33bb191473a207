"""What deleting or moderating a comment costs next to an edit, at 100 and 10,000 comments.

    python benchmarks/delete_cost.py              # 100 and 10,000 comments, 100 changes each
    python benchmarks/delete_cost.py --comments 2000 --comments 20000
    python benchmarks/delete_cost.py --smoke      # tiny sizes: it runs

A widget (no views; its messages counted as JSON bytes, as a kernel would send them) edits,
deletes and hides 100 comments whose text the saved snapshot carries. The table shows the time
per change and the bytes sent per change, and both against the edit measured in the same run at
the same size (the saved notebook's slots: src/threadwidget/widget/saved_state.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from threadwidget import ThreadWidget  # noqa: E402
from threadwidget.analysis import synthetic  # noqa: E402


def measure(comments: int, kind: str, count: int) -> tuple[float, float]:
    """Seconds and bytes sent per change of ``kind`` (edit, delete, hide)."""
    thread = synthetic.thread(comments, seed=5)
    w = ThreadWidget(thread=thread, user="teacher", roles={"teacher": "moderator"})
    sent = [0]

    def count_send(content: Any, buffers: Any = None) -> None:
        sent[0] += len(json.dumps(content, default=str))

    def count_comm(data: Any = None, **_: Any) -> None:
        sent[0] += len(json.dumps(data, default=str))

    w.send = count_send  # type: ignore[method-assign]
    if w.comm is not None:
        w.comm.send = count_comm
    targets = [c for c in w.comments if c.status == "visible"][:count]
    start = time.perf_counter()
    for c in targets:
        if kind == "edit":
            w.edit_comment(c.id, c.body + " (edited)", user=c.author)
        elif kind == "delete":
            w.delete_comment(c.id, user=c.author)
        else:
            w.hide(c.id, "off-topic")
    seconds = time.perf_counter() - start
    w.close()
    return seconds / len(targets), sent[0] / len(targets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, action="append", help="thread sizes (repeat)")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help="100 and 1,000 comments, 10 each")
    args = parser.parse_args()
    sizes = args.comments or ([100, 1_000] if args.smoke else [100, 10_000])
    count = 10 if args.smoke else args.count
    print(f"cost of one change ({count} of each; baseline: an edit at the same size, same run)")
    head = (
        ("comments", 9),
        ("change", 8),
        ("ms", 9),
        ("vs edit", 8),
        ("bytes sent", 11),
        ("vs edit", 8),
    )
    print(" ".join(f"{name:>{width}}" for name, width in head))
    for comments in sizes:
        rows = {kind: measure(comments, kind, count) for kind in ("edit", "delete", "hide")}
        edit_s, edit_b = rows["edit"]
        for kind, (seconds, sent) in rows.items():
            print(
                f"{comments:>9,} {kind:>8} {seconds * 1e3:>9.2f} {seconds / edit_s:>7.1f}x"
                f" {sent:>11,.0f} {sent / edit_b:>7.1f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
