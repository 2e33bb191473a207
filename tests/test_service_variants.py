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
