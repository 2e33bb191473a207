"""A small driver for one notebook in a real JupyterLab page.

Everything goes through ``window.jupyterapp`` (exposed with ``--LabApp.expose_app_in_browser``) and
the notebook model; nothing is typed into a code editor.  Waits are event-driven
(``wait_for_function`` / ``wait_for_selector``); the only sleeps are short polls.
"""

from __future__ import annotations

import contextlib
import json
import re
import textwrap
import time
import uuid
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = HERE / "artifacts"
#: Timings measured in this session, printed in the terminal summary by conftest.py.
TIMINGS: dict[str, float] = {}
OPEN_TIMEOUT = 90_000  # ms: page load + kernel start
RUN_TIMEOUT = 60_000  # ms: one cell / all cells
WIDGET_TIMEOUT = 30_000  # ms: a widget view appears

#: The seed thread the widget tests load.
SEED = REPO / "examples" / "data" / "power-trip.json"
#: First cell of a widget test notebook: imports, ``DATA`` (the seed) and ``tw_comments(w)``.
WIDGET_SETUP = f"""
import json
from IPython.display import display
from threadwidget import ThreadWidget, Post, Comment, Thread
DATA = {str(SEED)!r}

def tw_comments(w):
    return [c.model_dump(mode="json") for c in w.thread.comments]
"""

_STARTED = "[threadwidget-tests: cell started]"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# JS prelude: find the notebook panel showing `path` in this page's JupyterLab.
_FIND = """
const app = window.jupyterapp;
const findPanel = (path) => {
  if (!app || !app.shell) return null;
  for (const w of app.shell.widgets('main')) {
    if (w && w.context && w.context.path === path && w.content && w.content.model) return w;
  }
  return null;
};
"""

_READY_JS = (
    "(path) => {"
    + _FIND
    + """
  const panel = findPanel(path);
  if (!panel || !panel.context.isReady) return false;
  const sc = panel.sessionContext;
  if (!sc || !sc.isReady || !sc.session) return false;
  const k = sc.session.kernel;
  return !!k && k.status === 'idle' && k.connectionStatus === 'connected';
}"""
)

_TAG_JS = (
    "(path) => {"
    + _FIND
    + """
  const panel = findPanel(path);
  panel.content.widgets.forEach((c, i) => { c.node.dataset.twCell = String(i); });
  return panel.content.widgets.length;
}"""
)

# Scroll the notebook to cell `idx` (JupyterLab's windowed notebook keeps far cells hidden).
_SCROLL_JS = (
    "([path, idx]) => {"
    + _FIND
    + """
  const nb = findPanel(path).content;
  if (typeof nb.scrollToItem === 'function') return nb.scrollToItem(idx, 'start').then(() => true);
  nb.widgets[idx].node.scrollIntoView();
  return true;
}"""
)

_CELL_OUTPUTS = """
const cellOutputs = (panel, i) => {
  const m = panel.content.widgets[i].model;
  return {
    index: i,
    type: m.type,
    execution_count: m.type === 'code' ? m.executionCount : null,
    outputs: m.type === 'code' ? m.outputs.toJSON() : [],
  };
};
const withTimeout = (p, ms, what) => Promise.race([
  p,
  new Promise((_, rej) => setTimeout(
    () => rej(new Error(what + ': timed out after ' + ms + ' ms')), ms)),
]);
"""

_RUN_ALL_JS = (
    "async ({path, timeout}) => {"
    + _FIND
    + _CELL_OUTPUTS
    + """
  const panel = findPanel(path);
  app.shell.activateById(panel.id);
  const ok = await withTimeout(app.commands.execute('notebook:run-all-cells'), timeout, 'run-all');
  const cells = panel.content.widgets.map((_, i) => cellOutputs(panel, i));
  return {ok, cells};
}"""
)

