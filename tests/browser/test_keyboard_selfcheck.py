"""A self-check can be answered with the keyboard alone (no mouse), as a learner would."""
import pytest
from playwright.sync_api import expect

import labdriver as lab

pytestmark = pytest.mark.browser

WRONG = "The question locks, and my course grade goes down a little."


def test_choice_selfcheck_is_answerable_by_keyboard(open_tab, lab_server):
    tab = open_tab("lessons/00_start_here.ipynb")
    try:
        lab.run_all(tab.page)
        box = tab.page.locator(".gutbrain-selfcheck").filter(has=tab.page.locator("input[type=radio]")).first
        radios = box.locator("input[type=radio]")
        n = radios.count()
        assert n >= 2
        # Options are shuffled: find the wrong option "locks", start on the one before it.
        labels = [box.locator(".gutbrain-choice label").nth(i).inner_text().strip() for i in range(n)]
        target = labels.index(WRONG)
        start = (target - 1) % n
        radios.nth(start).focus()
        tab.page.keyboard.press("Space")  # choose the option before it
        tab.page.keyboard.press("ArrowDown")  # move the choice on to the wrong option (wraps)
        checked = [radios.nth(i).is_checked() for i in range(n)]
        assert checked[target] and not checked[start], f"arrow keys did not move the choice: {checked}"
        # A learner's Tab to the button takes a moment; the kernel has the choice by then. (Pressed
        # within milliseconds of the arrow key on a loaded machine, Check has reached Python
        # before the new choice: see docs/browser_tests.md, "Known races".)
        tab.page.wait_for_timeout(300)
        lab.wait_for_run(tab.page)
        check = box.get_by_role("button", name="Check")
        check.focus()
        expect(check).to_be_focused()
        tab.page.keyboard.press("Enter")
        feedback = box.locator("[role=status]").filter(has_text="Not yet")
        feedback.wait_for(timeout=30_000)
        assert "not graded" in feedback.inner_text()
    finally:
        lab.close_tab(tab, lab_server)
