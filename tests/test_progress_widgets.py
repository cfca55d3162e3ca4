"""Recording from self-checks (failing soft), the browser sync protocol, the progress figure,
the review session and the export/import/reset controls — all without a browser."""
import json
from datetime import datetime, timezone

import pytest

from gutbrain.figures.progress import course_progress_figure
from gutbrain.figures.style import alt_text
from gutbrain.progress.store import ProgressStore, default_store, empty_store, new_attempt
from gutbrain.progress.summary import LessonProgress
from gutbrain.progress.sync import BrowserSync, ExportButton
from gutbrain.selfcheck import ask

# Time-dependent: also run with the machine's clock moved (tests/conftest.py).
pytestmark = pytest.mark.clock


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def sent_messages(widget):
    sent = []
    widget.send = lambda content, buffers=None: sent.append(content)
    return sent


def test_ask_records_every_graded_attempt(data_dir):
    check = ask("00_start_here", "how-selfchecks-work")
    check.answer("locked")
    check.answer(None)  # invalid input: not an attempt
    check.answer("retry")
    attempts = default_store().load()["attempts"]
    assert [(a["key"], a["answer"], a["correct"], a["source"]) for a in attempts] == [
        ("00_start_here/how-selfchecks-work", "locked", False, "lesson"),
        ("00_start_here/how-selfchecks-work", "retry", True, "lesson"),
    ]
    assert attempts[0]["misconception"] == "selfcheck-mechanics"
    assert "Progress:" not in check.feedback.value


def test_a_store_error_is_a_message_under_the_feedback_not_a_traceback(data_dir, monkeypatch):
    check = ask("00_start_here", "how-selfchecks-work")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ProgressStore, "record", broken)
    feedback = check.answer("retry")
    assert feedback.correct
    assert "✔ Correct." in check.feedback.value  # the learner's answer display is kept
    assert "could not be saved" in check.feedback.value and "No space left" in check.feedback.value


def test_a_corrupt_store_is_reported_in_the_self_check(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "progress.json").write_text("{half a file")
    check = ask("00_start_here", "how-selfchecks-work")
    check.answer("retry")
    assert "was kept as" in check.feedback.value and "fresh progress file" in check.feedback.value
    assert len(default_store().load()["attempts"]) == 1


def test_sync_merges_the_browser_copy_and_sends_the_union_back(data_dir):
    store = default_store()
    store.record("00_start_here/q1", "server", True)
    browser = empty_store()
    browser["attempts"].append(new_attempt("00_start_here/q2", "browser", False))
    sync = BrowserSync()
    sent = sent_messages(sync)
    sync._on_message(sync, {"type": "browser-store", "payload": json.dumps(browser), "problem": ""}, [])
    assert len(store.load()["attempts"]) == 2
    assert sent[-1]["type"] == "store" and not sent[-1]["rejected"]
    assert {a["answer"] for a in json.loads(sent[-1]["payload"])["attempts"]} == {"server", "browser"}
    sync._on_message(sync, {"type": "written", "bytes": 10}, [])
    assert "2 answers" in sync.status and "mirrored in this browser" in sync.status


def test_sync_with_an_empty_browser_sends_the_store(data_dir):
    default_store().record("00_start_here/q1", "server", True)
    sync = BrowserSync()
    sent = sent_messages(sync)
    sync._on_message(sync, {"type": "browser-store", "payload": None, "problem": ""}, [])
    assert len(json.loads(sent[-1]["payload"])["attempts"]) == 1


def test_a_fresh_server_gets_the_progress_back_from_the_browser(tmp_path, monkeypatch):
    """The Binder case without a browser: session 1 records; its mirror is all that survives."""
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(tmp_path / "session1"))
    sync1 = BrowserSync()
    sent1 = sent_messages(sync1)
    sync1.receive_browser_store(None)
    ask("00_start_here", "how-selfchecks-work").answer("retry")  # pushed to the browser at once
    local_storage = sent1[-1]["payload"]
    monkeypatch.setenv("GUTBRAIN_DATA_DIR", str(tmp_path / "session2"))
    sync2 = BrowserSync()
    sent_messages(sync2)
    sync2.receive_browser_store(local_storage)
    assert [a["answer"] for a in default_store().load()["attempts"]] == ["retry"]


def test_a_garbled_browser_copy_is_rejected_not_merged(data_dir):
    sync = BrowserSync()
    sent = sent_messages(sync)
    sync._on_message(sync, {"type": "browser-store", "payload": "{garbage", "problem": ""}, [])
    assert sent[-1]["rejected"] and "not readable" in sync.status
    assert default_store().load()["attempts"] == []


def test_sync_reports_a_browser_without_storage(data_dir):
    sync = BrowserSync()
    sent_messages(sync)
    sync._on_message(sync, {"type": "browser-store", "payload": None, "problem": "SecurityError"}, [])
    assert "Export" in sync.status
    sync._on_message(sync, {"type": "write-failed", "error": "QuotaExceededError"}, [])
    assert "QuotaExceededError" in sync.status


def test_sync_never_raises_into_the_notebook(data_dir, monkeypatch):
    sync = BrowserSync()
    sent_messages(sync)
    monkeypatch.setattr(BrowserSync, "receive_browser_store", lambda *a: 1 / 0)
    sync._on_message(sync, {"type": "browser-store", "payload": None}, [])
    assert "sync failed" in sync.status


