"""Self-check engine: bank validation, grading of every input a learner can type, the widget."""
import textwrap

import pytest

from gutbrain.data import AssetError
from gutbrain.selfcheck import SelfCheck, check_answer, load_bank, question
from gutbrain.selfcheck import bank as bank_module


@pytest.fixture
def assets(tmp_path, monkeypatch):
    """A private assets folder with the real misconceptions/references and a test bank."""
    from gutbrain.data import assets_dir

    real = assets_dir()
    (tmp_path / "questions").mkdir()
    for name in ("misconceptions.yaml", "references.yaml"):
        (tmp_path / name).write_text((real / name).read_text())
    monkeypatch.setenv("GUTBRAIN_ASSETS", str(tmp_path))
    bank_module.load_bank.cache_clear()
    bank_module.load_misconceptions.cache_clear()
    yield tmp_path
    bank_module.load_bank.cache_clear()
    bank_module.load_misconceptions.cache_clear()


def write_bank(assets, body: str, lesson="t1"):
    (assets / "questions" / f"{lesson}.yaml").write_text(f"lesson: {lesson}\nquestions:\n" + textwrap.indent(textwrap.dedent(body), "  "))


GOOD = """
- id: pick
  type: single_choice
  prompt: P?
  hint: H
  explanation: E
  options:
    - {id: a, text: A, correct: true, feedback: right}
    - {id: b, text: B, feedback: wrong, misconception: units-confusion}
- id: many
  type: multiple_choice
  prompt: P?
  hint: H
  explanation: E
  options:
    - {id: a, text: A, correct: true, feedback: fa}
    - {id: b, text: B, correct: true, feedback: fb}
    - {id: c, text: C, feedback: fc, misconception: units-confusion}
- id: num
  type: numeric
  prompt: How many?
  hint: H
  explanation: E
  answer: 67.4
  tolerance: 0.5
  unit: µM
  wrong_answers:
    - {value: 0.0674, tolerance: 0.001, feedback: that is mM, misconception: units-confusion}
  default_misconception: units-confusion
- id: word
  type: short_text
  prompt: Which enzyme?
  hint: H
  explanation: E
  accepted: [tryptophan hydroxylase, TPH]
  wrong_answers:
    - {text: MAO, feedback: that breaks serotonin down, misconception: pathway-order}
  default_misconception: tph-confusion
"""


def test_every_shipped_bank_validates():
    from gutbrain.data import assets_dir

    banks = sorted(p.stem for p in (assets_dir() / "questions").glob("*.yaml"))
    assert "00_start_here" in banks
    for lesson in banks:
        assert len(load_bank(lesson)) >= 1


def test_bank_loads_in_file_order(assets):
    write_bank(assets, GOOD)
    assert list(load_bank("t1")) == ["pick", "many", "num", "word"]
    assert question("t1", "num").key == "t1/num"


@pytest.mark.parametrize("broken, message", [
    (GOOD.replace("correct: true, feedback: right", "feedback: right"), "exactly one correct option"),
    (GOOD.replace(", misconception: units-confusion}\n- id: many", "}\n- id: many"), "must be tagged with a misconception"),
    (GOOD.replace("misconception: pathway-order", "misconception: made-up-tag"), "made-up-tag"),
    (GOOD.replace("\n  tolerance: 0.5", ""), "'tolerance' is a required property"),
    (GOOD.replace("id: word", "id: pick"), "duplicate question id"),
    (GOOD.replace("  hint: H\n  explanation: E\n  accepted", "  explanation: E\n  accepted"), "'hint' is a required property"),
])
def test_bank_errors_name_the_file_and_question(assets, broken, message):
    write_bank(assets, broken)
    with pytest.raises(AssetError) as err:
        load_bank("t1")
    assert "assets/questions/t1.yaml" in str(err.value)
    assert message in str(err.value)


def test_unknown_reference_is_reported(assets):
    write_bank(assets, GOOD.replace("  explanation: E\n  answer", "  explanation: E\n  references: [nobody2099]\n  answer"))
    with pytest.raises(AssetError, match="question 'num'.*nobody2099"):
        load_bank("t1")


def test_missing_bank_says_what_to_do(assets):
    with pytest.raises(AssetError, match="missing course file .*questions/nope.yaml.*git checkout"):
        load_bank("nope")


def test_invalid_yaml_is_reported(assets):
    (assets / "questions" / "t1.yaml").write_text("lesson: t1\nquestions: [\n")
    with pytest.raises(AssetError, match="not valid YAML"):
        load_bank("t1")


def test_single_choice(assets):
    write_bank(assets, GOOD)
    q = question("t1", "pick")
    assert check_answer(q, "a").correct
    wrong = check_answer(q, "b")
    assert wrong.status == "incorrect" and wrong.misconception == "units-confusion" and wrong.message == "wrong"
    assert check_answer(q, None).status == "invalid"
    assert check_answer(q, "z").status == "invalid"


