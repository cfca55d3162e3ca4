"""Mirror the progress store in the browser's localStorage, and download it as a file.

Binder deletes the server's disk when a session ends, but the browser keeps localStorage
for the site. ``BrowserSync`` is a tiny anywidget: when it is rendered, its JavaScript reads
``localStorage["gut-feelings-progress"]`` and sends it to Python; Python merges it into the
store (union by attempt id, nothing overwritten) and sends the merged store back; the
JavaScript writes that to localStorage. After that, every change this kernel makes to the
store (an answer, an import, a reset) is pushed to the browser at once.

If localStorage changed under it (another tab of the course, on another server), the
JavaScript sends the new value to be merged first instead of overwriting it. A value that
is not a valid progress store is kept under ``<key>.rejected-<ms>`` before it is replaced.
"""
from __future__ import annotations

import logging
from typing import Any

import anywidget
import traitlets

from gutbrain.progress.store import (
    ProgressError, ProgressStore, default_store, dumps, parse_store_text, subscribe,
)
from gutbrain.progress.transfer import export_filename, export_text

log = logging.getLogger("gutbrain.progress")

STORAGE_KEY = "gut-feelings-progress"

_SYNC_ESM = r"""
function lastKnown() {
  globalThis.__gutbrainProgress = globalThis.__gutbrainProgress || {};
  return globalThis.__gutbrainProgress;
}
// Once per model, however many self-checks show it: one exchange of the store per page, not
// one per view (a returning learner's store times twenty self-checks is megabytes on Binder).
function initialize({ model }) {
  const key = model.get("storage_key");
  const known = lastKnown();
  let current = null, problem = "";
  try { current = window.localStorage.getItem(key); }
  catch (err) { problem = String(err); }
  known[key] = current;

  const onMessage = (msg) => {
    if (!msg || msg.type !== "store") return;
    let now = null;
    try { now = window.localStorage.getItem(key); }
    catch (err) { model.send({ type: "write-failed", error: String(err) }); return; }
    if (now === msg.payload) {  // already mirrored
      known[key] = now;
      model.send({ type: "written", bytes: now.length });
      return;
    }
    if (now !== null && now !== known[key] && !msg.rejected) {
      known[key] = now;  // written elsewhere since we last looked: merge it first
      model.send({ type: "browser-store", payload: now, problem: "" });
      return;
    }
    try {
      if (msg.rejected && now !== null) {
        window.localStorage.setItem(key + ".rejected-" + Date.now(), now);
      }
      window.localStorage.setItem(key, msg.payload);
      known[key] = msg.payload;
      model.send({ type: "written", bytes: msg.payload.length });
    } catch (err) {
      model.send({ type: "write-failed", error: String(err) });
    }
  };
  model.on("msg:custom", onMessage);
  model.send({ type: "browser-store", payload: current, problem });
  return () => model.off("msg:custom", onMessage);
}
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "gutbrain-sync";
  box.style.cssText = "font-size:var(--jp-content-font-size1,14px);line-height:1.5";
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  const show = () => {
    box.textContent = model.get("status");
    box.style.display = model.get("compact") ? "none" : "";
  };
  show();
  model.on("change:status", show);
  model.on("change:compact", show);
  el.appendChild(box);
  return () => {
    model.off("change:status", show);
    model.off("change:compact", show);
  };
}
export default { initialize, render };
"""

_EXPORT_ESM = r"""
function render({ model, el }) {
  const button = document.createElement("button");
  button.className = "jupyter-button mod-primary gutbrain-export";
  button.textContent = model.get("label");
  button.title = "Download all your self-check answers as a JSON file";
  button.addEventListener("click", () => model.send({ type: "export" }));
  const onMessage = (msg) => {
    if (!msg || msg.type !== "download") return;
    const blob = new Blob([msg.payload], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url; a.download = msg.filename; a.style.display = "none";
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };
  model.on("msg:custom", onMessage);
  el.appendChild(button);
  return () => model.off("msg:custom", onMessage);
}
export default { render };
"""


