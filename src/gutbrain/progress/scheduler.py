"""Spaced review on FSRS, the scheduler behind Anki's default. Pure functions; every one
takes an explicit, timezone-aware ``now``.

The schedule (documented in docs/progress.md and shown in lessons/99_review.ipynb):

- The store keeps every answer (its format did not change when the course moved from Leitner
  boxes to FSRS). A question's state is **replayed** from its answers in time order through
  ``fsrs`` each time it is needed: a right answer is rated *Good*, a wrong one *Again*.
  Nothing random is involved (no fuzz), answers are fed to FSRS in UTC, and the same answers
  always give the same schedule.
- FSRS keeps two numbers per question: **stability** (how many days until the chance that
  you still remember it falls to 90%) and **difficulty** (1–10). A right answer raises
  stability, more when it comes after a longer gap; a wrong answer cuts it to about a day.
  The next review is due when the chance of remembering falls to ``DESIRED_RETENTION``.
- Days are calendar days in the time zone of ``now``: a question due in one day that was
  answered yesterday evening is due this morning. An attempt stamped later than ``now`` (a
  clock that was wrong, or an answer merged from a device whose clock ran ahead) counts as
  made at ``now``.
- **Mastered** means a stability of ``MASTERED_STABILITY_DAYS`` or more: answered right, then
  remembered again after the first gap of two days.

The review queue (``review_queue``) puts first the due questions whose last answer was
wrong, then the other due questions, least likely to be remembered first, then a few new
questions in course order to fill the session.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Mapping, Sequence

from fsrs import Card, Rating, Scheduler

from gutbrain.clock import require_aware
from gutbrain.progress.store import parse_time

DESIRED_RETENTION = 0.9
MAXIMUM_INTERVAL_DAYS = 365
MASTERED_STABILITY_DAYS = 10.0
#: Buckets of stability for the review's table: (label, lowest stability in days).
MEMORY_BUCKETS = (("under 3 days", 0.0), ("3–9 days", 3.0), ("10–29 days", 10.0), ("30+ days", 30.0))

# No learning steps: a self-check is not a flashcard drilled minutes apart, so every answer
# schedules in whole days. No fuzz: the schedule must replay identically from the answers.
SCHEDULER = Scheduler(desired_retention=DESIRED_RETENTION, learning_steps=(), relearning_steps=(),
                      maximum_interval=MAXIMUM_INTERVAL_DAYS, enable_fuzzing=False)
_DAY = timedelta(days=1)


def _check_now(now: datetime) -> None:
    require_aware(now)


@dataclass(frozen=True)
class CardState:
    """Where one question stands for the learner."""

    key: str
    stability_days: float | None = None  # None: never answered
    difficulty: float | None = None
    due: date | None = None  # None: never answered
    attempts: int = 0
    misses: int = 0
    first_try_correct: bool = False
    last_correct: bool | None = None
    last_at: datetime | None = None
    card: Card | None = field(default=None, compare=False, repr=False)

    @property
    def lesson(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def seen(self) -> bool:
        return self.attempts > 0

    @property
    def mastered(self) -> bool:
        return self.stability_days is not None and self.stability_days >= MASTERED_STABILITY_DAYS

    def is_due(self, now: datetime) -> bool:
        _check_now(now)
        return self.due is not None and now.date() >= self.due

    def days_overdue(self, now: datetime) -> int:
        return (now.date() - self.due).days if self.due is not None else 0

    def recall_probability(self, now: datetime) -> float | None:
        """FSRS's estimate that the learner still remembers the answer at ``now`` (None: unseen)."""
        _check_now(now)
        if self.card is None:
            return None
        return SCHEDULER.get_card_retrievability(self.card, max(now.astimezone(timezone.utc), self.card.last_review))


def card_state(key: str, attempts: Iterable[Mapping], now: datetime) -> CardState:
    """Replay one question's attempts (any order) through FSRS; due days in ``now``'s tz."""
    _check_now(now)
    tz = now.tzinfo
    timeline = sorted(((parse_time(a["at"]), a) for a in attempts), key=lambda t: (t[0], t[1]["id"]))
    card, due, misses = None, None, 0
    first = None
    last_at, last_correct, last_review = None, None, None
    for moment, attempt in timeline:
        # An attempt stamped after ``now`` (a device whose clock ran ahead, or a store merged
        # from one) counts as made now: it must neither vanish nor push its card into the future.
        # FSRS also needs reviews in time order, which clamping keeps.
        review = max(min(moment, now), last_review or min(moment, now)).astimezone(timezone.utc)
        correct = bool(attempt["correct"])
        if first is None:
            first = correct
        card, _ = SCHEDULER.review_card(card or Card(card_id=0), Rating.Good if correct else Rating.Again, review)
        interval_days = max(1, round((card.due - review) / _DAY))
        due = review.astimezone(tz).date() + timedelta(days=interval_days)
        misses += not correct
        last_at, last_correct, last_review = moment, correct, review
    return CardState(key=key, stability_days=card.stability if card else None,
                     difficulty=card.difficulty if card else None, due=due, attempts=len(timeline),
                     misses=misses, first_try_correct=bool(first), last_correct=last_correct,
                     last_at=last_at, card=card)


def card_states(attempts: Iterable[Mapping], now: datetime,
                keys: Iterable[str] = ()) -> dict[str, CardState]:
    """State of every question that has attempts, plus the (unseen) ``keys`` given."""
    by_key: dict[str, list[Mapping]] = {k: [] for k in keys}
    for attempt in attempts:
        by_key.setdefault(attempt["key"], []).append(attempt)
    return {key: card_state(key, items, now) for key, items in by_key.items()}


@dataclass(frozen=True)
class ReviewItem:
    key: str
    reason: str  # "missed" | "due" | "new"
    stability_days: float | None


def review_queue(states: Mapping[str, CardState], course_keys: Sequence[str], now: datetime,
                 size: int = 10, max_new: int = 3) -> list[ReviewItem]:
    """The questions to review now, most important first (see module docstring).

    ``course_keys`` lists every question of the course in course order; states for keys not
    in it (a question since removed from its bank) are ignored."""
    _check_now(now)
    order = {key: i for i, key in enumerate(course_keys)}
    known = [states.get(key) or CardState(key) for key in course_keys]
    due = [s for s in known if s.seen and s.is_due(now)]
    due.sort(key=lambda s: (s.last_correct is not False, s.recall_probability(now), -s.days_overdue(now),
                            -s.misses, order[s.key]))
    items = [ReviewItem(s.key, "missed" if s.last_correct is False else "due", s.stability_days)
             for s in due][:size]
    room = min(max_new, size - len(items))
    if room > 0:
        items += [ReviewItem(s.key, "new", None) for s in known if not s.seen][:room]
    return items


def next_due(states: Mapping[str, CardState], now: datetime) -> date | None:
    """The earliest day on which a seen question is (or was) due; None if nothing is seen."""
    _check_now(now)
    days = [s.due for s in states.values() if s.due is not None]
    return min(days) if days else None


def memory_bucket(stability_days: float | None) -> str:
    """The review table's column for a question: "not seen" or a range of stability."""
    if stability_days is None:
        return "not seen"
    return [label for label, lowest in MEMORY_BUCKETS if stability_days >= lowest][-1]


def memory_counts(states: Iterable[CardState]) -> dict[str, int]:
    """How many questions fall in each column of the review's table, in display order."""
    counts = {"not seen": 0, **{label: 0 for label, _ in MEMORY_BUCKETS}}
    for s in states:
        counts[memory_bucket(s.stability_days)] += 1
    return counts
