"""The course's one clock.

Everything that stamps or compares time (the progress store, self-checks, the review
session, the course map) takes a ``clock``: a function of no arguments that returns the
current time as a timezone-aware ``datetime``. The default is the machine's clock in its local
time zone; tests and a review session opened "as of" a moment pass ``fixed(moment)``, so an
answer recorded inside that session carries the session's time, not the wall clock's.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

Clock = Callable[[], datetime]


def system_now() -> datetime:
    """Now, in the machine's local time zone (days are counted where the learner is)."""
    return datetime.now().astimezone()


def require_aware(moment: datetime, what: str = "now") -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, e.g. datetime.now().astimezone(); "
                         f"got {moment!r}")
    return moment


def fixed(moment: datetime) -> Clock:
    """A clock that always says ``moment`` (timezone-aware)."""
    require_aware(moment)
    return lambda: moment


def resolve(clock: Clock | None = None, now: datetime | None = None) -> Clock:
    """The clock to use: ``clock`` if given, else one fixed at ``now``, else the system's."""
    if clock is not None and now is not None:
        raise ValueError("give either clock or now, not both")
    if now is not None:
        return fixed(now)
    return clock or system_now
