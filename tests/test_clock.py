"""One clock for the whole course, and what a learner sees when clocks and time zones move.

The scenarios are the ones docs/progress.md describes ("Time, time zones and wrong clocks"):
the machine's clock is really moved with time-machine, so every `datetime.now()` the course
makes, and the local time zone, follow it.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gutbrain import clock
from gutbrain.progress.store import ProgressStore, default_store, parse_time
from gutbrain.progress.transfer import export_filename
from gutbrain.selfcheck import ask

pytestmark = pytest.mark.clock

BERLIN, NEW_YORK, TOKYO = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
KEY = "00_start_here/how-selfchecks-work"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def answer_wrongly_at(moment):
    with time_machine.travel(moment, tick=False):
        ask("00_start_here", "how-selfchecks-work").answer("locked")
    return default_store().load()["attempts"][-1]


def review_at(moment, **kwargs):
    from gutbrain.widgets.progress import ReviewSession

    with time_machine.travel(moment, tick=False):
        return ReviewSession(size=5, max_new=0, **kwargs)


def test_the_clock_helpers():
    moment = datetime(2030, 1, 2, 3, tzinfo=timezone.utc)
    assert clock.fixed(moment)() == moment
    assert clock.resolve(now=moment)() == moment
    assert clock.resolve() is clock.system_now
    assert clock.system_now().tzinfo is not None
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.fixed(datetime(2030, 1, 2))
    with pytest.raises(ValueError, match="not both"):
        clock.resolve(clock.system_now, moment)


def test_a_store_and_a_self_check_stamp_with_their_own_clock(tmp_path):
    moment = datetime(2040, 5, 6, 7, 8, tzinfo=TOKYO)
    store = ProgressStore(tmp_path, clock=clock.fixed(moment))
    assert parse_time(store.record("l/q", "x", True)["at"]) == moment
    backup, _ = store.reset()
    assert "20400505T220800" in backup.name  # the stamp is UTC
    check = ask("00_start_here", "how-selfchecks-work")
    check.clock = clock.fixed(moment)
    check.answer("retry")
    assert check.attempts[-1]["at"] == moment.isoformat()


def test_an_answer_inside_a_review_session_carries_the_sessions_time(data_dir):
    """The bug of issue 15: a session 'as of' a day recorded the wall clock's time."""
    from gutbrain.widgets.progress import ReviewSession

    as_of = datetime(2020, 2, 29, 9, tzinfo=timezone.utc)  # long before the real clock
    session = ReviewSession(size=3, max_new=1, now=as_of)
    session.checks[0].answer("locked")
    assert parse_time(default_store().load()["attempts"][-1]["at"]) == as_of
    later = ReviewSession(size=3, max_new=0, now=as_of + timedelta(days=1))
    assert [(i.key, i.reason) for i in later.queue] == [(KEY, "missed")]


def test_late_evening_answer_is_due_next_morning_in_another_time_zone(data_dir):
    """Answered at 23:30 in Berlin; the review is opened at 07:00 the next morning in New York.
    Days count where the learner reviews: the answer was on the 10th there too, so it is due."""
    attempt = answer_wrongly_at(datetime(2027, 5, 10, 23, 30, tzinfo=BERLIN))
    assert attempt["at"].startswith("2027-05-10T21:30")  # stored in UTC
    session = review_at(datetime(2027, 5, 11, 7, 0, tzinfo=NEW_YORK))
    assert [(i.key, i.reason) for i in session.queue] == [(KEY, "missed")]


def test_flying_east_overnight_can_make_a_card_wait_a_day_and_the_session_says_when(data_dir):
    """Answered at 23:00 in New York on the 10th, which is already noon on the 11th in Tokyo.
    Reviewing in Tokyo the next morning (the 11th there), the answer counts as the 11th's, so the
    card is due on the 12th: the session says so instead of showing nothing."""
    answer_wrongly_at(datetime(2027, 5, 10, 23, 0, tzinfo=NEW_YORK))
    session = review_at(datetime(2027, 5, 11, 8, 0, tzinfo=TOKYO))
    assert session.queue == []
    assert "Wednesday 12 May 2027" in session.widget.children[0].value
    assert [(i.key, i.reason) for i in review_at(datetime(2027, 5, 12, 8, 0, tzinfo=TOKYO)).queue] == [
        (KEY, "missed")]


def test_answers_across_a_daylight_saving_change(data_dir):
    """Berlin's clocks go back at 03:00 on 2026-10-25: an answer at 02:30 (the first time)
    is due the next day, and one box later two days later, as on any other night."""
    answer_wrongly_at(datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN))
    assert review_at(datetime(2026, 10, 25, 22, 0, tzinfo=BERLIN)).queue == []
    due = review_at(datetime(2026, 10, 26, 6, 0, tzinfo=BERLIN))
    assert [(i.key, i.reason) for i in due.queue] == [(KEY, "missed")]


def test_a_device_clock_a_day_ahead_loses_nothing(data_dir):
    """A laptop whose clock runs a day ahead stamps answers 'tomorrow'. Back on a correct clock
    (or merged into a Binder session) the answer still counts: while its stamp lies in the
    future it counts as made today; once the real date reaches the stamp it counts on the
    stamped day, so the card comes back one day later than it would have."""
    real = datetime(2027, 9, 1, 12, 0, tzinfo=BERLIN)
    answer_wrongly_at(real + timedelta(days=1))
    today = review_at(real)
    assert today.queue == [] and "Thursday 02 September 2027" in today.widget.children[0].value
    assert review_at(real + timedelta(days=1, hours=1)).queue == []
    due = review_at(real + timedelta(days=2))
    assert [(i.key, i.reason) for i in due.queue] == [(KEY, "missed")]


def test_a_device_clock_a_day_behind_asks_again_a_day_early(data_dir):
    real = datetime(2027, 9, 1, 12, 0, tzinfo=BERLIN)
    answer_wrongly_at(real - timedelta(days=1))
    assert [(i.key, i.reason) for i in review_at(real).queue] == [(KEY, "missed")]


def test_the_course_map_and_the_export_name_use_the_learners_local_day(data_dir):
    from gutbrain.widgets.progress import ProgressMap

    with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=TOKYO), tick=False):
        assert export_filename() == "gut-feelings-progress-2027-01-01.json"  # UTC is still 2026
        ask("00_start_here", "how-selfchecks-work").answer("retry")
        progress = ProgressMap()
        assert progress.now().date().isoformat() == "2027-01-01"
        start = next(r for r in progress.rows if r.slug == "00_start_here")
        assert start.attempted == 1
