"""A thread that lacks replies says so everywhere it is summed up: stats(), measures(), every
chart, and a saved file (the widget header is in tests/browser/test_fetch_browser.py)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from threadwidget import Thread, ThreadLoadWarning, load, read_thread, write_thread
from threadwidget.analysis.measures import measures

DATA = Path(__file__).parent / "formats" / "data"
NOTE = "incomplete: 4+ replies not loaded"


@pytest.fixture
def incomplete() -> Thread:
    """The Reddit file with 4 replies behind a 'more' stub and a 'continue this thread' link."""
    with pytest.warns(ThreadLoadWarning, match=NOTE.replace("+", r"\+")):
        return load(DATA / "reddit.json")


def test_stats_and_measures_say_the_thread_is_incomplete(incomplete: Thread) -> None:
    stats = incomplete.stats()
    assert stats.incomplete == NOTE and stats.not_loaded == 4
    assert str(stats).splitlines()[0].startswith(NOTE)
    assert NOTE in stats._repr_html_() and stats.to_dict()["incomplete"] == NOTE
    table = measures(incomplete)
    assert table.incomplete == NOTE
    assert str(table).splitlines()[0].startswith(NOTE)
    assert f"<caption>{NOTE}" in table._repr_html_()
    whole = Thread(
        post=incomplete.post.model_copy(update={"gaps": ()}), comments=incomplete.comments
    )
    assert whole.stats().incomplete == "" and NOTE not in str(whole.stats())
    assert measures(whole).incomplete == "" and "<caption>" not in measures(whole)._repr_html_()


def test_every_chart_says_the_thread_is_incomplete(incomplete: Thread) -> None:
    pytest.importorskip("altair")
    from threadwidget import plot
    from threadwidget.plot.compare import CHARTS

    charts = {name: make(incomplete) for name, make in CHARTS.items()}
    charts["distributions"] = plot.distributions(incomplete)
    charts["participation"] = plot.participation(incomplete)
    for name, chart in charts.items():
        spec = json.dumps(chart.to_dict())
        assert NOTE in spec, f"{name} does not say the thread is incomplete"
    whole = Thread(
        post=incomplete.post.model_copy(update={"gaps": ()}), comments=incomplete.comments
    )
    assert NOTE not in json.dumps(plot.tree(whole).to_dict())
    both = json.dumps(plot.compare([incomplete, whole], "depths").to_dict())
    assert both.count(NOTE) == 1  # the incomplete panel only


def test_a_saved_thread_keeps_its_completeness(incomplete: Thread, tmp_path: Path) -> None:
    path = write_thread(incomplete, tmp_path / "t.json")
    assert json.loads(path.read_text())["version"] == 2
    again = read_thread(path)
    assert again.completeness == incomplete.completeness
    with warnings.catch_warnings(record=True) as seen:  # load() of our own file warns as well
        warnings.simplefilter("always")
        assert load(path).completeness.not_loaded == 4
    assert any(NOTE in str(w.message) for w in seen)
