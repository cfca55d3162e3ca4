"""Progress survives a new server in the same browser (the Binder case), through the
localStorage mirror: answer a self-check on server 1, then open the course on a fresh server
with an empty data directory (same address, so the same localStorage) and find the answer."""
from __future__ import annotations

import contextlib
import json

import pytest

import labdriver as lab

pytestmark = pytest.mark.browser

KEY = "00_start_here/how-selfchecks-work"
MIRRORED_JS = """(key) => {
  const raw = window.localStorage.getItem('gut-feelings-progress');
  if (!raw) return false;
  return JSON.parse(raw).attempts.some(a => a.key === key && a.correct);
}"""
SYNCED_JS = """() => Array.from(document.querySelectorAll('.jp-OutputArea .gutbrain-sync'))
  .map(e => e.textContent).find(t => t.includes('mirrored in this browser')) || null"""
ATTEMPTED_JS = """() => {
  const gd = document.querySelector('.jp-OutputArea .gutbrain-progress-map .js-plotly-plot');
  if (!gd || !gd.data) return null;
  const attempted = gd.data.find(t => t.name === 'Attempted');
  return attempted ? Array.from(attempted.x) : null;
}"""


@contextlib.contextmanager
def _session(chromium, server, name):
    """A page on ``server``; on failure its screenshot and logs are saved; always closed."""
    page = chromium.new_page()
    lab.install_page_helpers(page)
    console = lab.ConsoleLog(page)
    try:
        yield page
    except Exception:
        lab.save_artifacts(page, console, name, server)
        raise
    finally:
        page.close()
        lab.shutdown_kernels(server)


def test_progress_comes_back_on_a_fresh_server_in_the_same_browser(chromium, tmp_path, monkeypatch):
    from gutbrain.progress.store import ProgressStore
    from gutbrain.selfcheck import question

    port = lab.free_port()
    monkeypatch.setattr(lab, "free_port", lambda: port)  # same origin => same localStorage
    q = question(*KEY.split("/"))
    _, right = lab.selfcheck_answers(q)

    # Session 1: answer a self-check; it is saved on the server and mirrored in the browser.
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(tmp_path / "data1"))
    with lab.lab_server(tmp_path / "server1") as server:
        with _session(chromium, server, "progress-sync-session1") as page:
            lab.open_notebook(page, server, "lessons/00_start_here.ipynb")
            lab.run_all(page)
            box = page.locator(".jp-OutputArea .gutbrain-selfcheck").first
            box.scroll_into_view_if_needed()
            lab.enter_selfcheck_answer(page, box, q, right)
            lab.check_selfcheck(page, box, "Correct", "")
            page.wait_for_function(MIRRORED_JS, arg=KEY, timeout=30_000, polling=100)
            saved = ProgressStore(tmp_path / "data1").load()["attempts"]
            assert [(a["key"], a["correct"]) for a in saved] == [(KEY, True)]

    # Session 2: a new server whose data directory is empty (Binder deleted it).
    fresh = tmp_path / "data2"
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(fresh))
    with lab.lab_server(tmp_path / "server2") as server:
        with _session(chromium, server, "progress-sync-session2") as page:
            lab.open_notebook(page, server, "lessons/00_start_here.ipynb")
            lab.run_all(page)
            # No click, no import: rendering the notebook's widgets merges the browser's copy.
            page.wait_for_function(SYNCED_JS, timeout=30_000, polling=100)
            restored = ProgressStore(fresh).load()["attempts"]
            assert [(a["id"], a["key"], a["correct"]) for a in restored] == [
                (saved[0]["id"], KEY, True)]
            # the course map's progress figure redrew itself with the restored answer
            page.locator(".jp-OutputArea .gutbrain-progress-map").first.scroll_into_view_if_needed()
            page.wait_for_function(f"() => {{ const x = ({ATTEMPTED_JS})(); return x && x[0] >= 1; }}",
                                   timeout=30_000, polling=100)
            status = page.evaluate(SYNCED_JS)
            assert "(1 answer)" in status, status
            assert not lab.error_outputs(page)
            assert json.loads(page.evaluate("() => localStorage.getItem('gut-feelings-progress')"))["version"] == 2
