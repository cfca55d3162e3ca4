"""Every lesson and every quiz source runs top to bottom in a real kernel, widgets and all.

No stubs: widgets are really constructed (their views appear in the outputs) and the
tryptophan model really runs. HOME is a temporary folder (see conftest.py).
"""
import json

import nbformat
import pytest
from nbclient import NotebookClient

from course_files import LESSONS, QUIZ_SOURCES

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: Drawn by JupyterLab's own plotly extension: a second plotly.js for the page to load (issue 19).
PLOTLY_MIME = "application/vnd.plotly.v1+json"


def execute(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.outputs


@pytest.mark.notebook
@pytest.mark.parametrize("path", LESSONS + QUIZ_SOURCES, ids=lambda p: p.name)
def test_notebook_runs_without_errors(path):
    nb = execute(path)
    errors = [o for o in outputs(nb) if o.output_type == "error"]
    assert not errors, "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    stderr = [o.text for o in outputs(nb) if o.output_type == "stream" and o.name == "stderr"
              and "Traceback" in o.text]
    assert not stderr, stderr[0][:2000]
    if path in LESSONS:
        source = "".join(c.source for c in nb.cells if c.cell_type == "code")
        shown = [o for o in outputs(nb) if WIDGET_MIME in o.get("data", {})]
        if "ask(" in source or "Explorer(" in source:
            assert shown, f"{path.name} builds widgets but none were displayed"
        plain = [o for o in outputs(nb) if PLOTLY_MIME in o.get("data", {})]
        assert not plain, (f"{path.name} shows {len(plain)} plain plotly figure(s): show figures as "
                           "CourseFigure (e.g. gutbrain.widgets.responsive.figure_with_text)")
        state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
        if state:
            models = json.dumps(state)
            assert "LabelledSlider" in models or "RadioButtons" in models or "anywidget" in models
