"""A returning learner's lesson costs no more over the wire than a new learner's (issue 19).

Every self-check shows the kernel's one progress-sync widget. Its exchange with the browser's
localStorage mirror (the whole store, both ways) must happen once per page, not once per
self-check: a learner who has done the course and some reviews has a store of tens of kB, and
lesson 5 shows seventeen self-checks.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import labdriver as lab
import wire
from gutbrain.data import AssetError
from gutbrain.progress.store import ProgressStore, dumps
from gutbrain.selfcheck import load_bank, question

from test_browser_lessons import KERNEL_WEBSOCKET_BUDGET

pytestmark = pytest.mark.browser

LESSON = "lessons/05_reading_health_articles.ipynb"
ROUNDS = 4  # a wrong and a right answer, then two reviews


def _a_course_done(store: ProgressStore) -> int:
    """Every self-check of every lesson answered wrong, then right ``ROUNDS - 1`` times; the store's size."""
    for nb in lab.LESSONS:
        try:
            bank = load_bank(nb.stem)
        except AssetError:  # a lesson without self-checks (the review)
            continue
        for qid in bank:
            wrong, right = lab.selfcheck_answers(question(nb.stem, qid))
            store.record(f"{nb.stem}/{qid}", wrong, False)
            for _ in range(ROUNDS - 1):
                store.record(f"{nb.stem}/{qid}", right, True)
    return len(dumps(store.load()).encode())


def test_a_returning_learner_receives_the_progress_store_once_per_page(chromium, tmp_path, monkeypatch):
    data = tmp_path / "data"
    store_bytes = _a_course_done(ProgressStore(data))
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(data))
    with lab.lab_server(tmp_path / "server", build_quizzes=False) as server:
        page = chromium.new_page()
        lab.install_page_helpers(page)
        console = lab.ConsoleLog(page)
        counter = wire.WireCounter(page)
        try:
            lab.open_notebook(page, server, LESSON)
            first_run: list[int] = []  # a Run All repeated because anywidget gave up under load re-sends every widget
            lab.run_all(page, before_retry=lambda: first_run.append(counter.kernel_bytes()))
            lab.wait_for_figures(page)
            selfchecks = page.locator(".jp-OutputArea .gutbrain-selfcheck").count()
            assert selfchecks >= 10
            received = first_run[0] if first_run else counter.kernel_bytes()
            # once per self-check would be selfchecks x store_bytes on top of the lesson itself
            assert received <= KERNEL_WEBSOCKET_BUDGET, (
                f"a returning learner's Run All of {LESSON} received {received / 1e6:.2f} MB over the kernel "
                f"websocket ({selfchecks} self-checks, a {store_bytes / 1e3:.0f} kB progress store): is the "
                "store sent once per self-check view instead of once per page?")
            mirrored = page.evaluate("() => localStorage.getItem('gut-feelings-progress')")
            assert mirrored and len(mirrored) >= store_bytes // 2  # the mirror holds the whole store
        except Exception:
            lab.save_artifacts(page, console, "returning-learner", server)
            raise
        finally:
            page.close()
            lab.shutdown_kernels(server)
