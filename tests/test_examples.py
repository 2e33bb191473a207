"""The example notebooks run end to end, and are committed without outputs."""

from __future__ import annotations

import shutil
import tempfile
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
    with tempfile.TemporaryDirectory(prefix="tw-examples-") as folder:
        # a copy of examples/: what a notebook writes (w.save) never lands in the checkout
        here = Path(folder) / "examples"
        shutil.copytree(EXAMPLES, here)
        client = NotebookClient(
            nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(here)}}
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


@pytest.mark.timeout(300)
def test_analysis_notebook_draws_every_chart_and_measure() -> None:
    text = _run("analysis.ipynb")
    assert "116 comments  Caltech Researchers Find Evidence of a Planet Beyond Pluto" in text
    assert "structural_virality" in text and "h_index" in text  # the measures table
    assert "outlined in the tree: True" in text  # widget selection -> chart highlight
    assert "hn-tree.png True" in text  # PNG saved offline


@pytest.mark.timeout(300)
def test_interface_study_notebook_runs_a_simulated_study() -> None:
    text = _run("interface-study.ipynb")
    assert "['compact', 'nested'] | the teacher keeps their own view: None" in text
    assert "student07 sees variant" in text
    assert "log rows from 24 participants" in text
    assert "median_seconds_to_first_reply" in text and "read_before_reply" in text
    assert "study.png True" in text
    assert "after reopening: True rows, True plan" in text
    assert '"user":"student' not in text  # the export is anonymised
