"""Choice options are shown shuffled per learner and per showing, reproducibly; answers stay ids."""
import re
from collections import Counter

import pytest

from gutbrain.selfcheck import SelfCheck, check_answer, question
from gutbrain.selfcheck import shuffle
from gutbrain.selfcheck.widget import demo_html

from test_selfcheck import GOOD, assets, write_bank  # noqa: F401  (fixture)


@pytest.fixture
def learner_dir(tmp_path, monkeypatch):
    folder = tmp_path / "progress"
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(folder))
    monkeypatch.setattr(shuffle, "_shown_here", Counter())
    return folder


def test_order_is_a_reproducible_permutation():
    ids = ["a", "b", "c", "d"]
    seed = shuffle.order_seed("0" * 32, "01_x/q", 3)
    assert shuffle.option_order(ids, seed) == shuffle.option_order(ids, seed)
    assert sorted(shuffle.option_order(ids, seed)) == ids
    assert seed != shuffle.order_seed("0" * 32, "01_x/q", 4) != shuffle.order_seed("1" * 32, "01_x/q", 3)


def test_every_position_is_equally_likely():
    """Over many learners and showings the first option lands in every position about as often."""
    ids = ["a", "b", "c", "d"]
    n = 4000
    where = Counter(shuffle.option_order(ids, shuffle.order_seed(f"{i:032x}", "k/q", i % 7)).index("a")
                    for i in range(n))
    assert set(where) == {0, 1, 2, 3}
    assert all(abs(count - n / 4) < 0.1 * n / 4 for count in where.values()), where


def test_learner_seed_is_kept_and_per_learner(tmp_path):
    one = shuffle.learner_seed(tmp_path / "one")
    assert one == shuffle.learner_seed(tmp_path / "one") and len(one) == 32
    assert (tmp_path / "one" / shuffle.SEED_FILE).read_text().strip() == one
    assert shuffle.learner_seed(tmp_path / "two") != one


def test_unwritable_folder_falls_back_to_a_kernel_seed(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    seed = shuffle.learner_seed(blocker / "sub")
    assert len(seed) == 32 and seed == shuffle.learner_seed(blocker / "sub")


def test_widget_shuffles_per_showing_and_answers_by_id(assets, learner_dir):  # noqa: F811
    write_bank(assets, GOOD.replace(
        "    - {id: b, text: B, feedback: wrong, misconception: units-confusion}\n",
        "    - {id: b, text: B, feedback: wrong, misconception: units-confusion}\n"
        "    - {id: c, text: C, feedback: wrong c, misconception: units-confusion}\n"
        "    - {id: d, text: D, feedback: wrong d, misconception: units-confusion}\n", 1))
    q = question("t1", "pick")
    orders = [[v for _, v in SelfCheck(q).input.options] for _ in range(12)]
    assert all(sorted(o) == ["a", "b", "c", "d"] for o in orders)
    assert len({tuple(o) for o in orders}) > 3, "the order does not change between showings"
    assert {o.index("a") for o in orders} != {0}, "the right answer is always shown first"
    # The same seed gives the same order; the recorded answer is an id whatever the position.
    one, two = SelfCheck(q, order_seed="ab" * 32), SelfCheck(q, order_seed="ab" * 32)
    assert one.input.options == two.input.options
    assert one.answer("a").correct and one.attempts[-1]["answer"] == "a"
    assert check_answer(q, "a").correct
    assert [v for _, v in SelfCheck(q, shuffle=False).input.options] == ["a", "b", "c", "d"]


def test_multiple_choice_boxes_follow_the_shown_order(assets, learner_dir):  # noqa: F811
    write_bank(assets, GOOD)
    q = question("t1", "many")
    for i in range(6):
        sc = SelfCheck(q, order_seed=f"{i:064x}")
        assert [b.description for b in sc._boxes] == [o["text"] for o in sc.options]
        assert sc.answer({"a", "b"}).correct
        assert not sc.answer({"a", "c"}).correct


def test_showing_counts_attempts_in_the_store(assets, learner_dir):  # noqa: F811
    from gutbrain.progress.store import default_store

    write_bank(assets, GOOD)
    first = shuffle.next_showing("t1/pick")
    default_store().record("t1/pick", "b", False)
    assert shuffle.next_showing("t1/pick") == first + 2  # one showing here + one attempt stored


def test_demo_note_in_review_only(assets, learner_dir):  # noqa: F811
    write_bank(assets, GOOD.replace(
        "- id: many\n", "  demo: 'Reopen the [pathway map](01_serotonin_synthesis.ipynb#map) <b>now</b>'\n- id: many\n"))
    q = question("t1", "pick")
    lesson_view = SelfCheck(q)
    review_view = SelfCheck(q, for_review=True)
    assert len(review_view.widget.children) == len(lesson_view.widget.children) + 1
    note = review_view.widget.children[1].value
    assert re.search(r'<a href="01_serotonin_synthesis\.ipynb#map"[^>]*>pathway map</a>', note)
    assert "&lt;b&gt;now" in note


@pytest.mark.parametrize("target", ["javascript:alert(1)", "data:text/html,x"])
def test_demo_links_are_only_web_or_relative(target):
    assert "<a " not in demo_html(f"see [this]({target})")
