"""An interface study (docs/studies.md): variants per participant, the interaction log's kernel
side (validation, budget, storage round trips) and the per-variant measures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadwidget import Comment, Post, Thread, ThreadWidget
from threadwidget.analysis.study import participant_measures, variant_measures
from threadwidget.core.study import (
    INTERACTION_BURST_BYTES,
    INTERACTION_BYTES_PER_SECOND,
    ByteBudget,
    VariantPlan,
    clean_row,
)
from threadwidget.stores.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
PLAN = {"A": {"sort": "newest"}, "B": {"density": "compact", "max_indent": 2}}


def _thread() -> Thread:
    return Thread(
        post=Post(title="Study", author="teacher"),
        comments=(
            Comment(id="c1", author="ann", body="one"),
            Comment(id="c2", parent_id="c1", author="bob", body="two"),
        ),
    )


def _batch(rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"kind": "interactions", "client": "v1", "rows": rows, **extra}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _send(w: ThreadWidget, message: dict[str, Any]) -> None:
    w._on_custom_message(w, message, [])


# ---- variants ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variants", "field"),
    [
        ({"A": {"sort": "new"}}, "variants.A.sort"),
        ({"A": {"role": "moderator"}}, "variants.A.role"),
        ({"A": {"read_only": False}}, "variants.A.read_only"),
        ({"B": {"no_such_setting": 1}}, "variants.B.no_such_setting"),
        ({"B": {"density": "huge"}}, "variants.B.options"),
        ({"A": {"css": "</style><script>"}}, "variants.A.css"),
        ({"A": "compact"}, "variants.A"),
        ({}, "variants"),
    ],
)
def test_a_variant_setting_the_widget_refuses_is_a_value_error_naming_it(
    variants: Any, field: str
) -> None:
    w = ThreadWidget(thread=_thread(), user="ann")
    with pytest.raises(ValueError, match=f"^{field}"):
        w.set_variants(variants)
    assert w.engine.storage.variant_plan() is None  # nothing kept


def test_a_table_naming_an_unknown_variant_is_refused() -> None:
    w = ThreadWidget(thread=_thread())
    with pytest.raises(ValueError, match=r"^table\.ann"):
        w.set_variants(PLAN, table={"ann": "C"})


def test_assignment_is_the_same_in_another_process_and_the_table_wins() -> None:
    plan = VariantPlan(PLAN, seed=7, table={"zoe": "A"})
    users = [f"student{n}" for n in range(40)] + ["zoe"]
    code = (
        "import json, sys; from threadwidget.core.study import VariantPlan; "
        "p = VariantPlan.from_json(sys.argv[1]); "
        "print(json.dumps([p.assign(u) for u in sys.argv[2:]]))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONHASHSEED": "123"}
    out = subprocess.run(
        [sys.executable, "-c", code, plan.to_json(), *users],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(out.stdout) == [plan.assign(u) for u in users]
    assert plan.assign("zoe") == "A"
    assert {plan.assign(u) for u in users} == {"A", "B"}  # both used
    assert VariantPlan(PLAN, seed=8).assign("student3") in {"A", "B"}


def test_variants_through_a_shared_sqlite_store_agree_across_reconnects_and_kernels(
    tmp_path: Path,
) -> None:
    db = tmp_path / "class.db"
    teacher = ThreadWidget.connect(db, "week1", thread=_thread(), user="teacher")
    teacher.set_variants(PLAN, seed=3, table={"bob": "B"})
    wanted = {u: VariantPlan(PLAN, seed=3, table={"bob": "B"}).assign(u) for u in ("ann", "bob")}
    seen: list[tuple[str, str | None, str, int]] = []
    for _ in range(2):  # connect, close, connect again
        for user in ("ann", "bob"):
            w = ThreadWidget.connect(db, "week1", user=user)
            seen.append((user, w.variant, w.sort, w.options["max_indent"]))
            w.close()
    expected = {
        "A": ("newest", 6),
        "B": ("oldest", 2),
    }
    for user, variant, sort, indent in seen:
        assert variant == wanted[user]
        assert (sort, indent) == expected[variant]
    # another kernel (a fresh process) connecting to the same store applies the same variant
    code = (
        "import json, sys; from threadwidget import ThreadWidget; "
        "w = ThreadWidget.connect(sys.argv[1], 'week1', user=sys.argv[2]); "
        "print(json.dumps([w.variant, w.sort, w.options])); w.close()"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("JUPYTERHUB_USER", None)
    for user in ("ann", "bob"):
        out = subprocess.run(
            [sys.executable, "-c", code, str(db), user],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        variant, sort, options = json.loads(out.stdout)
        assert variant == wanted[user] and (sort, options["max_indent"]) == expected[variant]
    # the teacher keeps their own settings and sees the table
    assert teacher.variant is None and teacher.sort == "oldest"
    table = teacher.variants()
    assert dict(zip(table["user"], table["variant"], strict=True))["bob"] == "B"
    assert dict(zip(table["user"], table["by"], strict=True))["bob"] == "table"
    teacher.close()


def test_a_variant_follows_the_user_and_leaves_moderators_alone() -> None:
    w = ThreadWidget(thread=_thread(), user="teacher", roles={"teacher": "moderator"})
    w.set_variants({"A": {"sort": "top"}})
    assert w.variant is None and w.sort == "oldest"
    w.user = "ann"
    assert w.variant == "A" and w.sort == "top"


def test_a_preset_variant_sets_the_preset_first_and_the_variants_own_settings_win(
    tmp_path: Path,
) -> None:
    db = tmp_path / "class.db"
    teacher = ThreadWidget.connect(db, "w", thread=_thread(), user="teacher")
    # the variant's own sort is written before its preset: it still wins over the preset's
    teacher.set_variants({"Y": {"sort": "newest", "preset": "youtube"}})
    ann = ThreadWidget.connect(db, "w", user="ann")
    assert ann.variant == "Y" and ann.preset == "youtube"
    assert ann.layout == "two-level" and ann.sort == "newest"
    ann.close()
    teacher.close()


def test_a_variant_names_a_preset_it_does_not_hold_one() -> None:
    from threadwidget import Preset

    w = ThreadWidget(thread=_thread(), user="teacher")
    with pytest.raises(ValueError, match=r"variants\.P\.preset: a preset's registered name"):
        w.set_variants({"P": {"preset": Preset(layout="flat")}})
    with pytest.raises(ValueError, match=r"variants\.P\.preset"):
        w.set_variants({"P": {"preset": "no-such-preset"}})
    with pytest.raises(ValueError, match="log_interactions"):
        w.set_variants({"P": {}}, log_interactions="yes")  # type: ignore[arg-type]


def test_a_study_that_logs_turns_every_participants_log_on(tmp_path: Path) -> None:
    db = tmp_path / "class.db"
    teacher = ThreadWidget.connect(
        db, "w", thread=_thread(), user="teacher", roles={"teacher": "moderator"}
    )
    teacher.set_variants({"A": {}, "B": {"layout": "flat"}}, log_interactions=True)
    assert teacher.log_interactions is False  # the teacher is not a participant
    for user in ("ann", "bob"):
        w = ThreadWidget.connect(db, "w", user=user, roles={"teacher": "moderator"})
        assert w.log_interactions is True, user
        w.close()
    teacher.set_variants({"A": {}})  # a plan without the log: nobody's is turned on
    ann = ThreadWidget.connect(db, "w", user="ann", roles={"teacher": "moderator"})
    assert ann.log_interactions is False
    ann.close()
    teacher.close()


# ---- the interaction log --------------------------------------------------------------------


def test_the_log_is_off_by_default_and_keeps_nothing() -> None:
    w = ThreadWidget(thread=_thread(), user="ann")
    assert w.log_interactions is False
    _send(w, _batch([{"t": _now_ms(), "k": "seen", "id": "c1", "ms": 900}]))
    assert w.interaction_rows() == []


def test_a_hostile_page_cannot_name_another_reader_or_bad_comments_or_times() -> None:
    w = ThreadWidget(thread=_thread(), user="ann", log_interactions=True)
    now = _now_ms()
    _send(w, _batch([{"t": now, "k": "seen", "id": "c1", "ms": 900, "user": "bob"}]))
    _send(w, {**_batch([{"t": now, "k": "why"}]), "user": "bob"})
    assert w.interaction_rows() == []  # an envelope naming anyone is refused whole
    _send(
        w,
        _batch(
            [
                {"t": now, "k": "seen", "id": "nope", "ms": 5},  # no such comment
                {"t": now - 3_600_000, "k": "why"},  # an hour ago
                {"t": now + 3_600_000, "k": "why"},  # in an hour
                {"t": now, "k": "like", "id": "c2"},
            ]
        ),
    )
    rows = w.interaction_rows()
    assert [(r["user"], r["kind"], r["id"]) for r in rows] == [("ann", "like", "c2")]
    assert w._log.dropped == 3


def test_a_flood_is_held_to_the_bytes_per_second() -> None:
    w = ThreadWidget(thread=_thread(), user="ann", log_interactions=True)
    start = time.monotonic()
    now = _now_ms()
    row = {"t": now, "k": "seen", "id": "c1", "ms": 1000}
    size = len(json.dumps(row, separators=(",", ":")))
    for _ in range(100):
        _send(w, _batch([row] * 400))
    elapsed = time.monotonic() - start
    kept = len(w.interaction_rows())
    budget = 1.25 * (INTERACTION_BURST_BYTES + INTERACTION_BYTES_PER_SECOND * elapsed)
    assert 0 < kept * size <= budget
    assert w._log.dropped == 40000 - kept


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 5), st.integers(1, 3000)), max_size=60))
def test_byte_budget_never_lets_more_than_burst_plus_rate(steps: list[tuple[float, int]]) -> None:
    clock = [0.0]
    budget = ByteBudget(100, 1000, clock=lambda: clock[0])
    spent = 0
    for dt, size in steps:
        clock[0] += dt
        if budget.take(size):
            spent += size
        assert spent <= 1000 + 100 * clock[0] + 1e-6


def _log_some(w: ThreadWidget) -> None:
    now = _now_ms()
    _send(w, _batch([{"t": now, "k": "seen", "id": "c1", "ms": 900}, {"t": now, "k": "why"}]))
    _send(w, _batch([{"t": now + 1, "k": "filter", "v": "search:ann's email"}]))


def test_the_log_survives_reopening_the_autosave_file(tmp_path: Path) -> None:
    path = tmp_path / "study.db"
    w = ThreadWidget(thread=_thread(), user="ann", autosave=path, log_interactions=True)
    w.set_variants(PLAN, seed=1)
    _log_some(w)
    before = w.interaction_rows()
    w.close()
    again = ThreadWidget(autosave=path, user="ann")
    assert again.interaction_rows() == before
    assert [r["kind"] for r in before] == ["seen", "why", "filter"]
    assert again.engine.storage.variant_plan() == VariantPlan(PLAN, seed=1)
    again.close()


def test_the_log_of_two_kernels_meets_in_a_shared_sqlite_store(tmp_path: Path) -> None:
    db = tmp_path / "class.db"
    ann = ThreadWidget.connect(db, "t", thread=_thread(), user="ann", log_interactions=True)
    bob = ThreadWidget.connect(db, "t", user="bob", log_interactions=True)
    _log_some(ann)
    _log_some(bob)
    ann.close()
    bob.close()
    store = SQLiteStore(db)
    rows = store.interactions("t")
    assert sorted({r["user"] for r in rows}) == ["ann", "bob"] and len(rows) == 6
    store.delete_thread("t")  # the log goes with its thread
    assert store.interactions("t") == []
    store.close()


def test_interactions_as_a_frame_anonymised_and_exported(tmp_path: Path) -> None:
    w = ThreadWidget(thread=_thread(), user="ann", log_interactions=True)
    w.set_variants(PLAN, seed=2)
    _log_some(w)
    w.user = "reader-who-never-wrote"
    _log_some(w)
    frame = w.interactions()
    assert list(frame.columns) == ["user", "variant", "at", "kind", "id", "value", "ms"]
    assert set(frame["user"]) == {"ann", "reader-who-never-wrote"}
    assert frame["variant"].iloc[0] == VariantPlan(PLAN, seed=2).assign("ann")
    anon = w.interactions(anonymize=True, seed=5)
    _, key = w.thread.anonymize(seed=5)
    assert set(anon["user"]) == {key.pseudonyms["ann"], "Reader 1"}
    assert "ann's email" not in anon.to_csv()
    out = w.export_interactions(tmp_path / "log.jsonl", anonymize=True, seed=5)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 6 and {r["user"] for r in lines} == set(anon["user"])
    csv = w.export_interactions(tmp_path / "log.csv").read_text()
    assert csv.splitlines()[0] == "user,variant,at,kind,id,value,ms"


def test_the_service_checks_stored_rows_field_by_field() -> None:
    good = {"at": "2026-01-01T00:00:00+00:00", "kind": "seen", "id": "c1", "value": None, "ms": 5}
    assert clean_row(good) == good
    for bad, field in [
        ({**good, "kind": "hack"}, "kind"),
        ({**good, "at": "yesterday"}, "at"),
        ({**good, "ms": -1}, "ms"),
        ({**good, "user": "bob"}, "rows"),
        ({**good, "value": "x" * 201}, "value"),
    ]:
        with pytest.raises(ValueError, match=f"^{field}"):
            clean_row(bad)


# ---- analysis -------------------------------------------------------------------------------


def test_measures_per_participant_and_variant() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    thread = Thread(
        post=Post(title="x"),
        comments=(
            Comment(id="a", author="seed", created_at=t0),
            Comment(id="b", author="seed", created_at=t0 + timedelta(seconds=1)),
            Comment(id="r1", parent_id="a", author="ann", created_at=t0 + timedelta(seconds=60)),
            Comment(id="r2", parent_id="r1", author="ann", created_at=t0 + timedelta(seconds=90)),
            Comment(id="r3", author="bob", created_at=t0 + timedelta(seconds=130)),
        ),
    )

    def at(s: float) -> str:
        return (t0 + timedelta(seconds=s)).isoformat()

    rows = [
        {"user": "ann", "at": at(10), "kind": "seen", "id": "a", "ms": 1000},
        {"user": "ann", "at": at(20), "kind": "seen", "id": "b", "ms": 1000},
        {"user": "bob", "at": at(30), "kind": "seen", "id": "a", "ms": 1000},
        {"user": "bob", "at": at(200), "kind": "seen", "id": "b", "ms": 1000},  # after replying
        {"user": "cy", "at": at(40), "kind": "why"},
    ]
    variant = {"ann": "A", "bob": "B", "cy": "B"}.get
    people = participant_measures(thread, rows, variant).set_index("user")
    assert people.loc["ann", "seconds_to_first_reply"] == 50
    assert people.loc["ann", "replies"] == 2 and people.loc["ann", "depth_reached"] == 3
    assert people.loc["ann", "read_before_reply"] == 1.0  # a and b, both there before r1
    assert people.loc["bob", "read_before_reply"] == pytest.approx(1 / 4)  # a of a, b, r1, r2
    assert people.loc["cy", "replies"] == 0 and people.loc["cy", "depth_reached"] == 0
    per = variant_measures(thread, rows, variant)
    assert per.loc["A", "participants"] == 1 and per.loc["B", "participants"] == 2
    assert per.loc["B", "median_seconds_to_first_reply"] == 100
    assert per.loc["B", "replies_per_participant"] == 0.5
    assert per.loc["B", "read_before_reply"] == pytest.approx(0.25)


def test_the_variants_chart_has_a_panel_per_measure() -> None:
    from threadwidget import plot
    from threadwidget.analysis import synthetic

    plan = VariantPlan(PLAN, seed=1)
    thread, rows = synthetic.study(synthetic.thread(20, seed=1), ["p1", "p2", "p3"], plan.assign)
    again = synthetic.study(synthetic.thread(20, seed=1), ["p1", "p2", "p3"], plan.assign)
    assert (thread, rows) == again  # seeded
    people = participant_measures(thread, rows, plan.assign)
    spec = plot.variants(people).to_dict()
    titles = [panel["layer"][0]["title"] for panel in spec["hconcat"]]
    assert titles == [
        "Seconds to first reply",
        "Replies per participant",
        "Depth reached",
        "Share read before replying",
    ]
    assert len(plot.to_png(plot.variants(people))) > 1000
