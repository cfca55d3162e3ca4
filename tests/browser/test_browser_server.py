"""The test server: isolated from the repository, token-protected, no news pop-ups."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

import labdriver as lab

pytestmark = pytest.mark.browser


def test_server_serves_a_copy_not_the_repository(lab_server):
    assert lab_server.root.resolve() != lab.REPO.resolve()
    assert lab.REPO.resolve() not in lab_server.root.resolve().parents
    listing = {item["name"] for item in lab_server.api("api/contents/")["content"]}
    assert {"lessons", "quizzes", "nbgrader_config.py"} <= listing
    released = {item["name"] for item in lab_server.api("api/contents/quizzes/release")["content"]}
    assert set(lab.QUIZ_IDS) <= released, "the quizzes' student versions were not built in the copy"


def test_server_needs_the_token(lab_server):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{lab_server.url}api/contents/", timeout=10).close()
    assert refused.value.code == 403
    refused.value.close()


def test_news_and_update_checks_are_off(lab_server):
    settings = lab_server.api("lab/api/settings/@jupyterlab/apputils-extension:notification")
    values = settings.get("settings") or json.loads(settings.get("raw") or "{}")
    assert values.get("checkForUpdates") is False
    assert values.get("fetchNews") == "false"
