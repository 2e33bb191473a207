"""A raw push channel of the service, read as an attacker (or a test) would: urllib, no client
library, the text kept as it arrives."""

from __future__ import annotations

import threading
import time
import urllib.request

from hubserver import Hub


class Stream:
    """A raw push channel read in a background thread: ``text`` grows as events arrive."""

    def __init__(
        self,
        hub: Hub,
        token: str,
        since: int = 0,
        wire: bool = False,
        thread: str = "leak",
        query: str = "",
    ) -> None:
        url = f"{hub.service_url}api/threads/{thread}/stream?since={since}" + ("&wire=1" * wire)
        url += query
        req = urllib.request.Request(url)
        req.add_header("Authorization", f"token {token}")
        self.response = urllib.request.urlopen(req, timeout=60)
        self.lines: list[str] = []
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                self.lines.append(raw.decode())
        except (OSError, ValueError, AttributeError):
            pass  # closed by close() (http.client drops its file object then)
        finally:
            self.ended.set()

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, needle: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while needle not in self.text:
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never came: {self.text[-2000:]}")
            time.sleep(0.1)
        return self.text

    def close(self) -> None:
        self.response.close()
