"""Thread <-> pandas DataFrame: columns, tree metrics, lossless round trip, clear errors."""

from __future__ import annotations

import builtins
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from threadwidget import Thread
from threadwidget.analysis.tabular import COLUMNS, from_pandas, to_pandas
from threadwidget.formats import load

pd = pytest.importorskip("pandas")

SEED = Path(__file__).resolve().parents[1] / "examples" / "data" / "power-trip.json"


def test_columns_and_tree_metrics(thread: Thread) -> None:
    frame = thread.to_pandas()
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == 3
    row = frame.set_index("id").loc["b"]
    assert row["root_id"] == "a" and row["depth"] == 1 and row["path"] == "a/b"
    assert frame.set_index("id").loc["a", "n_replies"] == 1
    assert frame.set_index("id").loc["a", "n_descendants"] == 1
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["edited_at"].isna().all()
    assert frame.set_index("id").loc["c", "liked_by"] == ["Ann"]


def test_round_trip_loses_nothing(thread: Thread) -> None:
    assert Thread.from_pandas(thread.to_pandas()) == thread
    seed = load(SEED)
    assert from_pandas(to_pandas(seed)) == seed


def test_round_trip_of_a_large_synthetic_thread() -> None:
    from threadwidget.analysis import synthetic

    big = synthetic.thread(2000, seed=4)
    frame = to_pandas(big)
    assert frame["depth"].max() > 3
    assert from_pandas(frame) == big
    assert int(frame.loc[frame["parent_id"].isna(), "n_descendants"].sum()) + int(
        frame["parent_id"].isna().sum()
    ) == len(big.comments)


def test_frame_built_by_hand_with_naive_times_and_no_post() -> None:
    frame = pd.DataFrame(
        {
            "id": ["x", "y"],
            "parent_id": [None, "x"],
            "author": ["Ann", "Bo"],
            "created_at": [datetime(2024, 1, 1, 12), datetime(2024, 1, 1, 13)],
            "body": ["hi", "yo"],
        }
    )
    thread = from_pandas(frame)
    assert thread.get("y").parent_id == "x"
    assert thread.get("x").created_at.tzinfo is not None
    assert thread.post.created_at == datetime(2024, 1, 1, 12, tzinfo=timezone.utc)


def test_bad_row_names_row_and_id() -> None:
    frame = pd.DataFrame(
        {
            "id": ["x"],
            "author": ["Ann"],
            "created_at": ["2024-01-01T00:00:00Z"],
            "body": [5.5],
            "likes": [-1],
        }
    )
    with pytest.raises(ValueError, match=r"row 1 \(id 'x'\)"):
        from_pandas(frame)
    with pytest.raises(ValueError, match="missing column"):
        from_pandas(pd.DataFrame({"id": ["x"]}))


def test_missing_pandas_message(monkeypatch: pytest.MonkeyPatch, thread: Thread) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "pandas")
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"pip install 'threadwidget\[pandas\]'"):
        thread.to_pandas()
