"""Write tests/data/ranking_vectors.json: scores and orders computed by threadwidget.core.ranking.

js/tests/ranking.test.ts checks that js/src/ranking.ts (and ThreadStore's sibling order) gives
the same numbers, texts and orders; tests/test_ranking.py checks that this file is up to date.

    python scripts/ranking_vectors.py          # regenerate after changing a formula
    python scripts/ranking_vectors.py --check  # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from threadwidget.core.models import Comment, Flag, Post, Thread  # noqa: E402
from threadwidget.core.ranking import (  # noqa: E402
    SORTS,
    controversy,
    format_number,
    hot,
    rank,
    time_ms,
    wilson_lower_bound,
)
from threadwidget.core.voting import voting_model  # noqa: E402

OUT = ROOT / "tests" / "data" / "ranking_vectors.json"
NOW = datetime(2024, 5, 2, 12, 0, 0, 250_000, tzinfo=timezone.utc)
START = NOW - timedelta(days=3)
VOTINGS: dict[str, object] = {
    "likes": "likes",
    "updown": "updown",
    "reactions": {"👍": "Agree", "🤔": "Unsure", "😂": "Funny"},
}


def _thread(kind: str, seed: int) -> Thread:
    """A small thread with everything the order depends on: ties in time and score, pins,
    hidden and deleted comments with replies, comments from the future, 0/0 votes."""
    rng = random.Random(seed)
    users = [f"u{i}" for i in range(12)]
    reactions = list(VOTINGS["reactions"])  # type: ignore[arg-type]
    comments: list[Comment] = []
    for i in range(45):
        parent = None if i < 12 or rng.random() < 0.2 else rng.choice(comments).id
        if i % 7 == 3:  # the same time as the one before: the id breaks the tie
            created = comments[-1].created_at
        elif i % 11 == 5:  # from the future: hot clamps the age to 0
            created = NOW + timedelta(minutes=rng.randint(1, 90))
        else:
            created = START + timedelta(
                milliseconds=rng.randint(0, 3 * 86_400_000), microseconds=rng.randint(0, 999)
            )
        voters = rng.sample(users, rng.choice([0, 0, 1, 2, 3, 5, 8, 12]))
        flaggers = rng.sample(users, rng.choice([0, 0, 0, 1, 2, 4]))
        votes: dict[str, str] = {}
        if kind == "updown":
            votes = {u: rng.choice(["up", "up", "down"]) for u in voters}
        elif kind == "reactions":
            votes = {u: rng.choice(reactions) for u in voters}
        likes = len(voters) + (rng.randint(0, 30) if i % 5 == 0 else 0) if kind == "likes" else 0
        status = "visible"
        if i % 13 == 7:
            status = "hidden"
        elif i % 17 == 9:
            status = "deleted"
        elif i % 19 == 11:
            status = "spam"
        comments.append(
            Comment(
                id=f"{kind[0]}{i:02d}",
                parent_id=parent,
                author=rng.choice(users),
                body="" if status == "deleted" else f"comment {i}",
                created_at=created,
                status=status,  # type: ignore[arg-type]
                likes=likes,
                liked_by=tuple(voters) if kind == "likes" else (),
                flags=tuple(Flag(user=u, at=NOW, reason="r") for u in flaggers),
                pinned=i in (4, 15) or (parent is not None and rng.random() < 0.05),
                votes=votes,
            )
        )
    # two siblings with equal votes and equal times: the id decides in every score sort
    twin = comments[20]
    comments.append(twin.model_copy(update={"id": f"{kind[0]}{99}", "pinned": False}))
    return Thread(post=Post(title="vectors"), comments=tuple(comments))


def build() -> dict[str, Any]:
    """The whole vector file as a dict."""
    rng = random.Random(7)
    pairs = [(0, 0), (1, 0), (0, 1), (5, 1), (1, 5), (10, 10), (10, 1), (3, 3), (100, 37)]
    pairs += [(rng.randint(0, 60), rng.randint(0, 60)) for _ in range(25)]
    formulas = []
    for up, down in pairs:
        created = NOW - timedelta(milliseconds=rng.randint(-3_600_000, 5 * 86_400_000))
        formulas.append(
            {
                "up": up,
                "down": down,
                "created_ms": time_ms(created),
                "wilson": wilson_lower_bound(up, down),
                "controversy": controversy(up, down),
                "hot": hot(up, down, created, NOW),
            }
        )
    numbers = [0.0, -0.0, 1.0, 0.436490563, 0.20654329, 1234.5, 1.005, 0.0625, 2.675, -3.14159]
    numbers += [9.996e-5, -2.5e-9, 2.4734e-9, 0.00099999, 0.001, 1.5e-300, 6.25e-5]
    numbers += [
        1e-9,
        -1e-12,
        12.3456789,
        0.00012345,
        1.2709816,
        20.0,
        7.0 / 3.0,
        0.03125,
        1.125,
        -2.5,
    ]
    threads = []
    for kind, spec in VOTINGS.items():
        thread = _thread(kind, seed=len(threads) + 1)
        roles: dict[str, dict[str, list[list[Any]]]] = {}
        for role in ("participant", "moderator"):
            roles[role] = {
                sort: [
                    [r.id, r.rank, r.depth, r.up, r.down, r.score, r.formula]
                    for r in rank(thread, sort, spec, NOW, role=role)
                ]
                for sort in SORTS
            }
        threads.append(
            {
                "voting": voting_model(spec).wire(),
                "comments": [c.model_dump(mode="json") for c in thread.comments],
                "rows": "[id, rank among siblings, depth, up, down, score, formula] in page order",
                "roles": roles,
            }
        )
    return {
        "_about": "Generated by python scripts/ranking_vectors.py from threadwidget.core.ranking; "
        "checked by js/tests/ranking.test.ts and tests/test_ranking.py. Do not edit.",
        "now": NOW.isoformat().replace("+00:00", "Z"),
        "now_ms": time_ms(NOW),
        "formulas": formulas,
        "format_number": [[x, format_number(x)] for x in numbers],
        "threads": threads,
    }


def _dump(value: Any, pad: str = "") -> str:
    """JSON with one comment or row per line (readable diffs, a small file)."""
    flat = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if len(flat) <= 400 or not isinstance(value, (dict, list)):
        return flat
    inner = pad + " "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {_dump(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return "[\n" + ",\n".join(inner + _dump(v, inner) for v in value) + "\n" + pad + "]"


def render() -> str:
    """The file's exact text."""
    return _dump(build()) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python scripts/ranking_vectors.py")
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
