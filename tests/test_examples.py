"""The example notebooks run end to end, and are committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(name: str) -> str:
    path = EXAMPLES / name
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code), (
        f"{name}: commit it without outputs"
    )
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}}
    )
    client.execute()  # raises CellExecutionError naming the cell on any error
    return "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "") for c in code for o in c.outputs
    )


@pytest.mark.timeout(300)
def test_classroom_notebook_tells_the_whole_story() -> None:
    text = _run("classroom.ipynb")
    assert "'Reality Show Followers'" in text  # the teacher's key re-identifies the spammer
    assert "refused: This looks like an advert for followers" in text  # a validator refused
    assert "s***** question" in text  # a validator rewrote
    assert "('spam', 'teacher', 'c6', 'Advert for followers (reported twice)')" in text  # audit
    assert "agreement" in text and "student1" in text  # labelling vs the answer key
    assert "moments, from 2012-05-14" in text  # replay


@pytest.mark.timeout(300)
def test_quickstart_notebook_runs() -> None:
    _run("quickstart.ipynb")
