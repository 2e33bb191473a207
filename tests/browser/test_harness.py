"""Self-test of the harness with a tiny inline anywidget (no threadwidget needed)."""

import time

import pytest
from harness import TIMINGS, Notebook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HELLO = '''
import anywidget, traitlets

class W(anywidget.AnyWidget):
    _esm = """
    export default { render({ model, el }) {
      const span = document.createElement('span');
      span.className = 'hello-w';
      const draw = () => { span.textContent = 'hello ' + model.get('x'); };
      draw();
      model.on('change:x', draw);
      el.appendChild(span);
    } }
    """
    x = traitlets.Unicode('a').tag(sync=True)

w = W()
w
'''


def test_harness_inline_anywidget(jupyter_server, browser_context):
    t0 = time.monotonic()
    with Notebook(jupyter_server, browser_context, [HELLO]) as nb:
        TIMINGS["notebook open (kernel idle)"] = nb.timings["open"]
        nb.run_all()
        TIMINGS["run-all (tiny widget)"] = nb.timings["run_all"]
        view = nb.widget(0, ".hello-w")
        expect(view).to_have_text("hello a")

        # Python -> browser, and run() returns the printed output.
        assert nb.run("w.x = 'b'\nprint(w.x)") == "b\n"
        expect(view).to_have_text("hello b")
        assert nb.eval_json("{'x': w.x}") == {"x": "b"}

        # Errors in a cell surface as NotebookError with the traceback.
        with pytest.raises(AssertionError, match="ZeroDivisionError"):
            nb.run("1/0")

        # Reload: the saved output re-renders from the live kernel state.
        nb.run("w.x = 'c'")
        nb.reload(".hello-w")
        TIMINGS["reload (tiny widget)"] = nb.timings["reload"]
        expect(nb.widget(0, ".hello-w")).to_have_text("hello c")
        nb.screenshot("harness-hello")
    TIMINGS["harness self-test total"] = time.monotonic() - t0