def test_multiple_choice(assets):
    write_bank(assets, GOOD)
    q = question("t1", "many")
    assert check_answer(q, {"a", "b"}).correct
    partial = check_answer(q, {"a"})
    assert partial.status == "incorrect" and "left out 1" in partial.message
    wrong = check_answer(q, {"a", "b", "c"})
    assert wrong.misconception == "units-confusion" and "fc" in wrong.message
    assert check_answer(q, set()).status == "invalid"
    assert check_answer(q, "a").status == "invalid"


@pytest.mark.parametrize("typed", ["67.4", "67", " 67.6 ", "67.4 µM", "67,4", "6.74e1", "６７.４"])
def test_numeric_accepts_what_a_learner_types(assets, typed):
    write_bank(assets, GOOD)
    assert check_answer(question("t1", "num"), typed).correct


@pytest.mark.parametrize("typed, says", [
    ("", "Type a number"), ("   ", "Type a number"), ("abc", "is not a number"),
    ("nan", "NaN"), ("inf", "Infinity"), ("-∞", "Infinity"), ("1e400", "far too large"),
    ("9" * 30, "far too large"), ("1" * 500, "characters long"), ("67.4 mg", "is not a number"),
    ("😀", "is not a number"), ("6 7", "is not a number"),
])
def test_numeric_bad_input_gets_a_clear_message_not_a_traceback(assets, typed, says):
    write_bank(assets, GOOD)
    fb = check_answer(question("t1", "num"), typed)
    assert fb.status == "invalid" and says in fb.message
    assert not fb.counts_as_attempt


def test_numeric_wrong_answers_are_tagged(assets):
    write_bank(assets, GOOD)
    q = question("t1", "num")
    assert check_answer(q, "0.0674").misconception == "units-confusion"
    far = check_answer(q, "100")
    assert far.status == "incorrect" and "too high" in far.message


@pytest.mark.parametrize("typed", ["TPH", "tph", "  Tryptophan   Hydroxylase. ", "ＴＰＨ"])
def test_short_text_accepted_forms(assets, typed):
    write_bank(assets, GOOD)
    assert check_answer(question("t1", "word"), typed).correct


def test_short_text_wrong_and_invalid(assets):
    write_bank(assets, GOOD)
    q = question("t1", "word")
    assert check_answer(q, "mao").misconception == "pathway-order"
    assert check_answer(q, "dopa").misconception == "tph-confusion"
    assert check_answer(q, "").status == "invalid"
    assert check_answer(q, "x" * 1000).status == "invalid"


def test_widget_gives_feedback_hint_and_allows_retry(assets):
    write_bank(assets, GOOD)
    recorded = []
    sc = SelfCheck(question("t1", "pick"), on_answer=lambda q, raw, fb: recorded.append(fb.status))
    sc.check_button.click()  # nothing chosen yet
    assert "Choose one option" in sc.feedback.value and recorded == []
    assert sc.answer("b").status == "incorrect"
    assert "Not yet" in sc.feedback.value
    sc.hint_button.click()
    assert "Hint: H" in sc.hint.value
    assert sc.answer("a").correct
    assert "Correct" in sc.feedback.value and "Why:" in sc.feedback.value
    assert recorded == ["incorrect", "correct"] and len(sc.attempts) == 2


def test_widget_for_each_type_escapes_html(assets):
    write_bank(assets, GOOD.replace("feedback: wrong,", "feedback: '<script>x</script>',"))
    sc = SelfCheck(question("t1", "pick"))
    sc.answer("b")
    assert "<script>" not in sc.feedback.value and "&lt;script&gt;" in sc.feedback.value
    assert SelfCheck(question("t1", "many")).answer({"a", "b"}).correct
    assert SelfCheck(question("t1", "num")).answer("67.4").correct
    assert SelfCheck(question("t1", "word")).answer("TPH").correct


def test_optional_review_and_demo_fields(assets):
    write_bank(assets, GOOD.replace(
        "- id: many\n", "  review: false\n- id: many\n  demo: 'Reopen the [pathway map](01_serotonin_synthesis.ipynb#pathway-map)'\n"))
    assert question("t1", "pick").in_review is False and question("t1", "pick").demo is None
    assert question("t1", "many").in_review is True and "pathway map" in question("t1", "many").demo
    assert question("t1", "num").in_review is True


@pytest.mark.parametrize("bad", ["review: 'no'", "demo: ''", "demo: 3"])
def test_review_and_demo_fields_are_typed(assets, bad):
    write_bank(assets, GOOD.replace("- id: many\n", f"  {bad}\n- id: many\n"))
    with pytest.raises(AssetError, match="question 'pick'"):
        load_bank("t1")


def test_self_checks_share_their_plain_layout_and_style_models():
    """Issue 19's byte budget: a lesson's self-checks open one Layout/style model for their plain
    parts, not one per widget (each is about 1.7 kB over the kernel websocket)."""
    from gutbrain.selfcheck import ask

    first, second = ask("00_start_here", "how-selfchecks-work"), ask("01_serotonin_synthesis", "pathway-order")
    parts = [first.check_button, first.hint_button, first.hint, first.feedback, second.check_button, second.hint]
    assert len({id(p.layout) for p in parts}) == 1
    assert first.hint.style is second.feedback.style and first.check_button.style is second.hint_button.style
    assert first.widget.layout is not second.widget.layout  # the bordered box keeps its own
