"""The progress store: location, atomic writes, concurrent writers, corrupt files, migration."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone

import pytest

from gutbrain.progress import store as store_module
from gutbrain.progress.store import (
    SCHEMA_VERSION, ProgressError, ProgressStore, data_dir, default_store, merge, migrate,
    parse_store_text,
)


T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "data")


def test_data_dir_is_in_the_user_data_dir_and_can_be_overridden(tmp_path, monkeypatch):
    monkeypatch.delenv("GUTBRAIN_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "gut-feelings"
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(tmp_path / "elsewhere"))
    assert data_dir() == tmp_path / "elsewhere"
    assert default_store().path == tmp_path / "elsewhere" / "progress.json"


@pytest.mark.clock
def test_record_and_load(store):
    assert store.load()["attempts"] == [] and not store.path.exists()
    a = store.record("00_start_here/q1", frozenset({"b", "a"}), False, at=T0, misconception="m-x")
    b = store.record("00_start_here/q1", 12.5, True, at=T0 + timedelta(minutes=1))
    data = json.loads(store.path.read_text())
    assert data["version"] == SCHEMA_VERSION and data["format"] == "gut-feelings-progress"
    assert [x["id"] for x in data["attempts"]] == [a["id"], b["id"]]
    assert data["attempts"][0]["answer"] == ["a", "b"] and data["attempts"][0]["misconception"] == "m-x"
    assert data["attempts"][0]["at"] == "2026-11-01T09:00:00.000000+00:00"
    # a second store object (another kernel) reads the same
    assert ProgressStore(store.directory).load()["attempts"] == data["attempts"]
    assert store.notices == []


@pytest.mark.clock
def test_naive_timestamps_are_refused(store):
    with pytest.raises(ValueError, match="timezone"):
        store.record("l/q", "x", True, at=datetime(2026, 1, 1))


WRITER = textwrap.dedent("""
    import sys
    from gutbrain.progress.store import ProgressStore
    store = ProgressStore(sys.argv[1])
    n = int(sys.argv[3])
    for i in range(n):
        store.record(f"00_start_here/q{i % 7}", "x" * 50, i % 2 == 0, source=sys.argv[2])
    print("done", flush=True)
