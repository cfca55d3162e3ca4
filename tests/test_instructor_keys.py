"""Fast checks (no kernels): misconception keys, leak detection, static answer reading."""
from __future__ import annotations

from pathlib import Path

import yaml

from gutbrain.instructor import static
from gutbrain.instructor.course import KEYS_DIR, quiz_ids, visible_source
from gutbrain.instructor.feedback import scan_for_leaks, secrets_of
from gutbrain.instructor.report import load_key, load_tags, validate_key

REPO = Path(__file__).resolve().parents[1]


def test_every_key_file_is_valid():
    tags = load_tags()
    keys = sorted(KEYS_DIR.glob("*.yaml"))
    assert keys, "no misconception keys"
    for path in keys:
        key = yaml.safe_load(path.read_text())
        assert key["quiz"] == path.stem
        if key["quiz"] in quiz_ids(REPO / "quizzes"):
            assert validate_key(REPO / "quizzes", key["quiz"], key, tags) == []


def test_quiz00_has_a_key():
    assert load_key("quiz00_orientation") is not None


def test_hidden_block_is_removed_from_visible_source():
    src = "assert x\n### BEGIN HIDDEN TESTS\nassert x == 42, 'no'\n### END HIDDEN TESTS"
    assert visible_source(src) == "assert x"


def test_hidden_test_literals_are_secrets_but_their_messages_are_not():
    secrets = secrets_of(['assert h(x) == "ca978112ca1bbdca", "item 1 is not right"'])
    assert "ca978112ca1bbdca" in secrets and "item 1 is not right" not in secrets
    assert scan_for_leaks("expected ca978112ca1bbdca", secrets)
    assert not scan_for_leaks("item 1 is not right", secrets)


def test_answers_are_read_statically_without_running_them():
    src = 'import os\nos.remove("/nonexistent")\nanswer_item1 = "b"\nanswer_item1 = "c"'
    assert static.last_literal_assignment(src, "answer_item1") == "c"
    assert static.last_literal_assignment("answer_item1 = f()", "answer_item1") is static.MISSING
    assert static.last_literal_assignment('answer_item1 = "a', "answer_item1") is static.MISSING