# Append a code cell with `code` to the notebook at `path`, select it, and run it: `run` is the
# command's promise, `idx` the cell's index (tagged `data-tw-cell` for locators).
_APPEND_AND_RUN = """
const appendAndRun = (path, code) => {
  const panel = findPanel(path);
  app.shell.activateById(panel.id);
  const nb = panel.content;
  const sm = nb.model.sharedModel;
  const idx = sm.cells.length;
  sm.insertCell(idx, {cell_type: 'code', source: code, metadata: {}});
  nb.activeCellIndex = idx;
  nb.deselectAll();
  const run = app.commands.execute('notebook:run-cell');
  nb.widgets[idx].node.dataset.twCell = String(idx);
  return {panel, idx, run};
};
"""

_RUN_CELL_JS = (
    "async ({path, code, timeout}) => {"
    + _FIND
    + _CELL_OUTPUTS
    + _APPEND_AND_RUN
    + """
  const {panel, idx, run} = appendAndRun(path, code);
  const ok = await withTimeout(run, timeout, 'run-cell');
  return {ok, cell: cellOutputs(panel, idx)};
}"""
)

# Start a cell without waiting for it; `finish` awaits the stored promise.
_START_CELL_JS = (
    "({path, code}) => {"
    + _FIND
    + _APPEND_AND_RUN
    + """
  const {idx, run} = appendAndRun(path, code);
  window.__twRuns = window.__twRuns || {};
  window.__twRuns[idx] = run;
  return idx;
}"""
)

_FINISH_CELL_JS = (
    "async ({path, index, timeout}) => {"
    + _FIND
    + _CELL_OUTPUTS
    + """
  const panel = findPanel(path);
  const ok = await withTimeout(window.__twRuns[index], timeout, 'cell ' + index);
  delete window.__twRuns[index];
  return {ok, cell: cellOutputs(panel, index)};
}"""
)

_SAVE_JS = (
    "async ({path}) => {"
    + _FIND
    + """
  const panel = findPanel(path);
  app.shell.activateById(panel.id);
  await app.commands.execute('docmanager:save');
  return panel.context.model.dirty;
}"""
)

_SHUTDOWN_JS = (
    "async ({path}) => {"
    + _FIND
    + """
  const panel = findPanel(path);
  if (panel) { await panel.sessionContext.shutdown(); }
}"""
)


class NotebookError(AssertionError):
    """A cell raised, or a cell did not run."""


def _text(x) -> str:
    return "".join(x) if isinstance(x, list) else (x or "")


def _outputs_text(outputs: list[dict]) -> str:
    parts = []
    for o in outputs:
        t = o.get("output_type")
        if t == "stream" and o.get("name") == "stdout":
            parts.append(_text(o.get("text")))
        elif t == "execute_result":
            parts.append(_text(o.get("data", {}).get("text/plain")) + "\n")
    return "".join(parts)


def _raise_on_error(cell: dict, source: str | None = None) -> None:
    for o in cell["outputs"]:
        if o.get("output_type") == "error":
            tb = _ANSI.sub("", "\n".join(o.get("traceback") or []))
            src = f"\n--- cell {cell['index']} source ---\n{source}" if source else ""
            raise NotebookError(
                f"cell {cell['index']} raised {o.get('ename')}: {o.get('evalue')}{src}"
                f"\n--- traceback ---\n{tb}"
            )


