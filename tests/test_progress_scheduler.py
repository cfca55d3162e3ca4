"""Spaced review on FSRS: replay from the stored answers, due days, the review queue's order,
per-lesson progress."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler

from gutbrain.progress.scheduler import (
    DESIRED_RETENTION, MASTERED_STABILITY_DAYS, SCHEDULER, CardState, card_state, card_states,
    memory_bucket, memory_counts, next_due, review_queue,
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


def test_the_scheduler_is_fsrs_without_fuzz_or_intraday_steps():
    assert isinstance(SCHEDULER, Scheduler)
    assert SCHEDULER.enable_fuzzing is False and SCHEDULER.desired_retention == DESIRED_RETENTION
    assert tuple(SCHEDULER.learning_steps) == () and tuple(SCHEDULER.relearning_steps) == ()


def test_replay_matches_fsrs_fed_the_same_ratings():
    """The state is exactly what fsrs gives for Good (right) / Again (wrong) in time order."""
    events = [(at(1), True), (at(3), True), (at(14), False), (at(15), True)]
    card = Card(card_id=0)
    for when, ok in events:
        card, _ = SCHEDULER.review_card(card, Rating.Good if ok else Rating.Again, when)
    s = card_state("l/q", answers("l/q", *events), at(16))
    assert s.stability_days == pytest.approx(card.stability) and s.difficulty == pytest.approx(card.difficulty)
    assert s.due == (card.due - timedelta(hours=0)).date()
    assert (s.attempts, s.misses, s.last_correct, s.first_try_correct) == (4, 1, True, True)


def test_a_new_question_is_not_due():
    s = card_state("l/q", [], at(1))
    assert (s.stability_days, s.due, s.seen, s.mastered) == (None, None, False, False)
    assert not s.is_due(at(2)) and s.recall_probability(at(2)) is None


def test_right_answers_space_out_and_master_a_question():
    """Right on the 1st: due two days later (FSRS's first stability, about 2.3 days). Right
    again when due: about 11 days, which counts as mastered. A third time, on time: about 46 days."""
    s = card_state("l/q", answers("l/q", (at(1), True)), at(1, 20))
    assert s.due == date(2026, 11, 3) and not s.is_due(at(2, 23)) and s.is_due(at(3, 6))
    assert not s.mastered
    s = card_state("l/q", answers("l/q", (at(1), True), (at(3), True)), at(3, 20))
    assert s.due == date(2026, 11, 14) and s.mastered and s.stability_days >= MASTERED_STABILITY_DAYS
    s = card_state("l/q", answers("l/q", (at(1), True), (at(3), True), (at(14), True)), at(14, 20))
    assert s.due == date(2026, 12, 30)


def test_cramming_does_not_count_spacing_does():
    """Answering right again the same day changes nothing; the same answer after the gap does."""
    once = card_state("l/q", answers("l/q", (at(1), True)), at(1, 22))
    crammed = card_state("l/q", answers("l/q", (at(1), True), (at(1, 19), True), (at(1, 20), True)), at(1, 22))
    assert crammed.due == once.due and crammed.stability_days == pytest.approx(once.stability_days, rel=0.01)


def test_wrong_brings_it_back_tomorrow():
    s = card_state("l/q", answers("l/q", (at(1), True), (at(8), False)), at(8, 20))
    assert (s.due, s.misses, s.last_correct, s.first_try_correct) == (date(2026, 11, 9), 1, False, True)
    assert s.stability_days < 1
    # wrong then right at once (the retry in a lesson): still tomorrow
    s = card_state("l/q", answers("l/q", (at(1), False), (at(1, 18, 1), True)), at(1, 20))
    assert (s.due, s.first_try_correct, s.last_correct, s.misses) == (date(2026, 11, 2), False, True, 1)


def test_due_days_are_counted_in_the_time_zone_of_now():
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    # 18:00 UTC on the 1st is 03:00 on the 2nd in Tokyo: due (in one day) on the 3rd there
    s = card_state("l/q", answers("l/q", (at(1), False)), datetime(2026, 11, 2, 9, tzinfo=tokyo))
    assert s.due == date(2026, 11, 3)


def test_an_attempt_stamped_in_the_future_counts_as_made_now():
    s = card_state("l/q", answers("l/q", (at(5), False)), at(2))
    assert s.attempts == 1 and s.due == date(2026, 11, 3)


def test_recall_probability_falls_with_time():
    s = card_state("l/q", answers("l/q", (at(1), True)), at(1, 20))
    p = [s.recall_probability(at(d)) for d in (2, 3, 10)]
    assert 1 > p[0] > p[1] > p[2] > 0
    assert p[1] == pytest.approx(DESIRED_RETENTION, abs=0.03)  # due when recall falls to 90%


def test_attempt_order_in_the_input_does_not_matter():
    items = answers("l/q", (at(1), True), (at(2), True), (at(3), False))
    assert card_state("l/q", items, at(5)) == card_state("l/q", items[::-1], at(5))


def test_now_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        card_state("l/q", [], datetime(2026, 11, 1))


COURSE = ["a/1", "a/2", "a/3", "b/1", "b/2", "b/3"]


def test_review_queue_order_missed_then_due_least_remembered_first_then_new():
    attempts = (
        answers("a/1", (at(1), True), (at(2), True))  # stability ~ 11 days: due on the 8th or so
        + answers("a/2", (at(1), True))  # ~ 2.3 days, due on the 3rd: likelier forgotten by now
        + answers("b/1", (at(1), True), (at(2), False))  # missed: due 3rd
        + answers("b/2", (at(10, 8), True))  # due 12th: not due yet
    )
    now = at(10, 9)
    states = card_states(attempts, now, COURSE)
    queue = review_queue(states, COURSE, now, size=10, max_new=1)
    assert [(i.key, i.reason) for i in queue] == [
        ("b/1", "missed"), ("a/2", "due"), ("a/1", "due"), ("a/3", "new"),
    ]
    assert [i.key for i in review_queue(states, COURSE, now, size=2, max_new=3)] == ["b/1", "a/2"]
    assert [i.key for i in review_queue(states, COURSE, now, size=5, max_new=0)] == ["b/1", "a/2", "a/1"]


def test_the_question_least_likely_remembered_comes_first():
    attempts = (answers("a/1", (at(5), True)) + answers("a/2", (at(1), True))
                + answers("a/3", (at(5), False), (at(5, 19), True)))
    now = at(12)
    states = card_states(attempts, now, COURSE)
    queue = review_queue(states, COURSE, now, max_new=0)
    assert [i.key for i in queue] == ["a/3", "a/2", "a/1"]
    recall = [states[k].recall_probability(now) for k in ("a/3", "a/2", "a/1")]
    assert recall == sorted(recall)


def test_nothing_due_gives_the_next_due_date():
    attempts = answers("a/1", (at(1), True))
    states = card_states(attempts, at(1, 20), ["a/1"])
    assert review_queue(states, ["a/1"], at(1, 20)) == []
    assert next_due(states, at(1, 20)) == date(2026, 11, 3)
    assert next_due({}, at(1)) is None


def test_questions_no_longer_in_a_bank_are_ignored():
    attempts = answers("gone/q", (at(1), True))
    states = card_states(attempts, at(9), ["a/1"])
    assert [i.key for i in review_queue(states, ["a/1"], at(9))] == ["a/1"]


def test_memory_counts():
    states = [CardState("x"), CardState("y", stability_days=0.3), CardState("z", stability_days=11.0),
              CardState("w", stability_days=44.0), CardState("v", stability_days=10.0)]
    assert memory_counts(states) == {"not seen": 1, "under 3 days": 1, "3–9 days": 0,
                                     "10–29 days": 2, "30+ days": 1}
    assert memory_bucket(2.99) == "under 3 days" and memory_bucket(3.0) == "3–9 days"


@dataclass
class FakeLesson:
    slug: str
    number: int
    title: str


def test_course_progress_counts_and_next_step():
    course = [FakeLesson("a", 1, "A"), FakeLesson("b", 2, "B"), FakeLesson("review", 99, "R")]
    questions = {"a": ["a/1", "a/2"], "b": ["b/1"]}
    attempts = (answers("a/1", (at(1), True), (at(3), True))  # mastered
                + answers("a/2", (at(1), False), (at(1, 19), True)))  # due on the 2nd
    rows = course_progress(course, questions, attempts, at(5))
    assert [(r.slug, r.questions, r.attempted, r.first_try_correct, r.mastered, r.due) for r in rows] == [
        ("a", 2, 2, 1, 1, 1), ("b", 1, 0, 0, 0, 0),
    ]
    step = next_step(rows)
    assert "1 question is due for review" in step.text and "Start lesson 2" in step.text
    assert step.links == (("Review", "99_review.ipynb"), ("Lesson 2", "b.ipynb"))
    assert "Start lesson 1" in next_step(course_progress(course, questions, [], at(5))).text
