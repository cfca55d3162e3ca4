"""Upgrading from the Leitner scheduler to FSRS loses nothing: a progress file written by the
course before the change (tests/data/progress-v2-leitner-era.json, made with that version's
ProgressStore) loads unchanged, every answer counts, and the schedule is FSRS's replay of it."""
import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating

from gutbrain.progress.scheduler import SCHEDULER, card_states
from gutbrain.progress.store import SCHEMA_VERSION, ProgressStore, parse_time

pytestmark = pytest.mark.clock

OLD_FILE = Path(__file__).parent / "data" / "progress-v2-leitner-era.json"


@pytest.fixture
def old_store(tmp_path):
    shutil.copy(OLD_FILE, tmp_path / "progress.json")
    return ProgressStore(tmp_path)


def _last_answer(attempts) -> datetime:
    return max(parse_time(a["at"]) for a in attempts)


def test_an_old_progress_file_loads_with_every_answer(old_store):
    written = json.loads(OLD_FILE.read_text())
    data = old_store.load()
    assert old_store.notices == [] and data["version"] == written["version"] == SCHEMA_VERSION
    assert [a["id"] for a in data["attempts"]] == [a["id"] for a in written["attempts"]]
    assert data["attempts"] == written["attempts"]


def test_its_schedule_is_fsrs_replayed_from_those_answers(old_store):
    attempts = old_store.load()["attempts"]
    now = _last_answer(attempts) + timedelta(days=1)
    states = card_states(attempts, now)
    assert len(states) == 5 and sum(s.attempts for s in states.values()) == len(attempts) == 12
    for key, state in states.items():
        card = Card(card_id=0)
        for a in sorted((a for a in attempts if a["key"] == key), key=lambda a: (a["at"], a["id"])):
            card, _ = SCHEDULER.review_card(card, Rating.Good if a["correct"] else Rating.Again,
                                            parse_time(a["at"]).astimezone(timezone.utc))
        assert state.stability_days == pytest.approx(card.stability), key
    # Leitner counted both of these mastered (box >= 3); FSRS weighs pathway-order's first miss
    # and short gaps, and wants it once more. The answers are the same; only the judgement moved.
    mastered = {k for k, s in states.items() if s.mastered}
    assert mastered == {"01_serotonin_synthesis/tph-isoforms"}
    assert states["01_serotonin_synthesis/pathway-order"].stability_days > 3


def test_answering_after_the_upgrade_keeps_the_old_answers(old_store):
    before = old_store.load()["attempts"]
    old_store.record("01_serotonin_synthesis/km-tph1", "x", True, at=_last_answer(before) + timedelta(days=2))
    on_disk = json.loads((old_store.path).read_text())
    assert on_disk["version"] == SCHEMA_VERSION
    assert [a["id"] for a in on_disk["attempts"][:len(before)]] == [a["id"] for a in before]
    assert len(on_disk["attempts"]) == len(before) + 1
