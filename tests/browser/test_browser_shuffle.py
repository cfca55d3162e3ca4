"""Self-check options are shown in the browser in the engine's shuffled order, anew at each showing.

The order of a showing is fixed by the learner's seed (``learner-seed.txt`` beside the
progress store, in the test server's temporary HOME), the question and the showing number
(attempts at it in the store + showings earlier in the kernel); see gutbrain.selfcheck.shuffle.
The test reads the seed and the store, predicts every question's order, runs the lesson twice
in one kernel, and compares what Chromium shows with the prediction for both showings.

It opens a copy of the lesson: JupyterLab gives a second tab of the same notebook the kernel
of the first, and the session's ``lesson`` fixture may hold lesson 1 open on this worker with
its own showings already counted.
"""
from __future__ import annotations

import html
import json
import shutil

import pytest

import labdriver as lab

pytestmark = pytest.mark.browser

LESSON = "01_serotonin_synthesis"


def _shown_orders(page) -> list[tuple[str, list[str]]]:
    """(prompt HTML, option ids or texts in the order shown) for every choice self-check."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.jp-OutputArea .gutbrain-selfcheck'))
        .map(box => {
          const p = Array.from(box.querySelectorAll('p')).find(e => e.textContent.includes('Self-check.'));
          const radios = Array.from(box.querySelectorAll('input[type=radio]')).map(i => 'id:' + i.value);
          const boxes = Array.from(box.querySelectorAll('.widget-checkbox input[type=checkbox]'))
            .map(i => 'text:' + i.closest('label').textContent.trim());
          return [p ? p.innerHTML : '', radios.length ? radios : boxes];
        }).filter(([p, opts]) => opts.length)""")


def _attempts(home, key: str) -> int:
    stores = list(home.glob("**/gut-feelings/progress.json"))
    if not stores:
        return 0
    return sum(1 for a in json.loads(stores[0].read_text())["attempts"] if a["key"] == key)


def test_choice_options_shuffle_per_showing(open_tab, lab_server):
    from gutbrain.selfcheck import load_bank
    from gutbrain.selfcheck.shuffle import option_order, order_seed

    questions = [q for q in load_bank(LESSON).values() if q.options]
    if not questions:
        pytest.skip(f"{LESSON} has no choice questions")
    home = lab_server.root.parent / "home"
    copy = lab_server.root / "lessons" / f"_shuffle_{LESSON}.ipynb"  # its own kernel, no showings yet
    shutil.copy2(lab_server.root / "lessons" / f"{LESSON}.ipynb", copy)
    tab = open_tab(f"lessons/{copy.name}")
    try:
        shown_runs, expected_runs = [], []
        showings_in_kernel = 0
        for showing_here in range(2):
            before = {q.key: _attempts(home, q.key) for q in questions}
            repeats = len(lab.RUN_ALL_REPEATS)
            lab.run_all(tab.page)
            # Under load run_all may Run All twice (anywidget gave up on a widget): two showings.
            showings_in_kernel += 1 + len(lab.RUN_ALL_REPEATS) - repeats
            # The self-checks, not the figures (test_browser_lessons.py waits for those): every
            # choice question of the lesson shown with its options.
            tab.page.wait_for_function(
                """n => document.querySelectorAll('.jp-OutputArea .gutbrain-selfcheck .gutbrain-choice input[type=radio],'
                   + ' .jp-OutputArea .gutbrain-selfcheck .widget-checkbox').length >= n""",
                arg=sum(len(q.options) for q in questions), timeout=120_000, polling=200)
            seeds = list(home.glob("**/gut-feelings/learner-seed.txt"))
            assert len(seeds) == 1, f"expected one learner seed under the server's HOME, found {seeds}"
            learner = seeds[0].read_text().strip()
            shown = {}
            for prompt_html, options in _shown_orders(tab.page):
                q = next((q for q in questions if html.escape(q.prompt, quote=False) in prompt_html), None)
                if q is not None:
                    by_text = {o["text"]: o["id"] for o in q.options}
                    shown[q.key] = [o[3:] if o.startswith("id:") else by_text[o[5:]] for o in options]
            assert shown, f"{LESSON}: no choice self-check matched its bank"
            expected = {key: option_order([o["id"] for o in next(q for q in questions if q.key == key).options],
                                          order_seed(learner, key, before[key] + showings_in_kernel - 1))
                        for key in shown}
            assert shown == expected, (f"showing {showing_here + 1}: the browser shows {shown}, "
                                       f"the engine's order is {expected}")
            shown_runs.append(shown)
            expected_runs.append(expected)
        assert shown_runs[0] != shown_runs[1], "the options came in the same order at both showings"
        # The bank's order is not what a learner sees every time.
        file_order = {q.key: [o["id"] for o in q.options] for q in questions}
        assert any(shown_runs[0][k] != file_order[k] for k in shown_runs[0])
    finally:
        lab.close_tab(tab, lab_server)
        copy.unlink(missing_ok=True)
