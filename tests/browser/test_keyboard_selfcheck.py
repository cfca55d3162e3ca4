"""A self-check can be answered with the keyboard alone (no mouse), as a learner would."""
import pytest

import labdriver as lab

pytestmark = pytest.mark.browser


def test_choice_selfcheck_is_answerable_by_keyboard(open_tab, lab_server):
    tab = open_tab("lessons/00_start_here.ipynb")
    try:
        lab.run_all(tab.page)
        box = tab.page.locator(".gutbrain-selfcheck").filter(has=tab.page.locator("input[type=radio]")).first
        radios = box.locator("input[type=radio]")
        assert radios.count() >= 2
        radios.nth(0).focus()
        tab.page.keyboard.press("Space")  # choose the first option
        tab.page.keyboard.press("ArrowDown")  # move the choice to the second option
        checked = [radios.nth(i).is_checked() for i in range(radios.count())]
        assert checked[1] and not checked[0], f"arrow keys did not move the choice: {checked}"
        box.get_by_role("button", name="Check").focus()
        tab.page.keyboard.press("Enter")
        feedback = box.locator("[role=status]").filter(has_text="Not yet")
        feedback.wait_for(timeout=15_000)  # the second option is a wrong answer
        assert "not graded" in feedback.inner_text()
    finally:
        lab.close_tab(tab, lab_server)
