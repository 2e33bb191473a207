"""The ``threadwidget`` command line, run as a subprocess: convert, info, html, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from threadwidget.analysis import synthetic
from threadwidget.formats import load, save

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "formats" / "data"
SEED = ROOT / "examples" / "data" / "power-trip.json"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m threadwidget ARGS`` with this source tree first on the path."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    return subprocess.run(
        [sys.executable, "-m", "threadwidget", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_help_for_each_command() -> None:
    top = run("--help")
    assert top.returncode == 0 and "convert" in top.stdout and "Exit codes" in top.stdout
    for command in ("convert", "info", "html"):
        result = run(command, "--help")
        assert result.returncode == 0, result.stderr
        assert "--from" in result.stdout and "--errors" in result.stdout


def test_info_prints_a_summary() -> None:
    result = run("info", str(DATA / "reddit.json"))
    assert result.returncode == 0, result.stderr
    assert "On a social media power trip?" in result.stdout
    assert "7 (5 visible, 1 deleted, 1 moderated), 3 top-level" in result.stdout  # [removed]
    assert "reply depth   3" in result.stdout
    assert "2012-05-14T15:42:00+00:00 to 2012-05-14T21:14:20+00:00" in result.stdout
    assert "incomplete: 4+ replies not loaded (behind Reddit 'more' stubs" in result.stderr
    assert "completeness  incomplete: 4+ replies not loaded" in result.stdout


def test_info_json() -> None:
    result = run("info", "--json", str(DATA / "disqus.xml"))
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["format"] == "Disqus XML" and info["comments"] == 6 and info["deleted"] == 1
    # the spam comment is moderated: its author is not counted as a participant
    assert info["flagged"] == 1 and info["max_depth"] == 4 and info["participants"] == 4
    assert info["moderated"] == 1
    assert "re-attached" in result.stderr


def test_convert_inputs_to_outputs(tmp_path: Path) -> None:
    pairs = {
        "wordpress.xml": "md",
        "blogger.atom": "csv",
        "hn_algolia.json": "html",
        "mastodon.json": "json",
    }
    for source, ext in pairs.items():
        out = tmp_path / f"{Path(source).stem}.{ext}"
        result = run("convert", str(DATA / source), str(out))
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > 0 and f"wrote {out}" in result.stderr
    assert load(tmp_path / "mastodon.json").post.author == "Steve B. (@steve)"
    assert len(load(tmp_path / "blogger.csv").comments) == 4


def test_convert_to_stdout_needs_to(tmp_path: Path) -> None:
    result = run("convert", str(SEED), "-", "--to", "markdown")
    assert result.returncode == 0 and result.stdout.startswith("# On a social media power trip?")
    result = run("convert", str(SEED), "-")
    assert result.returncode == 2 and "needs --to" in result.stderr


def test_html_command(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    result = run("html", str(SEED), "-o", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "<title>On a social media power trip?</title>" in page and "read-only" in page
    copy = tmp_path / "seed.json"
    copy.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("html", str(copy)).returncode == 0
    assert (tmp_path / "seed.html").is_file()


def test_exit_codes(tmp_path: Path) -> None:
    missing = run("info", str(tmp_path / "nope.json"))
    assert missing.returncode == 1 and "cannot read the file" in missing.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    broken = run("convert", str(bad), str(tmp_path / "o.md"))
    assert (
        broken.returncode == 1
        and "threadwidget: error:" in broken.stderr
        and "line 1" in broken.stderr
    )
    assert not (tmp_path / "o.md").exists()
    assert run("convert", str(SEED)).returncode == 2  # missing OUT
    assert run("convert", str(SEED), str(tmp_path / "x.txt")).returncode == 2
    assert run("info", str(SEED), "--from", "yaml").returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("info", str(SEED), "--select", "x").returncode == 2


def test_skip_mode_reports_what_it_dropped(tmp_path: Path) -> None:
    text = (DATA / "disqus.xml").read_text(encoding="utf-8")
    path = tmp_path / "comments.xml"
    # a missing time reads as the parent's (estimated); a post with no <message> is malformed
    message = (
        "<message><![CDATA[<p>Answering the deleted one: <script>alert(1)</script>fine.</p>]]>"
        "</message>"
    )
    assert message in text
    path.write_text(text.replace(message, ""), encoding="utf-8")
    strict = run("info", str(path))
    assert strict.returncode == 1
    assert f"{path} (Disqus XML), line " in strict.stderr and "<message>" in strict.stderr
    lenient = run("info", "--errors", "skip", str(path))
    assert lenient.returncode == 0, lenient.stderr
    assert "1 dropped" in lenient.stderr and "(id 9004)" in lenient.stderr


@pytest.mark.timeout(300)
def test_progress_for_big_files(tmp_path: Path) -> None:
    big = save(synthetic.thread(5200, seed=1), tmp_path / "big.csv")
    result = run("info", str(big))
    assert result.returncode == 0, result.stderr
    assert "5,200 (" in result.stdout
    algolia = {
        "id": 1,
        "created_at_i": 1700000000,
        "type": "story",
        "author": "a",
        "title": "big",
        "children": [
            {
                "id": i + 2,
                "created_at_i": 1700000000 + i,
                "author": "b",
                "text": "x",
                "children": [],
            }
            for i in range(5001)
        ],
    }
    path = tmp_path / "hn.json"
    path.write_text(json.dumps(algolia), encoding="utf-8")
    result = run("info", str(path))
    assert result.returncode == 0, result.stderr
    assert "5,000 comments read" in result.stderr


def test_select_option() -> None:
    result = run("info", "--json", "--select", "A quiet post", str(DATA / "disqus.xml"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "A quiet post"