class Notebook:
    """One notebook file in the server root, open in its own page of the shared browser context.

    >>> nb = Notebook(jupyter_server, browser_context, ["import anywidget", "w = W(); w"]).open()
    >>> nb.run_all()
    >>> nb.run("print(w.x)")
    'a\\n'
    """

    def __init__(
        self,
        server,
        context,
        cells: list[str],
        name: str | None = None,
        url_path: str = "lab/tree",
    ):
        self.server = server
        self.url_path = url_path  # "lab/tree" (JupyterLab) or "notebooks" (Notebook 7)
        self.context = context
        self.cells = [textwrap.dedent(c).strip("\n") for c in cells]
        self.name = name or f"tw-{uuid.uuid4().hex[:8]}.ipynb"
        self.page = None
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ lifecycle
    def write(self) -> Path:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.metadata["language_info"] = {"name": "python"}
        nb.cells = [nbformat.v4.new_code_cell(src) for src in self.cells]
        path = self.server.root_dir / self.name
        nbformat.write(nb, str(path))
        return path

    @property
    def url(self) -> str:
        return f"{self.server.url}/{self.url_path}/{self.name}?token={self.server.token}"

    def open(self) -> Notebook:
        self.write()
        t0 = time.monotonic()
        self.page = self.context.new_page()
        # A reload with unsaved changes asks "leave the page?"; always accept such dialogs.
        self.page.on("dialog", lambda d: d.accept())
        self.page.goto(self.url, wait_until="domcontentloaded")
        self.wait_ready()
        self.timings["open"] = time.monotonic() - t0
        return self

    def wait_ready(self, timeout: float = OPEN_TIMEOUT) -> None:
        """JupyterLab is up, the notebook is open and its kernel is idle and connected."""
        self.page.wait_for_function(
            "() => !!(window.jupyterapp && window.jupyterapp.shell)", timeout=timeout, polling=100
        )
        self.page.wait_for_function(_READY_JS, arg=self.name, timeout=timeout, polling=100)
        self.tag_cells()

    def close(self) -> None:
        if self.page is None:
            return
        with contextlib.suppress(Exception):
            self.page.evaluate(_SHUTDOWN_JS, {"path": self.name})
        self.page.close()
        self.page = None

    def __enter__(self) -> Notebook:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ running code
    def run_all(self, timeout: float = RUN_TIMEOUT) -> list[dict]:
        """Run every cell; raise NotebookError with the traceback if one fails."""
        t0 = time.monotonic()
        res = self.page.evaluate(_RUN_ALL_JS, {"path": self.name, "timeout": timeout})
        self.timings["run_all"] = time.monotonic() - t0
        for cell, src in zip(res["cells"], self.cells, strict=False):
            _raise_on_error(cell, src)
        for cell in res["cells"]:
            if cell["type"] == "code" and cell["execution_count"] is None:
                raise NotebookError(f"cell {cell['index']} did not run: {res}")
        self.tag_cells()
        return res["cells"]

    def run(self, code: str, timeout: float = RUN_TIMEOUT) -> str:
        """Append a code cell, run it, return its text output (stdout + text/plain results)."""
        code = textwrap.dedent(code).strip("\n")
        res = self.page.evaluate(
            _RUN_CELL_JS, {"path": self.name, "code": code, "timeout": timeout}
        )
        cell = res["cell"]
        self.last_cell = cell["index"]
        _raise_on_error(cell, code)
        if cell["execution_count"] is None:
            raise NotebookError(f"cell {cell['index']} did not run:\n{code}")
        return _outputs_text(cell["outputs"])

    def start(self, code: str) -> int:
        """Append a code cell and start it without waiting for it to end.

        Returns once the cell is running in the kernel (it prints a marker first), so anything
        the page sends to the kernel from now on is queued behind it.  Then call `finish`.
        """
        code = textwrap.dedent(code).strip("\n")
        wrapped = f"print({_STARTED!r}, flush=True)\n{code}"
        index = self.page.evaluate(_START_CELL_JS, {"path": self.name, "code": wrapped})
        self.page.wait_for_function(
            "([path, idx, marker]) => {"
            + _FIND
            + """
              const p = findPanel(path);
              const outs = p.content.widgets[idx].model.outputs.toJSON();
              return outs.some((o) => o.output_type === 'stream'
                && [].concat(o.text).join('').includes(marker));
            }""",
            arg=[self.name, index, _STARTED],
            timeout=RUN_TIMEOUT,
            polling=20,
        )
        self._started = {**getattr(self, "_started", {}), index: code}
        return index

    def finish(self, index: int, timeout: float = RUN_TIMEOUT) -> str:
        """Wait for a cell started with `start`; its text output (raises if it failed)."""
        args = {"path": self.name, "index": index, "timeout": timeout}
        cell = self.page.evaluate(_FINISH_CELL_JS, args)["cell"]
        _raise_on_error(cell, self._started.pop(index, None))
        return _outputs_text(cell["outputs"]).replace(_STARTED + "\n", "", 1)

    def eval_json(self, expr: str):
        """Evaluate a Python expression in the kernel and return it through JSON."""
        out = self.run(f"import json as _tw_json\nprint(_tw_json.dumps({expr}))")
        return json.loads(out.strip().splitlines()[-1])

    def wait_py(self, expr: str, timeout: float = 20.0, interval: float = 0.2):
        """Poll a Python expression until it is truthy (each poll is one short cell).

        A cell that loops in the kernel would block the comm messages it waits for, so
        polling happens from here.  Returns the last (truthy) value.
        """
        deadline = time.monotonic() + timeout
        while True:
            value = self.eval_json(expr)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"Python condition still false after {timeout}s: {expr} -> {value!r}"
                )
            time.sleep(interval)

    # ------------------------------------------------------------------ DOM
    def tag_cells(self) -> int:
        """Mark every cell node with data-tw-cell=<index> so locators can address cells."""
        return self.page.evaluate(_TAG_JS, self.name)

    def cell(self, index: int):
        if index < 0:
            index = self.tag_cells() + index
        return self.page.locator(f'[data-tw-cell="{index}"]')

    def output(self, index: int):
        return self.cell(index).locator(".jp-OutputArea-output")

    def widget(
        self, index: int, selector: str = ".tw-root", nth: int = 0, timeout: float = WIDGET_TIMEOUT
    ):
        """The nth widget view (`selector`) in the output of cell `index`, once it is visible."""
        if index >= 0:
            self.page.evaluate(_SCROLL_JS, [self.name, index])
        loc = self.cell(index).locator(selector).nth(nth)
        try:
            loc.wait_for(state="visible", timeout=timeout)
        except Exception as e:
            try:
                shown = self.cell(index).locator(".jp-OutputArea").inner_text(timeout=2_000)
            except Exception:
                shown = "<no output area>"
            raise AssertionError(
                f"no visible {selector!r} (#{nth}) in the output of cell {index} after "
                f"{timeout / 1000:g}s; the output shows:\n{shown[:2000]}"
            ) from e
        return loc

    def save(self) -> None:
        dirty = self.page.evaluate(_SAVE_JS, {"path": self.name})
        if dirty:
            self.page.wait_for_function(
                "(path) => {"
                + _FIND
                + "const p = findPanel(path); return p && !p.context.model.dirty; }",
                arg=self.name,
                timeout=30_000,
                polling=100,
            )

    def reload(self, selector: str = ".tw-root", timeout: float = OPEN_TIMEOUT) -> None:
        """Save, reload the page, wait for the kernel and for a widget view (`selector`) again."""
        self.save()
        t0 = time.monotonic()
        self.page.reload(wait_until="domcontentloaded")
        self.wait_ready(timeout=timeout)
        if selector:
            # any view: JupyterLab restores the scroll position, and its windowed notebook hides
            # the cells far from it (the first widget of a long notebook may stay hidden)
            self.page.locator(f"{selector} >> visible=true").first.wait_for(
                state="visible", timeout=timeout
            )
        self.timings["reload"] = time.monotonic() - t0

    @staticmethod
    def screenshot_path(name: str) -> Path:
        """Where a screenshot named ``name`` goes (artifacts/, made if need be)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        return ARTIFACTS / (name if name.endswith(".png") else f"{name}.png")

    def screenshot(self, name: str, locator=None) -> Path:
        """Save a PNG of the page, or of one element (e.g. a widget root), into artifacts/.

        JupyterLab's layout is fixed to the viewport and the notebook scrolls inside it, so an
        element taller than the viewport would come out overlaid by Lab's chrome: for the shot the
        viewport is made tall enough to hold the element, then restored.
        """
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / (name if name.endswith(".png") else f"{name}.png")
        if locator is None:
            self.page.screenshot(path=str(path))
            return path
        viewport = self.page.viewport_size
        height = locator.evaluate("(el) => Math.ceil(el.getBoundingClientRect().height)")
        tall = height + 300 > viewport["height"]
        if tall:
            self.page.set_viewport_size(
                {"width": viewport["width"], "height": min(height + 300, 12_000)}
            )
        try:
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=str(path))
        finally:
            if tall:
                self.page.set_viewport_size(viewport)
        return path
