"""The hub service's web page lays a participant's thread out as their variant says (issue #28):
the page state carries the variant's layout, sort and options; teachers keep the default look;
a layout the page does not know is the tree."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("jupyterhub")

from threadwidget.core.models import Post, Thread
from threadwidget.core.study import VariantPlan
from threadwidget.service.auth import Identity
from threadwidget.service.roles import RoleBook
from threadwidget.service.threads import ThreadHub
from threadwidget.stores.store import open_store

TEACHER = Identity("teacher", groups=frozenset({"teachers"}))
FLAT = Identity("student1")
TWO = Identity("student2")


@pytest.fixture
def hub(tmp_path: Path) -> ThreadHub:
    made = ThreadHub(open_store(tmp_path / "threads.db"), RoleBook("teachers"))
    made.create("t", Thread(post=Post(title="Class", author="teacher")), exist_ok=False)
    yield made
    made.close()


def test_each_participant_page_is_laid_out_as_their_variant(hub: ThreadHub) -> None:
    plan = VariantPlan(
        {
            "A": {"layout": "flat", "sort": "newest", "options": {"density": "compact"}},
            "B": {"layout": "two-level"},
        },
        0,
        {"student1": "A", "student2": "B"},
    )
    hub.set_variant_plan("t", plan, TEACHER)
    flat = hub.page_state("t", FLAT)
    assert flat["config"]["layout"] == "flat" and flat["variant"] == "A"
    assert flat["sort"] == "newest" and flat["options"] == {"density": "compact"}
    two = hub.page_state("t", TWO)
    assert two["config"]["layout"] == "two-level" and two["sort"] is None
    teacher = hub.page_state("t", TEACHER)
    assert teacher["config"]["layout"] == "tree" and teacher["variant"] is None


def test_no_plan_or_an_unknown_layout_is_the_tree(hub: ThreadHub) -> None:
    assert hub.page_state("t", FLAT)["config"]["layout"] == "tree"
    hub.set_variant_plan("t", VariantPlan({"A": {"layout": "<script>"}}, 0, {}), TEACHER)
    state = hub.page_state("t", FLAT)
    assert state["config"]["layout"] == "tree" and state["variant"] == "A"


def test_a_preset_variant_draws_the_preset_and_the_variants_own_settings_win(
    hub: ThreadHub,
) -> None:
    from threadwidget.page.presets import PRESETS

    plan = VariantPlan(
        {
            "Y": {"preset": "youtube", "density": "compact"},
            "D": {"preset": "discourse", "sort": "newest", "layout": "tree"},
        },
        0,
        {"student1": "Y", "student2": "D"},
    )
    hub.set_variant_plan("t", plan, TEACHER)
    youtube = hub.page_state("t", FLAT)
    assert youtube["config"]["layout"] == "two-level"
    assert youtube["config"]["style"] == PRESETS["youtube"].css  # scoped to the page's widget
    assert youtube["sort"] == "top"
    assert youtube["options"] == {"counts": ["votes", "replies"], "density": "compact"}
    assert youtube["config"]["voting"]["kind"] == "likes"  # voting stays the service's
    discourse = hub.page_state("t", TWO)
    assert discourse["config"]["layout"] == "tree" and discourse["sort"] == "newest"
    assert discourse["config"]["style"] == PRESETS["discourse"].css
    assert hub.page_state("t", TEACHER)["config"]["style"] == ""


def test_words_css_and_locale_of_a_variant_reach_the_page_bad_values_left_out(
    hub: ThreadHub,
) -> None:
    plan = VariantPlan(
        {
            "A": {
                "strings": {"reply": "Answer"},
                "css": ".tw-root { --tw-accent: teal; }",
                "locale": "de",
                "options": {"density": "weird", "avatars": "none"},
                "preset": "no-such-preset",
            }
        },
        0,
        {},
    )
    hub.set_variant_plan("t", plan, TEACHER)
    state = hub.page_state("t", FLAT)
    assert state["strings"] == {"reply": "Answer"} and state["locale"] == "de"
    assert state["css"] == ".tw-root { --tw-accent: teal; }"
    assert state["options"] == {"avatars": "none"}  # the bad density left out, not the rest
    assert state["config"]["layout"] == "tree" and state["config"]["style"] == ""
    hub.set_variant_plan("t", VariantPlan({"A": {"css": "</style><script>x</script>"}}), TEACHER)
    assert hub.page_state("t", FLAT)["css"] == ""


def test_the_studys_log_is_on_for_participants_pages_only(hub: ThreadHub) -> None:
    assert hub.page_state("t", FLAT)["log_interactions"] is False
    hub.set_variant_plan("t", VariantPlan({"A": {}}, 0, {}, log_interactions=True), TEACHER)
    assert hub.page_state("t", FLAT)["log_interactions"] is True
    assert hub.page_state("t", TEACHER)["log_interactions"] is False
    # the flag survives the store's JSON, and what a participant may know of the plan
    assert hub.variant_plan("t", FLAT).log_interactions is True  # type: ignore[union-attr]
    assert VariantPlan.from_json(VariantPlan({"A": {}}).to_json()).log_interactions is False


def test_logged_rows_naming_unknown_comments_or_far_times_are_dropped(hub: ThreadHub) -> None:
    from datetime import datetime, timedelta, timezone

    from threadwidget.core.operations import AddComment

    hub.submit("t", AddComment(body="Hello"), FLAT)
    cid = next(iter(hub.snapshot("t")[0].comments)).id
    now = datetime.now(timezone.utc)

    def row(at: datetime, ident: str | None) -> dict[str, object]:
        return {"at": at.isoformat(), "kind": "seen", "id": ident, "value": None, "ms": 5}

    kept = hub.add_interactions(
        "t",
        FLAT,
        [
            row(now, cid),
            row(now, "no-such-comment"),
            row(now - timedelta(hours=2), cid),
            row(now + timedelta(hours=1), None),
            row(now, None),
        ],
    )
    assert kept == 2
    assert [(r["user"], r["id"]) for r in hub.interactions("t", TEACHER)] == [
        ("student1", cid),
        ("student1", None),
    ]