class BrowserSync(anywidget.AnyWidget):
    """Keeps the store and the browser's localStorage mirror merged (see module docstring).

    ``compact=True`` hides the status line (used inside every self-check)."""

    _esm = _SYNC_ESM
    storage_key = traitlets.Unicode(STORAGE_KEY).tag(sync=True)
    status = traitlets.Unicode("Looking for progress saved in this browser…").tag(sync=True)
    compact = traitlets.Bool(False).tag(sync=True)

    def __init__(self, store: ProgressStore | None = None, **kwargs):
        super().__init__(**kwargs)
        self._store = store
        self._last_sent: str | None = None
        self.on_msg(self._on_message)
        subscribe(self._on_store_change)

    @property
    def store(self) -> ProgressStore:
        return self._store or default_store()

    # Python side of the protocol; public so that tests can drive it without a browser.
    def receive_browser_store(self, payload: str | None, problem: str = "") -> dict[str, Any]:
        """Merge the browser's copy into the store, send the merged store back; returns it."""
        rejected = ""
        if problem:
            self.status = ("This browser does not let the course keep a copy of your progress "
                           f"({problem[:120]}). It is saved on the server; use Export to keep it.")
        if payload:
            try:
                incoming = parse_store_text(payload)
            except ProgressError as err:
                rejected = str(err)
                incoming = None
                log.warning("browser copy of progress ignored: %s", err)
        else:
            incoming = None
        try:
            merged = self.store.merge_in(incoming) if incoming else self.store.load()
        except OSError as err:
            merged = incoming or self.store.load()
            self.status = f"Your progress could not be saved on the server ({err}); the browser keeps it."
        self._send_store(merged, rejected=rejected, force=True)
        if rejected:
            self.status = ("The copy of your progress in this browser was not readable "
                           f"({rejected[:120]}); it was kept aside in the browser and replaced.")
        return merged

    def _send_store(self, data: dict[str, Any], rejected: str = "", force: bool = False) -> None:
        payload = dumps(data)
        if not force and payload == self._last_sent:
            return
        self._last_sent = payload
        self.send({"type": "store", "payload": payload, "rejected": rejected})

    def _on_store_change(self, store: ProgressStore, data: dict[str, Any]) -> None:
        if self.comm is not None and store.path == self.store.path:
            self._send_store(data)

    def _on_message(self, _widget, content: Any, _buffers) -> None:
        try:
            if not isinstance(content, dict):
                return
            kind = content.get("type")
            if kind == "browser-store":
                payload = content.get("payload")
                self.receive_browser_store(payload if isinstance(payload, str) else None,
                                           str(content.get("problem") or ""))
            elif kind == "written":
                n = len(self.store.load()["attempts"])
                self.status = (f"✓ Your progress ({n} answer{'s' if n != 1 else ''}) is saved and "
                               "mirrored in this browser: it comes back by itself in a new session.")
            elif kind == "write-failed":
                self.status = ("This browser refused to keep a copy of your progress "
                               f"({str(content.get('error'))[:120]}). Use Export to keep it.")
        except Exception as err:  # never a traceback in the learner's notebook
            log.exception("progress sync failed")
            self.status = f"Progress sync failed ({type(err).__name__}: {err}). Use Export to keep your progress."


class ExportButton(anywidget.AnyWidget):
    """A button that downloads the progress store as ``gut-feelings-progress-<date>.json``."""

    _esm = _EXPORT_ESM
    label = traitlets.Unicode("Export my progress (JSON file)").tag(sync=True)

    def __init__(self, store: ProgressStore | None = None, **kwargs):
        super().__init__(**kwargs)
        self._store = store
        self.on_msg(self._on_message)

    def download_message(self) -> dict[str, str]:
        store = self._store or default_store()
        return {"type": "download", "filename": export_filename(store.clock()), "payload": export_text(store)}

    def _on_message(self, _widget, content: Any, _buffers) -> None:
        if isinstance(content, dict) and content.get("type") == "export":
            try:
                self.send(self.download_message())
            except Exception:
                log.exception("progress export failed")


_shared: BrowserSync | None = None


def shared_sync() -> BrowserSync:
    """One hidden sync widget per kernel, shown inside every self-check."""
    global _shared
    if _shared is None:
        _shared = BrowserSync(compact=True)
    return _shared
