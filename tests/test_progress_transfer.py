"""Merge semantics, export/import, reset with backup and undo."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from gutbrain.progress.store import (
    ProgressError, ProgressStore, dumps, empty_store, merge, new_attempt, parse_store_text,
)
from gutbrain.progress.transfer import export_filename, export_text, import_bytes, import_message

# Time-dependent: also run with the machine's clock moved (tests/conftest.py).
pytestmark = pytest.mark.clock

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


def store_with(*attempts, resets=()):
    data = empty_store(T0)
    data["attempts"] = sorted(attempts, key=lambda a: (a["at"], a["id"]))
    data["resets"] = list(resets)
    return data


def attempt(key="00_start_here/q1", minutes=0, correct=True, answer="a"):
    return new_attempt(key, answer, correct, at=T0 + timedelta(minutes=minutes))


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "data")


# ---------------------------------------------------------------- merge
def test_merge_is_a_union_by_attempt_id():
    a, b, c = attempt(minutes=1), attempt(minutes=2), attempt(minutes=3)
    merged = merge(store_with(a, b), store_with(b, c))
    assert [x["id"] for x in merged["attempts"]] == [a["id"], b["id"], c["id"]]


def test_merge_never_overwrites_an_attempt():
    a = attempt()
    forged = dict(a, correct=False, answer="changed")
    assert merge(store_with(a), store_with(forged))["attempts"] == [a]


def test_merge_is_commutative_associative_idempotent():
    x = store_with(attempt(minutes=1), attempt("01_x/q", 2))
    y = store_with(attempt(minutes=3), resets=[{"id": "e" * 32, "scope": "01_x", "at": (T0 + timedelta(minutes=5)).isoformat(), "undone": False}])
    z = store_with(attempt("01_x/q", 9))
    ids = lambda d: ([a["id"] for a in d["attempts"]], d["resets"])  # noqa: E731
    assert ids(merge(x, y)) == ids(merge(y, x))
    assert ids(merge(merge(x, y), z)) == ids(merge(x, merge(y, z)))
    assert ids(merge(x, x)) == ids(merge(x))
    # the reset removed lesson 01_x's attempt made before it, not the one after
    assert [a["key"] for a in merge(x, y, z)["attempts"]] == ["00_start_here/q1", "00_start_here/q1", "01_x/q"]


# ---------------------------------------------------------------- export / import
def test_export_import_round_trip(tmp_path, store):
    for i in range(5):
        store.record("00_start_here/q1", {"b", "a"} if i % 2 else 12.5, i % 2 == 0)
    text = export_text(store)
    assert json.loads(text)["version"] == 2
    other = ProgressStore(tmp_path / "other")
    added, merged = import_bytes(text.encode(), other)
    assert added == 5 and merged["attempts"] == store.load()["attempts"]
    assert import_bytes(text.encode(), other)[0] == 0  # importing twice adds nothing
    assert export_filename(T0) == "gut-feelings-progress-2026-11-01.json"


def test_import_merges_and_keeps_what_is_already_there(tmp_path, store):
    store.record("00_start_here/q1", "mine", True)
    exported = ProgressStore(tmp_path / "elsewhere")
    exported.record("00_start_here/q2", "theirs", False)
    ok, message = import_message(export_text(exported).encode(), "p.json", store)
    assert ok and "1 new answer added; 2 in all" in message
    assert {a["answer"] for a in store.load()["attempts"]} == {"mine", "theirs"}


def test_import_of_a_schema_1_file_is_migrated(store):
    v1 = {"version": 1, "answers": {"00_start_here/q1": [{"answer": "x", "correct": True, "time": "2026-10-01T10:00:00+00:00"}]}}
    assert import_bytes(json.dumps(v1), store)[0] == 1


@pytest.mark.parametrize("content, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    (b"hello", "not valid JSON"),
    (b"[]", "not a JSON object"),
    (b'{"answers": {}}', "not a Gut Feelings progress file"),
    (b'{"format": "gut-feelings-progress", "version": 7, "attempts": [], "resets": []}', "newer version"),
    (b'{"format": "gut-feelings-progress", "version": 2, "attempts": [{"id": "1"}], "resets": []}', "attempts/0"),
    (b'{"format": "gut-feelings-progress", "version": 2, "resets": []}', "attempts"),
    (json.dumps({"format": "gut-feelings-progress", "version": 2, "resets": [], "attempts": [
        {"id": "a" * 32, "key": "00_start_here/q1", "answer": "x", "correct": True, "at": "yesterday"}]}).encode(),
     "attempts/0/at"),
    (json.dumps({"format": "gut-feelings-progress", "version": 2, "resets": [], "attempts": [
        {"id": "a" * 32, "key": "<script>/q", "answer": "x", "correct": True, "at": T0.isoformat()}]}).encode(),
     "attempts/0/key"),
])
def test_a_malformed_import_is_refused_with_a_message(store, content, reason):
    store.record("00_start_here/q1", "keep me", True)
    before = store.path.read_bytes()
    with pytest.raises(ProgressError, match=reason):
        import_bytes(content, store)
    ok, message = import_message(content, "bad.json", store)
    assert not ok and message.startswith("Not imported: bad.json is not a valid Gut Feelings progress file")
    assert "unchanged" in message
    assert store.path.read_bytes() == before


# ---------------------------------------------------------------- reset
def test_reset_one_lesson_keeps_a_backup_and_can_be_undone(store):
    store.record("00_start_here/q1", "a", True)
    store.record("01_serotonin_synthesis/q1", "b", True)
    browser_copy = parse_store_text(store.path.read_bytes())
    backup, reset_id = store.reset("01_serotonin_synthesis")
    assert [a["key"] for a in store.load()["attempts"]] == ["00_start_here/q1"]
    assert len(parse_store_text(backup.read_bytes())["attempts"]) == 2  # the backup is complete
    # the browser's older mirror does not bring the deleted answers back
    assert len(store.merge_in(browser_copy)["attempts"]) == 1
    # answers made after the reset count
    store.record("01_serotonin_synthesis/q1", "again", False)
    assert len(store.load()["attempts"]) == 2
    # undo brings back the old answers, and the mirror no longer deletes them
    store.undo_reset(backup, reset_id)
    assert len(store.load()["attempts"]) == 3
    assert len(store.merge_in(browser_copy)["attempts"]) == 3


def test_reset_all(store):
    store.record("00_start_here/q1", "a", True)
    store.record("01_serotonin_synthesis/q1", "b", True)
    backup, _ = store.reset()
    assert store.load()["attempts"] == [] and backup.name.endswith("-all.json")
    store.undo_reset(backup)  # without the id: undoes every reset made since the backup
    assert len(store.load()["attempts"]) == 2


def test_dumps_round_trips_unicode():
    data = store_with(attempt(answer="5‑HT µM — ß"))
    assert parse_store_text(dumps(data))["attempts"][0]["answer"] == "5‑HT µM — ß"