""")


def _writer(directory, tag, n):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(directory), tag, str(n)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_writer_killed_mid_write_never_corrupts_the_store(store):
    store.record("00_start_here/q0", "first", True)
    survived = 1
    for delay in (0.6, 0.9, 1.3):
        proc = _writer(store.directory, "killed", 100_000)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(ProgressStore(store.directory).load()["attempts"]) <= survived:
            time.sleep(0.05)  # wait until it is really writing, then kill it at a random point
        time.sleep(delay % 0.37)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        fresh = ProgressStore(store.directory)
        data = fresh.load()
        assert fresh.notices == [], fresh.notices  # not moved aside: it was never corrupt
        assert len(data["attempts"]) > survived
        survived = len(data["attempts"])
    # the next write cleans up a temporary file the killed writer may have left
    store.record("00_start_here/q0", "after", True)
    assert not list(store.directory.glob(".progress.json.*.tmp"))
    assert len(ProgressStore(store.directory).load()["attempts"]) == survived + 1


def test_two_processes_writing_at_once_lose_nothing(store):
    procs = [_writer(store.directory, tag, 150) for tag in ("kernel-a", "kernel-b")]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    attempts = ProgressStore(store.directory).load()["attempts"]
    assert len(attempts) == 300
    assert len({a["id"] for a in attempts}) == 300
    assert sum(a["source"] == "kernel-a" for a in attempts) == 150


@pytest.mark.parametrize("content", [
    b"{not json", b"\xff\xfe garbage", b"[1, 2, 3]", b'{"format": "something-else", "version": 2}',
    b'{"format": "gut-feelings-progress", "version": 2, "attempts": [{"id": "x"}], "resets": []}',
    b"",
])
def test_a_corrupt_store_is_moved_aside_with_a_message(store, content):
    store.directory.mkdir(parents=True)
    store.path.write_bytes(content)
    data = store.load()
    assert data["attempts"] == []
    aside = list(store.directory.glob("progress.corrupt-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == content  # kept, not deleted
    assert len(store.notices) == 1
    assert "could not be read" in store.notices[0] and str(aside[0]) in store.notices[0]
    store.record("00_start_here/q1", "a", True)  # and a fresh store works
    assert len(ProgressStore(store.directory).load()["attempts"]) == 1


def test_a_store_from_a_newer_course_is_kept_aside_not_lost(store):
    store.directory.mkdir(parents=True)
    store.path.write_text(json.dumps({"format": "gut-feelings-progress", "version": 99}))
    store.load()
    assert "newer version of the course" in store.notices[0]
    assert list(store.directory.glob("progress.corrupt-*.json"))


def test_unreadable_store_is_a_message_not_a_traceback(store, monkeypatch):
    store.record("00_start_here/q1", "a", True)

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(store.path), "read_bytes", refuse)
    fresh = ProgressStore(store.directory)
    assert fresh.load()["attempts"] == []
    assert "Permission denied" in fresh.notices[0]


V1 = {
    "version": 1,
    "answers": {
        "00_start_here/how-selfchecks-work": [
            {"answer": "locked", "correct": False, "time": "2026-10-01T10:00:00+00:00"},
            {"answer": "retry", "correct": True, "time": "2026-10-01T10:00:30+00:00"},
        ],
        "01_serotonin_synthesis/tph-isoforms": [
            {"answer": ["a", "c"], "correct": True, "time": "2026-10-02T08:00:00+02:00"},
        ],
    },
}


@pytest.mark.clock
def test_migration_from_schema_1():
    data = migrate(json.loads(json.dumps(V1)))
    assert data["version"] == SCHEMA_VERSION and data["resets"] == []
    assert [(a["key"].split("/")[0], a["answer"], a["correct"]) for a in data["attempts"]] == [
        ("00_start_here", "locked", False), ("00_start_here", "retry", True),
        ("01_serotonin_synthesis", ["a", "c"], True),
    ]
    assert data["attempts"][2]["at"] == "2026-10-02T06:00:00.000000+00:00"
    # ids are deterministic: two copies of an old file merge without double counting
    again = migrate(json.loads(json.dumps(V1)))
    assert [a["id"] for a in again["attempts"]] == [a["id"] for a in data["attempts"]]
    assert len(merge(data, again)["attempts"]) == 3


@pytest.mark.clock
def test_a_schema_1_store_on_disk_is_migrated_on_load(store):
    store.directory.mkdir(parents=True)
    store.path.write_text(json.dumps(V1))
    assert len(store.load()["attempts"]) == 3 and store.notices == []
    store.record("00_start_here/q2", "x", True)
    assert json.loads(store.path.read_text())["version"] == SCHEMA_VERSION


def test_malformed_schema_1_is_refused():
    with pytest.raises(ProgressError, match="schema 1"):
        migrate({"version": 1, "answers": {"k/q": [{"answer": "x"}]}})


def test_parse_store_text_rejects_oversized_files(monkeypatch):
    monkeypatch.setattr(store_module, "MAX_STORE_BYTES", 100)
    with pytest.raises(ProgressError, match="MB"):
        parse_store_text(b" " * 200)


def test_listeners_hear_changes_and_are_dropped_with_their_owner(store):
    heard = []

    class Owner:
        def on_change(self, changed_store, data):
            heard.append((changed_store.path, len(data["attempts"])))

    owner = Owner()
    store_module.subscribe(owner.on_change)
    store.record("00_start_here/q1", "a", True)
    assert heard == [(store.path, 1)]
    del owner
    store.record("00_start_here/q1", "a", True)
    assert len(heard) == 1
