"""JupyterLab: the widget follows the light and the dark theme (switched with Lab's own
``apputils:change-theme`` command, and switched back to light whatever happens)."""

from __future__ import annotations

import contextlib

import pytest
from harness import ARTIFACTS, REPO, Notebook
from hosts import assert_follows_theme, theme_colours
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DATA = REPO / "examples" / "data" / "power-trip.json"
CHANGE = "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})"


@pytest.fixture(scope="module")
def lab_nb(jupyter_server, browser_context):
    # the classroom controls too (moderation chips, labels, a field badge), so both themes show them
    cells = [
        f"from threadwidget import ThreadWidget\n"
        f"w = ThreadWidget.load({str(DATA)!r}, user='Chris', roles={{'Chris': 'moderator'}},\n"
        "    label_set=['supportive', 'spam'], fields=[('tone', 'badge')])\n"
        "w.flag('c6', 'Selling followers', user='Jennifer')\n"
        "w.mark_spam('c6', 'An advert')\n"
        "w.pin('c2')\n"
        "w.set_extra('c1', tone='friendly')\n"
        "w.label('c1', 'supportive')\n"
        "w"
    ]
    with Notebook(jupyter_server, browser_context, cells, name="tw-theme.ipynb") as nb:
        nb.run_all()
        try:
            yield nb
        finally:  # the theme is a saved setting of the shared server: always put light back
            with contextlib.suppress(Exception):
                nb.page.evaluate(CHANGE, "JupyterLab Light")
                expect(nb.page.locator("body")).to_have_attribute("data-jp-theme-light", "true")


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_jupyterlab_theme(lab_nb, theme):
    dark = theme.endswith("Dark")
    lab_nb.page.evaluate(CHANGE, theme)
    expect(lab_nb.page.locator("body")).to_have_attribute(
        "data-jp-theme-light", "false" if dark else "true", timeout=20_000
    )
    expect(lab_nb.page.locator("#jupyterlab-splash")).to_have_count(0)  # the theme-change splash
    root = lab_nb.widget(0)
    toggle = root.locator('button[data-role="why-toggle"]')
    if toggle.get_attribute("aria-pressed") != "true":
        toggle.click()
    root.locator('select[data-role="sort"]').evaluate("el => el.scrollIntoView({block: 'start'})")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lab_nb.page.screenshot(
        path=str(ARTIFACTS / f"theme-jupyterlab-{'dark' if dark else 'light'}.png")
    )
    assert_follows_theme(theme_colours(root), dark, f"JupyterLab {theme}")
