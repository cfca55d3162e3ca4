"""What every quiz's tests share: reading a quiz source, a student's edited copy, and the
plausible wrong submissions whose partial credit tests/test_quizzes.py checks in its one
sandboxed grading batch (with every quiz's solution and blank release)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

REPO = Path(__file__).resolve().parents[1]


def source_nb(quiz: str) -> Path:
    return next((REPO / "quizzes" / "source" / quiz).glob("*.ipynb"))


def cells(quiz: str) -> list[dict]:
    return json.loads(source_nb(quiz).read_text())["cells"]


def answered(quiz: str, changes: dict[str, str]) -> nbformat.NotebookNode:
    """The source notebook (full marks) with some answer cells replaced by a student's version."""
    nb = nbformat.read(source_nb(quiz), as_version=4)
    for cell in nb.cells:
        if cell.metadata["nbgrader"]["grade_id"] in changes:
            cell.source = changes[cell.metadata["nbgrader"]["grade_id"]]
    return nb


def graded_points(quiz: str) -> dict[str, float]:
    """grade_id -> points of every graded cell."""
    return {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"].get("points", 0)
            for c in cells(quiz) if c["metadata"]["nbgrader"]["grade"]}


def assert_twenty_points_with_one_rubric_item(quiz: str, autograded: dict[str, float], manual_id: str):
    points = graded_points(quiz)
    assert sum(points.values()) == 20
    assert {k.split("_")[0]: v for k, v in points.items() if k != manual_id} == autograded
    manual = [c for c in cells(quiz) if c["metadata"]["nbgrader"]["grade_id"] == manual_id]
    assert manual[0]["cell_type"] == "markdown" and "Rubric" in "".join(manual[0]["source"])


def require_sandbox() -> None:
    """Grading tests run sandboxed: without bubblewrap they FAIL on CI and are skipped elsewhere
    (several hostile cases must never run with the grader's rights)."""
    import os

    import pytest

    from gutbrain.instructor import sandbox
    ok, why = sandbox.status()
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"CI must grade sandboxed: {why}")
        pytest.skip(f"no sandbox here: {why}")


def check_kinds(quiz: str) -> dict[str, str]:
    """Item ("q1") -> the kind of its check spec; no spec may carry an expected value."""
    from gutbrain.instructor.grading import quiz_checks

    checks = quiz_checks(nbformat.read(source_nb(quiz), as_version=4))
    for spec in checks.values():
        assert not {"expected", "answer", "value"} & set(spec)
    return {gid.split("_")[0]: spec["kind"] for gid, spec in checks.items()}


def right_option(quiz: str, variable: str) -> str:
    """The option a choice item's solution sets ``variable`` to."""
    solution = "\n".join("".join(c["source"]) for c in cells(quiz))
    return re.search(rf'BEGIN SOLUTION\n{variable} = "(\w)"', solution).group(1)


def assert_misconception_keys_cover_every_wrong_option(quiz: str) -> list[dict]:
    keys = yaml.safe_load((REPO / "assets" / "quiz_misconceptions" / f"{quiz}.yaml").read_text())
    known = yaml.safe_load((REPO / "assets" / "misconceptions.yaml").read_text())
    for item in keys["items"]:
        right = right_option(quiz, item["variable"])
        assert set(item["misconceptions"]) == set(item["options"]) - {right}, item["item"]
        assert all(tag in known for tag in item["misconceptions"].values()), item["item"]
    return keys["items"]


@dataclass(frozen=True)
class WrongSubmission:
    """A plausible wrong submission: the answer cells it changes and the score it must get."""

    quiz: str
    student: str
    changes: dict
    score: float
    why: str


