"""Spaced repetition by Leitner boxes. Pure functions; every one takes an explicit ``now``.

The schedule (documented in docs/progress.md and shown in lessons/99_review.ipynb):

- A question starts in box 0 (never answered). Every graded answer moves it:
  **correct → next box** (up to box 5), **wrong → box 1**.
- A question in box *b* is **due** ``BOX_INTERVALS_DAYS[b-1]`` calendar days after the day
  it last moved: 1, 2, 4, 8, 16 days for boxes 1–5. Days are counted in the timezone of
  ``now``, so a question answered yesterday evening is due this morning.
- A correct answer only promotes a question that was due (or new). Answering again before
  it is due (e.g. retrying straight after a wrong answer) keeps it where it is: cramming
  does not count, spacing does.
- An attempt stamped later than ``now`` (a clock that was wrong, or an answer merged from a
  device whose clock ran ahead) counts as made on ``now``'s day.
- **Mastered** means box ≥ ``MASTERED_BOX`` (3): answered right, then remembered again
  after one day and after two more days.

The review queue (``review_queue``) puts first the due questions whose last answer was
wrong, then the other due questions from the lowest box up (most overdue first, more misses
first), then a few new questions in course order to fill the session.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping, Sequence

from gutbrain.clock import require_aware
from gutbrain.progress.store import parse_time

BOX_INTERVALS_DAYS = (1, 2, 4, 8, 16)
MAX_BOX = len(BOX_INTERVALS_DAYS)
MASTERED_BOX = 3


def _check_now(now: datetime) -> None:
    require_aware(now)


def interval_days(box: int) -> int:
    """Days until a question in ``box`` (1..MAX_BOX) is due again."""
    if not 1 <= box <= MAX_BOX:
        raise ValueError(f"box must be 1..{MAX_BOX}, got {box}")
    return BOX_INTERVALS_DAYS[box - 1]


@dataclass(frozen=True)
class CardState:
    """Where one question stands for the learner."""

    key: str
    box: int = 0
    due: date | None = None  # None: never answered
    attempts: int = 0
    misses: int = 0
    first_try_correct: bool = False
    last_correct: bool | None = None
    last_at: datetime | None = None

    @property
    def lesson(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def seen(self) -> bool:
        return self.attempts > 0

    @property
    def mastered(self) -> bool:
        return self.box >= MASTERED_BOX

    def is_due(self, now: datetime) -> bool:
        _check_now(now)
        return self.due is not None and now.date() >= self.due

    def days_overdue(self, now: datetime) -> int:
        return (now.date() - self.due).days if self.due is not None else 0


def card_state(key: str, attempts: Iterable[Mapping], now: datetime) -> CardState:
    """Replay one question's attempts (any order) into its Leitner state, days in ``now``'s tz."""
    _check_now(now)
    tz = now.tzinfo
    timeline = sorted(((parse_time(a["at"]), a) for a in attempts), key=lambda t: (t[0], t[1]["id"]))
    box, due, misses = 0, None, 0
    first = None
    last_at, last_correct = None, None
    for moment, attempt in timeline:
        # An attempt stamped after ``now`` (a device whose clock ran ahead, or a store merged
        # from one) counts as made now: it must neither vanish nor push its card into the future.
        day = min(moment, now).astimezone(tz).date()
        if first is None:
            first = bool(attempt["correct"])
        if attempt["correct"]:
            if box == 0 or day >= due:
                box = min(box + 1, MAX_BOX)
                due = day + timedelta(days=interval_days(box))
        else:
            misses += 1
            box = 1
            due = day + timedelta(days=interval_days(1))
        last_at, last_correct = moment, bool(attempt["correct"])
    return CardState(key=key, box=box, due=due, attempts=len(timeline), misses=misses,
                     first_try_correct=bool(first), last_correct=last_correct, last_at=last_at)


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
    box: int


def review_queue(states: Mapping[str, CardState], course_keys: Sequence[str], now: datetime,
                 size: int = 10, max_new: int = 3) -> list[ReviewItem]:
    """The questions to review now, most important first (see module docstring).

    ``course_keys`` lists every question of the course in course order; states for keys not
    in it (a question since removed from its bank) are ignored."""
    _check_now(now)
    order = {key: i for i, key in enumerate(course_keys)}
    known = [states.get(key) or CardState(key) for key in course_keys]
    due = [s for s in known if s.seen and s.is_due(now)]
    due.sort(key=lambda s: (s.last_correct is not False, s.box, -s.days_overdue(now),
                            -s.misses, order[s.key]))
    items = [ReviewItem(s.key, "missed" if s.last_correct is False else "due", s.box) for s in due]
    items = items[:size]
    room = min(max_new, size - len(items))
    if room > 0:
        new = [s for s in known if not s.seen][:room]
        items += [ReviewItem(s.key, "new", 0) for s in new]
    return items


def next_due(states: Mapping[str, CardState], now: datetime) -> date | None:
    """The earliest day on which a seen question is (or was) due; None if nothing is seen."""
    _check_now(now)
    days = [s.due for s in states.values() if s.due is not None]
    return min(days) if days else None


def box_counts(states: Iterable[CardState]) -> list[int]:
    """How many questions are in each box 0..MAX_BOX."""
    counts = [0] * (MAX_BOX + 1)
    for s in states:
        counts[s.box] += 1
    return counts
