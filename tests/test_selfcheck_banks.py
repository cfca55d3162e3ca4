"""Every question bank (assets/questions/*.yaml, by glob) cannot be gamed by position or length.

Options are shuffled at display time, but a bank read in file order (the review's first
showing, a printed copy, a learner reading the YAML) must not give the answer away either:
- over a bank's choice questions, the right option is not always in the same position, and no
  position holds more than half of them (from four questions on);
- the right option is not systematically the longest: it is the strictly longest option in at
  most half of a bank's single-choice questions (from three questions on).
Every wrong option carries a misconception tag (checked when the bank loads).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from gutbrain.data import assets_dir
from gutbrain.selfcheck import load_bank

BANKS = sorted(p.stem for p in (Path(assets_dir()) / "questions").glob("*.yaml"))


def correct_positions(bank) -> list[tuple[str, int]]:
    """(question id, position of the right option) for every single-choice question, and for
    every multiple-choice question the position of each right option."""
    out = []
    for q in bank.values():
        if q.type in ("single_choice", "multiple_choice"):
            out += [(q.id, i) for i, o in enumerate(q.options) if o.get("correct")]
    return out


def longest_is_correct(bank) -> list[str]:
    ids = []
    for q in bank.values():
        if q.type != "single_choice":
            continue
        lengths = [len(o["text"]) for o in q.options]
        top = max(lengths)
        if lengths.count(top) == 1 and q.options[lengths.index(top)].get("correct"):
            ids.append(q.id)
    return ids


def describe(bank) -> str:
    return ", ".join(f"{qid}: option {i + 1}" for qid, i in correct_positions(bank))


@pytest.mark.parametrize("lesson", BANKS)
def test_right_answers_are_spread_across_positions(lesson):
    bank = load_bank(lesson)
    positions = correct_positions(bank)
    if len(positions) < 2:
        return
    counts = Counter(i for _, i in positions)
    assert len(counts) > 1, (f"assets/questions/{lesson}.yaml: the right answer is always option "
                             f"{positions[0][1] + 1} ({describe(bank)}); spread it across positions")
    if len(positions) >= 4:
        position, most = counts.most_common(1)[0]
        assert most <= len(positions) / 2, (
            f"assets/questions/{lesson}.yaml: {most} of {len(positions)} right answers are option "
            f"{position + 1} ({describe(bank)}); spread them across positions")


@pytest.mark.parametrize("lesson", BANKS)
def test_right_answer_is_not_systematically_the_longest(lesson):
    bank = load_bank(lesson)
    n = sum(q.type == "single_choice" for q in bank.values())
    longest = longest_is_correct(bank)
    if n >= 3:
        assert len(longest) <= n / 2, (
            f"assets/questions/{lesson}.yaml: in {len(longest)} of {n} single-choice questions the "
            f"right option is the longest ({', '.join(longest)}); make a distractor as specific")