WRONG_SUBMISSIONS = [
    WrongSubmission(
        "quiz01_serotonin", "confused", {
            "q1_answer": 'answer_q1 = "a"',
            "q4_answer": 'answer_q4 = "a"',
            "q5_answer": ('state = steady_state(enzyme_scale={"TPH1": 10.0})\n'
                          "serotonin_share_tph1x10_percent = state.serotonin_branch_share"),
            "q6_answer": "def michaelis_menten_rate(s, vmax, km):\n    return vmax * s / km",
            "q7_answer": ('km_tph1_uM = kinetic_constants("TPH1")[0].value_uM\n'
                          "tph1_fraction_of_vmax = 5.0 / (km_tph1_uM + 5.0)"),
        }, 6,
        "swaps TPH1/TPH2, thinks microbes add EC cells, reports a fraction for a percentage, forgets Km in "
        "the denominator; items 2, 3 and 7 right"),
    WrongSubmission(
        "quiz01_serotonin", "almost", {
            "q5_answer": ('state = steady_state(enzyme_scale={"TPH1": 10.0})\n'
                          "serotonin_share_tph1x10_percent = state.serotonin_branch_share"),
        }, 13, "everything right but the percent-versus-fraction slip (item 5, 3 points)"),
    WrongSubmission(
        "quiz02_vagus", "confused", {
            "q1_answer": 'answer_q1 = "a"',
            "q2_answer": 'answer_q2 = "b"',
            "q3_answer": 'answer_q3 = "b"',
            "q5_answer": ("main_group = load_conduction_velocities()[0]\n"
                          "slowest_arrival_ms = 0.7 / main_group.low_m_per_s"),
            "q6_answer": "velocity_ratio_4_to_1 = 4.0",
            "q7_answer": ("import numpy as np\n\n\ndef scaled_velocity_m_per_s(diameter_um, reference_diameter_um, "
                          "reference_velocity_m_per_s):\n"
                          "    return reference_velocity_m_per_s * np.asarray(diameter_um) / reference_diameter_um"),
        }, 2,
        "believes the articles (thick fast fibres, an '80-90%' human count, mood messages), reports seconds "
        "for milliseconds, thinks velocity ∝ diameter; read Kelly 2017 (item 4)"),
    WrongSubmission(
        "quiz02_vagus", "almost", {
            "q5_answer": ("main_group = load_conduction_velocities()[0]\n"
                          "slowest_arrival_ms = 0.7 / main_group.low_m_per_s"),
        }, 13, "everything right but the seconds-versus-milliseconds slip (item 5, 2 points)"),
    WrongSubmission(
        "quiz03_psychobiotics", "confused", {
            "q1_answer": 'answer_q1 = "a"',
            "q4_answer": 'pooled_smd_dl = pool(effects("smd"), method="fixed").estimate',
            "q5_answer": 'i2_percent = pool(effects("smd"), method="random-dl").i2',
            "q7_answer": "ng_se = (0.00463 + 0.261) / 1.96",
            "q8_answer": 'answer_q8 = "c"',
        }, 6,
        "reads I² as an effect size, pools with a fixed-effect model, reports I² as a fraction, forgets to "
        "halve the CI width, thinks a tiny Egger p means a large effect; items 2, 3 and 6 right"),
    WrongSubmission(
        "quiz03_psychobiotics", "almost", {
            "q5_answer": 'i2_percent = pool(effects("smd"), method="random-dl").i2',
        }, 14, "everything right but I² as a fraction (item 5, 2 points)"),
    WrongSubmission(
        "quiz04_inflammation", "confused", {
            "q1_answer": 'answer_q1 = "a"',
            "q2_answer": 'answer_q2 = "b"',
            "q4_answer": "ido1_share_percent = immune_activation(300.0, 1.0).ido1_share",
            "q5_answer": "import numpy as np\n\ndef overlap_percent(d):\n    return 100 * norm.cdf(-np.abs(d) / 2)",
        }, 6,
        "swaps TDO2/IDO1, takes blood tryptophan for brain tryptophan, reports a fraction for a percentage, "
        "forgets the factor 2 in the overlap; items 3, 6 and 7 right"),
    WrongSubmission(
        "quiz04_inflammation", "almost", {
            "q4_answer": "ido1_share_percent = immune_activation(300.0, 1.0).ido1_share",
        }, 13, "everything right but the fraction-for-percent slip (item 4, 3 points)"),
    WrongSubmission(
        "quiz05_reading", "confused", {
            "q1_answer": 'answer_q1 = "a"',
            "q2_answer": 'answer_q2 = "a"',
            "q3_answer": 'answer_q3 = "b"',
            "q6_answer": 'commercial_articles = ["A", "B", "C", "D", "E"]',
            "q7_answer": ('d_supported_percent = 100 * len(filter_claims(ledger.claims, article="D", '
                          'verdict="supported")) / len(ledger.claims)'),
            "q8_answer": ("def share_percent(verdicts, verdict):\n"
                          "    return 100.0 * sum(v == verdict for v in verdicts) / len(verdicts)"),
        }, 4,
        "takes mouse results and PMIDs at face value, trusts the test seller, counts Article A among the "
        "sellers, divides by all claims, forgets the empty list; items 4 and 5 right"),
    WrongSubmission(
        "quiz05_reading", "almost", {"q2_answer": 'answer_q2 = "a"'}, 14,
        "everything right but trusting the cited review (item 2, 2 points)"),
]
