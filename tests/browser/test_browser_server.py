"""The test server: isolated from the repository, token-protected, no news pop-ups."""
from __future__ import annotations

import http.server
import json
import threading
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


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers its first ``failures`` requests with ``code``, then with a JSON list."""
    failures, code, seen = 0, 500, 0

    def do_GET(self):
        type(self).seen += 1
        status = self.code if type(self).seen <= self.failures else 200
        body = b"[]" if status == 200 else b"{}"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("failures, code, answered", [(2, 500, True), (5, 500, False), (1, 404, False)])
def test_api_asks_again_after_a_server_error_only(tmp_path, failures, code, answered):
    """A transient 500 (a kernel listed while it starts) is asked again; a 404 or a lasting 500
    still fails, so a real server error is not hidden."""
    handler = type("Handler", (_Flaky,), {"failures": failures, "code": code, "seen": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        lab_server = lab.LabServer(url=f"http://127.0.0.1:{server.server_port}/", token="t",
                                   root=tmp_path, log_path=tmp_path / "log", process=None)
        if answered:
            assert lab_server.api("api/kernels") == []
        else:
            with pytest.raises(urllib.error.HTTPError) as failed:
                lab_server.api("api/kernels")
            assert failed.value.code == code
            failed.value.close()
        assert handler.seen == (failures + 1 if answered else min(failures, 5))
    finally:
        server.shutdown()
        server.server_close()
