"""Leitner scheduling: boxes, due dates, the review queue's order, per-lesson progress."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest

from gutbrain.progress.scheduler import (
    BOX_INTERVALS_DAYS, MASTERED_BOX, CardState, box_counts, card_state, card_states,
    interval_days, next_due, review_queue,
)
from gutbrain.progress.store import new_attempt
from gutbrain.progress.summary import course_progress, next_step

# Time-dependent: also run with the machine's clock moved (tests/conftest.py).
pytestmark = pytest.mark.clock

UTC = timezone.utc
DAY1 = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)


def at(day: int, hour: int = 18, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def answers(key, *events):
    """events: (datetime, correct)."""
    return [new_attempt(key, "x", ok, at=when) for when, ok in events]


def test_intervals_are_documented_doubling():
    assert BOX_INTERVALS_DAYS == (1, 2, 4, 8, 16) and MASTERED_BOX == 3
    assert [interval_days(b) for b in range(1, 6)] == [1, 2, 4, 8, 16]
    with pytest.raises(ValueError):
        interval_days(0)


def test_new_question():
    s = card_state("l/q", [], at(2))
    assert (s.box, s.due, s.seen, s.mastered) == (0, None, False, False)
    assert not s.is_due(at(2))


def test_correct_moves_up_a_box_when_due_and_sets_the_next_due_date():
    events = [(at(1), True)]
    s = card_state("l/q", answers("l/q", *events), at(1, 20))
    assert (s.box, s.due) == (1, date(2026, 11, 2)) and not s.is_due(at(1, 23))
    assert s.is_due(at(2, 8))  # the next morning: due (days, not 24-hour periods)
    events += [(at(2, 8), True)]
    s = card_state("l/q", answers("l/q", *events), at(2, 9))
    assert (s.box, s.due) == (2, date(2026, 11, 4))
    events += [(at(4), True)]
    s = card_state("l/q", answers("l/q", *events), at(4, 20))
    assert (s.box, s.due, s.mastered) == (3, date(2026, 11, 8), True)
    events += [(at(8), True), (at(16), True)]
    s = card_state("l/q", answers("l/q", *events), at(16, 20))
    assert s.box == 5 and s.due == date(2026, 12, 2)
    events += [(datetime(2026, 12, 3, 18, tzinfo=UTC), True)]
    s = card_state("l/q", answers("l/q", *events), datetime(2026, 12, 3, 20, tzinfo=UTC))
    assert s.box == 5 and s.due == date(2026, 12, 19)  # box 5 is the top: stays, 16 days


def test_answering_again_before_due_does_not_promote():
    s = card_state("l/q", answers("l/q", (at(1), True), (at(1, 19), True), (at(1, 20), True)), at(1, 21))
    assert s.box == 1 and s.due == date(2026, 11, 2)


def test_wrong_sends_back_to_box_1_due_tomorrow():
    events = [(at(1), True), (at(2), True), (at(4), True), (at(8), False)]
    s = card_state("l/q", answers("l/q", *events), at(8, 20))
    assert (s.box, s.due, s.misses, s.last_correct, s.first_try_correct) == (1, date(2026, 11, 9), 1, False, True)


def test_wrong_then_right_in_the_same_sitting():
    s = card_state("l/q", answers("l/q", (at(1), False), (at(1, 18, 1), True)), at(1, 19))
    assert (s.box, s.due, s.first_try_correct, s.last_correct, s.misses) == (1, date(2026, 11, 2), False, True, 1)


def test_days_are_counted_in_the_learners_timezone():
    tokyo = timezone(timedelta(hours=9))
    # 18:00 UTC on the 1st is 03:00 on the 2nd in Tokyo: due on the 3rd there
    s = card_state("l/q", answers("l/q", (at(1), True)), datetime(2026, 11, 2, 12, tzinfo=tokyo))
    assert s.due == date(2026, 11, 3)


def test_attempt_order_in_the_input_does_not_matter():
    items = answers("l/q", (at(1), True), (at(2), True), (at(3), False))
    assert card_state("l/q", items, at(5)) == card_state("l/q", items[::-1], at(5))


def test_now_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        card_state("l/q", [], datetime(2026, 11, 1))


COURSE = ["a/1", "a/2", "a/3", "b/1", "b/2", "b/3"]


def test_review_queue_order_missed_then_due_by_box_then_new():
    attempts = (
        answers("a/1", (at(1), True), (at(2), True))  # box 2, due 4th
        + answers("a/2", (at(1), True))  # box 1, due 2nd (overdue by 8)
        + answers("b/1", (at(1), True), (at(2), False))  # missed: box 1, due 3rd
        + answers("b/2", (at(10, 8), True))  # box 1, due 11th: not due yet
    )
    now = at(10, 9)
    states = card_states(attempts, now, COURSE)
    queue = review_queue(states, COURSE, now, size=10, max_new=1)
    assert [(i.key, i.reason) for i in queue] == [
        ("b/1", "missed"), ("a/2", "due"), ("a/1", "due"), ("a/3", "new"),
    ]
    assert [i.key for i in review_queue(states, COURSE, now, size=2, max_new=3)] == ["b/1", "a/2"]
    assert [i.key for i in review_queue(states, COURSE, now, size=5, max_new=0)] == ["b/1", "a/2", "a/1"]


def test_within_a_box_the_most_overdue_and_most_missed_come_first():
    attempts = (answers("a/1", (at(5), True)) + answers("a/2", (at(1), True))
                + answers("a/3", (at(5), False), (at(5, 19), True)))
    now = at(12)
    queue = review_queue(card_states(attempts, now, COURSE), COURSE, now, max_new=0)
    assert [i.key for i in queue] == ["a/2", "a/3", "a/1"]


def test_nothing_due_gives_the_next_due_date():
    attempts = answers("a/1", (at(1), True))
    states = card_states(attempts, at(1, 20), ["a/1"])
    assert review_queue(states, ["a/1"], at(1, 20)) == []
    assert next_due(states, at(1, 20)) == date(2026, 11, 2)
    assert next_due({}, at(1)) is None


def test_questions_no_longer_in_a_bank_are_ignored():
    attempts = answers("gone/q", (at(1), True))
    states = card_states(attempts, at(9), ["a/1"])
    assert [i.key for i in review_queue(states, ["a/1"], at(9))] == ["a/1"]


def test_box_counts():
    assert box_counts([CardState("x"), CardState("y", box=3), CardState("z", box=3)]) == [1, 0, 0, 2, 0, 0]


@dataclass
class FakeLesson:
    slug: str
    number: int
    title: str


def test_course_progress_counts_and_next_step():
    course = [FakeLesson("a", 1, "A"), FakeLesson("b", 2, "B"), FakeLesson("review", 99, "R")]
    questions = {"a": ["a/1", "a/2"], "b": ["b/1"]}
    attempts = (answers("a/1", (at(1), True), (at(2), True), (at(4), True))  # mastered
                + answers("a/2", (at(1), False), (at(1, 19), True)))  # due on the 2nd
    rows = course_progress(course, questions, attempts, at(5))
    assert [(r.slug, r.questions, r.attempted, r.first_try_correct, r.mastered, r.due) for r in rows] == [
        ("a", 2, 2, 1, 1, 1), ("b", 1, 0, 0, 0, 0),
    ]
    step = next_step(rows)
    assert "1 question is due for review" in step.text and "Start lesson 2" in step.text
    assert step.links == (("Review", "99_review.ipynb"), ("Lesson 2", "b.ipynb"))
    assert "Start lesson 1" in next_step(course_progress(course, questions, [], at(5))).text
