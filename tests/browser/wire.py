"""What crosses the network to a page, counted with Chromium's own network events (DevTools protocol).

``WireCounter(page)`` must be made before the page opens JupyterLab: it sees every websocket the
page creates and adds up the payload of each frame received (``Network.webSocketFrameReceived``).
The kernel's websocket is ``…/api/kernels/<id>/channels``: everything a notebook's outputs and
widgets send to the browser crosses it. ``throttle`` emulates a slower link for the same page.
"""
from __future__ import annotations

import base64
import re
import threading

KERNEL_CHANNELS = re.compile(r"/api/kernels/[^/]+/channels")

#: A Binder-like link (issue 19): 20 Mbit/s down, 5 Mbit/s up, 40 ms round trip.
BINDER_LINK = {"offline": False, "latency": 40,
               "downloadThroughput": 20e6 / 8, "uploadThroughput": 5e6 / 8}


def frame_bytes(response: dict) -> int:
    """Payload size of one websocket frame: text frames (opcode 1) as UTF-8, binary ones base64-encoded."""
    data = response.get("payloadData", "")
    if response.get("opcode") == 2:
        return len(base64.b64decode(data)) if data else 0
    return len(data.encode("utf-8"))


class WireCounter:
    """Bytes received per websocket of one page, from the browser's network events."""

    def __init__(self, page):
        self._lock = threading.Lock()
        self.urls: dict[str, str] = {}
        self.received: dict[str, int] = {}
        self.largest: dict[str, int] = {}
        self.session = page.context.new_cdp_session(page)
        self.session.on("Network.webSocketCreated", self._created)
        self.session.on("Network.webSocketFrameReceived", self._frame)
        self.session.send("Network.enable")

    def _created(self, event: dict) -> None:
        with self._lock:
            self.urls[event["requestId"]] = event.get("url", "")

    def _frame(self, event: dict) -> None:
        size = frame_bytes(event.get("response", {}))
        rid = event["requestId"]
        with self._lock:
            self.received[rid] = self.received.get(rid, 0) + size
            self.largest[rid] = max(self.largest.get(rid, 0), size)

    def forget(self) -> None:
        """Start counting afresh (the page's next notebook), forgetting the websockets seen so far."""
        with self._lock:
            self.urls.clear()
            self.received.clear()
            self.largest.clear()

    def _kernel_ids(self) -> list[str]:
        return [rid for rid, url in self.urls.items() if KERNEL_CHANNELS.search(url)]

    def kernel_bytes(self) -> int:
        """Bytes received so far over the page's kernel websocket(s)."""
        with self._lock:
            return sum(self.received.get(rid, 0) for rid in self._kernel_ids())

    def kernel_largest(self) -> int:
        """The largest single frame received over a kernel websocket, in bytes."""
        with self._lock:
            return max((self.largest.get(rid, 0) for rid in self._kernel_ids()), default=0)

    def throttle(self, conditions: dict | None = None) -> None:
        """Emulate a slower network for this page (``BINDER_LINK`` unless told otherwise)."""
        self.session.send("Network.emulateNetworkConditions", conditions or BINDER_LINK)

    def clear_cache(self) -> None:
        """Empty the browser's HTTP cache: the next page load is a first visit's."""
        self.session.send("Network.clearBrowserCache")
