"""Real kernels in the users' single-user servers, driven over the Jupyter websocket protocol
(what JupyterLab does): started with ``POST /user/<name>/api/kernels``, code run with
``execute_request`` on ``/api/kernels/<id>/channels``. Their environment is the one the hub gave
the server (``JUPYTERHUB_API_TOKEN``, ``JUPYTERHUB_USER``, ``THREADWIDGET_SERVICE_URL``).
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone
from typing import Any

import websocket
from hubserver import Hub, request


class KernelError(RuntimeError):
    """Code raised in the kernel: the exception name, value and traceback."""


class Kernel:
    """One kernel of ``user``'s server, reached with ``token`` (one with access to it)."""

    def __init__(self, hub: Hub, user: str, token: str) -> None:
        self.user = user
        base = f"{hub.public}user/{user}/api/kernels"
        status, data = request(base, "POST", {"name": "python3"}, token=token)
        if status != 201:
            raise KernelError(f"could not start a kernel for {user}: {status} {data}")
        self.id = data["id"]
        self.session = uuid.uuid4().hex
        url = base.replace("http://", "ws://") + f"/{self.id}/channels?session_id={self.session}"
        self.ws = websocket.create_connection(
            url, header=[f"Authorization: token {token}"], timeout=120
        )

    def run(self, code: str, timeout: float = 60.0) -> str:
        """Execute ``code``; its stdout (``KernelError`` if it raised)."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "username": self.user,
            "session": self.session,
            "msg_type": "execute_request",
            "version": "5.3",
            "date": datetime.now(timezone.utc).isoformat(),
        }
        content = {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
        self.ws.send(json.dumps({**message, "channel": "shell", "buffers": []}))
        out: list[str] = []
        error: dict[str, Any] | None = None
        replied = idle = False
        deadline = time.monotonic() + timeout
        while not (replied and idle):
            if time.monotonic() > deadline:
                raise KernelError(f"no answer in {timeout} s to:\n{code}\n(stdout so far: {out})")
            reply = json.loads(self.ws.recv())
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = reply["header"]["msg_type"]
            body = reply["content"]
            if kind == "stream" and body.get("name") == "stdout":
                out.append(body["text"])
            elif kind == "error":
                error = body
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and body.get("execution_state") == "idle":
                idle = True
        if error is not None:
            trace = "\n".join(error.get("traceback", []))
            raise KernelError(f"{error['ename']}: {error['evalue']}\n{trace}")
        return "".join(out)

    def value(self, expression: str, timeout: float = 60.0) -> Any:
        """The JSON value of a Python expression evaluated in the kernel."""
        text = self.run(f"import json as _j; print(_j.dumps({expression}))", timeout)
        return json.loads(text.strip().splitlines()[-1])

    def wait(self, expression: str, timeout: float = 20.0) -> Any:
        """Poll until ``expression`` is truthy in the kernel; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.value(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.user}: {expression} stayed {value!r}")
            time.sleep(0.2)

    def close(self) -> None:
        self.ws.close()
