"""threadwidget.measures_table: several threads side by side, read against their size."""

from __future__ import annotations

import pytest

import threadwidget
from threadwidget import read_thread
from threadwidget.analysis.measures import measures
from threadwidget.analysis.reference import reference

from .conftest import ROOT

DATA = ROOT / "examples" / "data"


def test_measures_side_by_side_with_reference_ranges() -> None:
    blog, hn = (
        read_thread(DATA / "power-trip.json"),
        threadwidget.load(DATA / "hn-planet-nine.json"),
    )
    table = threadwidget.measures_table([blog, hn], names=["blog", "hn"])
    values = table.xs("value", axis=1, level="field")
    assert list(values.columns) == ["blog", "hn"]
    for name, thread in (("blog", blog), ("hn", hn)):
        for key, value in measures(thread).to_dict().items():
            got = values.loc[key, name]
            assert (got != got and value is None) or got == pytest.approx(value)
    ref = reference(116)
    assert table.loc["max_level", ("hn", "expected low")] == ref.low["max_level"]
    assert table.loc["max_level", ("hn", "expected high")] == ref.high["max_level"]
    # 5 levels where random trees of 116 comments reach 7 to 12
    assert table.loc["max_level", ("hn", "reading")] == "shallower than expected for its size"
    assert table.loc["reciprocity_rho", ("blog", "value")] == pytest.approx(-1 / 3)
    assert table.loc["reciprocity_rho", ("blog", "reading")] == ""
    assert table.attrs["reference model"].startswith("random reply trees")


def test_measures_table_names_and_input() -> None:
    blog = read_thread(DATA / "power-trip.json")
    table = threadwidget.measures_table([blog, blog], reference_ranges=False)
    assert list(table.columns.get_level_values(0)) == [
        "On a social media power trip?",
        "On a social media power trip? (2)",
    ]
    with pytest.raises(ValueError, match="names: 1 names for 2 threads"):
        threadwidget.measures_table([blog, blog], names=["one"])
    with pytest.raises(ValueError, match="threads"):
        threadwidget.measures_table(blog)  # type: ignore[arg-type]