def test_export_button_sends_the_store_as_a_download(data_dir):
    default_store().record("00_start_here/q1", "x", True)
    button = ExportButton()
    sent = sent_messages(button)
    button._on_message(button, {"type": "export"}, [])
    assert sent[0]["filename"].startswith("gut-feelings-progress-") and sent[0]["filename"].endswith(".json")
    assert len(json.loads(sent[0]["payload"])["attempts"]) == 1


ROWS = [LessonProgress("00_start_here", 0, "Start here", 2, 2, 1, 0, 1),
        LessonProgress("01_x", 1, "Where serotonin is made", 5, 1, 1, 1, 0)]


def test_progress_figure_has_title_axes_colours_and_alt_text():
    fig = course_progress_figure(ROWS)
    assert fig.layout.title.text == "Your progress by lesson"
    assert "count" in fig.layout.xaxis.title.text and fig.layout.yaxis.title.text == "lesson"
    assert [t.name for t in fig.data] == ["Self-checks in the lesson", "Attempted", "Right first time",
                                          "Mastered (≥ 10 days)"]
    assert list(fig.data[1].x) == [2, 1] and list(fig.data[3].x) == [0, 1]
    assert "lesson 1 (Where serotonin is made): 1 of 5 attempted, 1 right first time, 1 mastered" in alt_text(fig)
    assert "no progress" in alt_text(course_progress_figure([]))


def test_progress_map_redraws_when_an_answer_is_recorded(data_dir):
    from gutbrain.widgets.progress import ProgressMap

    progress = ProgressMap()
    start = next(r for r in progress.rows if r.slug == "00_start_here")
    assert start.attempted == 0 and "Start lesson 0" in progress.next.value
    ask("00_start_here", "how-selfchecks-work").answer("retry")
    start = next(r for r in progress.rows if r.slug == "00_start_here")
    assert start.attempted == 1 and start.first_try_correct == 1
    assert 1 in progress.figure.data[1].x
    assert "Finish lesson 0" in progress.next.value


def test_review_session_draws_from_the_banks_and_records_as_review(data_dir):
    from gutbrain.widgets.progress import ReviewSession

    first = ReviewSession(size=5, max_new=2, now=datetime(2026, 11, 22, 9, tzinfo=timezone.utc))
    assert [i.reason for i in first.queue] == ["new", "new"]
    first.checks[0].answer(first.checks[0].question.options[1]["id"] if first.checks[0].question.options else "1")
    attempts = default_store().load()["attempts"]
    assert attempts[-1]["source"] == "review" and attempts[-1]["key"] == first.queue[0].key
    later = ReviewSession(size=5, max_new=0, now=datetime(2026, 11, 24, 9, tzinfo=timezone.utc))
    assert [(i.key, i.reason) for i in later.queue] == [(first.queue[0].key, "missed" if not attempts[-1]["correct"] else "due")]


def test_review_session_with_nothing_due(data_dir):
    from gutbrain.widgets.progress import ReviewSession

    empty = ReviewSession(size=5, max_new=0, now=datetime(2026, 11, 22, 9, tzinfo=timezone.utc))
    assert empty.queue == [] and "Nothing is due today" in empty.widget.children[0].value


def test_import_control_accepts_good_files_and_refuses_bad_ones(data_dir, tmp_path):
    from gutbrain.widgets.progress import ImportControl

    control = ImportControl()
    assert not control.load(b"{oops", "oops.json")
    assert "Not imported: oops.json" in control.message.value
    other = ProgressStore(tmp_path / "other")
    other.record("00_start_here/q1", "x", True)
    assert control.load(other.path.read_bytes(), "mine.json")
    assert "Imported mine.json: 1 new answer" in control.message.value
    control._on_upload({"new": ({"name": "again.json", "content": memoryview(other.path.read_bytes())},)})
    assert "0 new answers" in control.message.value and control.upload.value == ()


def test_reset_asks_for_confirmation_then_deletes_with_a_backup_and_undo(data_dir):
    from gutbrain.widgets.progress import ResetControl

    store = default_store()
    store.record("00_start_here/q1", "x", True)
    control = ResetControl()
    control.confirm()  # a click without the first step does nothing
    assert len(store.load()["attempts"]) == 1
    control.scope.value = "00_start_here"
    control.reset_button.click()
    assert control.confirm_button.description == "Yes, delete my progress for lesson 0: Start here"
    assert control.confirm_row.layout.display == "flex"
    control.cancel_button.click()
    assert control.confirm_row.layout.display == "none" and len(store.load()["attempts"]) == 1
    control.reset_button.click()
    control.confirm_button.click()
    assert store.load()["attempts"] == []
    assert "A backup is kept at" in control.message.value and control.last_backup.exists()
    control.undo_button.click()
    assert len(store.load()["attempts"]) == 1 and "back" in control.message.value


def test_progress_tools_build(data_dir):
    from gutbrain.widgets.progress import browser_sync, progress_tools

    assert len(progress_tools().children) == 3
    assert isinstance(browser_sync(), BrowserSync)
