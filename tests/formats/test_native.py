"""Our own JSON format through load/save: versions, old files, errors with the format named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadwidget.core.models import FORMAT_VERSION
from threadwidget.formats import ThreadFileError, load, save

from .conftest import DATA

SEED = Path(__file__).resolve().parents[2] / "examples" / "data" / "power-trip.json"


def test_old_file_without_version_loads() -> None:
    thread = load(DATA / "native_v1_noversion.json")
    assert thread.version == FORMAT_VERSION and thread.get("c2").status == "deleted"
    assert thread.post.gaps == ()  # version 1 had none


def test_seed_round_trip(tmp_path: Path) -> None:
    thread = load(SEED)
    out = save(thread, tmp_path / "copy.json")
    assert load(out) == thread


def test_newer_version_is_refused(tmp_path: Path) -> None:
    data = json.loads(SEED.read_text(encoding="utf-8"))
    data["version"] = FORMAT_VERSION + 1
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        ThreadFileError, match=r"future\.json \(threadwidget JSON\): \$\.version .*upgrade"
    ):
        load(path)


def test_invalid_field_names_path(tmp_path: Path) -> None:
    data = json.loads(SEED.read_text(encoding="utf-8"))
    data["comments"][1]["likes"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        ThreadFileError,
        match=r"bad\.json \(threadwidget JSON\): invalid thread: \$\.comments\[1\]\.likes",
    ):
        load(path)


def test_a_large_thread_is_written_on_one_line_and_reads_back_the_same(tmp_path: Path) -> None:
    from threadwidget.core.models import Comment, Post, Thread
    from threadwidget.formats.native import INDENTED_MAX

    small = Thread(post=Post(title="t"), comments=[Comment(id="c0", author="a", body="x")])
    assert save(small, tmp_path / "small.json").read_text().startswith('{\n  "version"')
    big = Thread(
        post=Post(title="t"),
        comments=[Comment(id=f"c{i}", author="a", body="x") for i in range(INDENTED_MAX + 1)],
    )
    text = save(big, tmp_path / "big.json").read_text()
    assert text.count("\n") == 1 and text.endswith("}\n")
    assert load(tmp_path / "big.json") == big
