"""Take the README screenshot: the seed thread in JupyterLab as a moderating teacher sees it.

python scripts/screenshot.py [docs/screenshot.png]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from chromium import launch  # noqa: E402
from harness import Notebook  # noqa: E402
from labserver import start_server, stop_server  # noqa: E402


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    server = start_server()
    try:
        shutil.copytree(ROOT / "examples" / "data", server.root_dir / "data")
        cells = [
            "from threadwidget import ThreadWidget\n"
            'w = ThreadWidget.load("data/power-trip.json", user="teacher",\n'
            '                      roles={"teacher": "moderator"}, badges={"teacher": "teacher"})\n'
            'w.flag("c6", "Selling followers", user="Chris")\n'
            'w.mark_spam("c6", "An advert for followers")\n'
            'w.pin("c2")\n'
            'w.sort = "best"\n'
            "w"
        ]
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
            context = launch(
                pw, profile, viewport={"width": 1200, "height": 1560}, device_scale_factor=1
            )
            with Notebook(server, context, cells, name="quickstart.ipynb") as nb:
                nb.run_all()
                root = nb.widget(0)
                nb.page.evaluate(
                    "() => window.jupyterapp.commands.execute('application:toggle-left-area')"
                )
                # the ranking explained, and a reply being written in the inline composer
                root.locator('button[data-role="why-toggle"]').first.click()
                root.locator('[data-comment-id="c3"] button[data-action="reply"]').first.click()
                composer = root.locator('textarea[data-role="composer"]').nth(1)
                composer.fill("Same here: I met my last two colleagues on **Twitter**.")
                # the comments' toolbar at the top of the screen (the post is above it)
                root.locator('select[data-role="sort"]').evaluate(
                    "el => el.scrollIntoView({block: 'start'})"
                )
                nb.page.wait_for_timeout(400)
                nb.page.screenshot(path=str(out))
            context.close()
    finally:
        stop_server(server)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png")
