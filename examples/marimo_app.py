"""threadwidget in marimo: the seed thread as a reactive app.

    marimo run examples/marimo_app.py     # as an app
    marimo edit examples/marimo_app.py    # as a notebook

The thread changes through the widget's own messages, not through traits, so marimo does not see
an edit from the page as a new ``widget.value``. The pattern: keep a ``mo.state`` counter, bump it
from ``on_change`` (marimo runs the cells that read it after the widget has handled the message),
and read the thread in any cell that calls the getter.
"""

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    from pathlib import Path

    import marimo as mo

    from threadwidget import ThreadWidget

    return Path, ThreadWidget, mo


@app.cell
def _(Path, ThreadWidget, mo):
    # The thread's version: bumped after every applied event (from the page or from Python).
    get_version, set_version = mo.state(0)

    thread_widget = ThreadWidget.load(
        Path(__file__).parent / "data" / "power-trip.json", user="Chris"
    )
    thread_widget.on_change(lambda _event: set_version(thread_widget.seq))
    widget = mo.ui.anywidget(thread_widget)
    widget  # noqa: B018  (the cell shows its last expression)
    return get_version, thread_widget


@app.cell
def _(get_version, mo, thread_widget):
    # Runs again whenever the thread changes: get_version() makes this cell depend on it.
    version = get_version()
    visible = [c for c in thread_widget.comments if c.status == "visible"]
    latest = max(visible, key=lambda c: c.created_at)
    mo.md(
        f"**{len(visible)} comments** (version {version}). "
        f"Latest, by {latest.author}: “{latest.body}”"
    ).style({"padding": "8px 0"}).callout(kind="info")
    return


if __name__ == "__main__":
    app.run()
