"""A real JupyterHub for the tests: the dummy authenticator with a password, local-process
single-user servers (``--allow-root``), configurable-http-proxy from npm, and the threadwidget
service run by the hub (``threadwidget serve``), configured as docs/hub.md says.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PROXY = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "class-password"
TEACHER, STUDENTS = "teacher", ("student1", "student2")
SERVICE = "threadwidget"

CONFIG = """
import sys
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {proxy_port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {tmp!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {tmp!r} + "/hub.sqlite"
c.JupyterHub.cookie_secret_file = {tmp!r} + "/cookie_secret"
c.JupyterHub.pid_file = {tmp!r} + "/hub.pid"
c.JupyterHub.cleanup_servers = True
# one password for every (non-admin) user: JupyterHub 5's replacement of the dummy
# authenticator's password (deprecated in 6.1)
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {password!r}
c.Authenticator.allowed_users = {users!r}
c.JupyterHub.spawner_class = "simple"
c.Spawner.args = ["--allow-root"]
c.Spawner.notebook_dir = {tmp!r} + "/notebooks"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60

{admin}"""

#: What docs/hub.md tells a hub admin to add (tests/hub/test_docs_hub.py builds it from the
#: docs' own code blocks instead).
ADMIN = """# --- what docs/hub.md tells a hub admin to add ----------------------------------
c.JupyterHub.load_groups = {{"teachers": {{"users": [{teacher!r}]}}}}
c.JupyterHub.services = [
    {{
        "name": "threadwidget",
        "url": "http://127.0.0.1:{service_port}",
        "command": [sys.executable, "-m", "threadwidget", "serve"],
        "environment": {{"THREADWIDGET_DATA_DIR": {tmp!r} + "/service", **{service_env!r}}},
        "oauth_no_confirm": True,
    }},
]
c.JupyterHub.load_roles = [
    {{"name": "threadwidget-service", "services": ["threadwidget"],
      "scopes": ["read:users", "read:users:groups", "read:groups"]}},
    {{"name": "user", "scopes": ["self", "access:services!service=threadwidget"]}},
    {{"name": "server", "scopes": ["users:activity!user", "access:servers!server",
                                  "access:services!service=threadwidget"]}},
]
c.Spawner.environment = {{"THREADWIDGET_SERVICE_URL": "{public}services/threadwidget/"}}
"""

#: The test's own admin service (creates users and tokens, starts servers).
TESTER = """
c.JupyterHub.services.append({{"name": "tester", "api_token": {admin_token!r}}})
c.JupyterHub.load_roles.append(
    {{"name": "tester", "services": ["tester"], "scopes": ["admin:users", "admin:servers",
      "tokens", "admin:groups", "access:servers", "read:users", "access:services"]}}
)
"""


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HubError(RuntimeError):
    """The hub did not start or answer as expected."""


class Hub:
    """A running JupyterHub in ``tmp``; ``api`` calls its REST API as an admin service."""

    def __init__(
        self,
        tmp: Path,
        python: str = sys.executable,
        service_env: dict[str, str] | None = None,
        *,
        admin_config: str | None = None,
        users: tuple[str, ...] = (TEACHER, *STUDENTS),
        service_port: int | None = None,
        service: str = SERVICE,
    ) -> None:
        self.tmp = tmp
        #: the hub admin's part of jupyterhub_config.py (default: ADMIN, filled in)
        self.admin_config = admin_config
        self.users = users
        #: more environment for the service (its options, e.g. THREADWIDGET_AUTH_CACHE_SECONDS)
        self.service_env = dict(service_env or {})
        #: the Python that runs the hub, hence the service (``sys.executable`` in the config)
        self.python = python
        self.proxy_port = free_port()
        self.service_port = service_port or free_port()
        self.public = f"http://127.0.0.1:{self.proxy_port}/"
        #: the service the tests talk to (its name in c.JupyterHub.services)
        self.service = service
        self.service_url = f"{self.public}services/{service}/"
        self.admin_token = secrets.token_hex(16)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = tmp / "hub.log"

    def start(self) -> None:
        (self.tmp / "notebooks").mkdir(parents=True, exist_ok=True)
        (self.tmp / "service").mkdir(exist_ok=True)
        values = dict(
            proxy_port=self.proxy_port,
            hub_port=free_port(),
            proxy_api_port=free_port(),
            service_port=self.service_port,
            proxy=str(PROXY),
            tmp=str(self.tmp),
            password=PASSWORD,
            users=set(self.users),
            teacher=TEACHER,
            admin_token=self.admin_token,
            public=self.public,
            service_env=self.service_env,
        )
        admin = self.admin_config if self.admin_config is not None else ADMIN.format(**values)
        config = CONFIG.replace("{admin}", "{{admin}}").format(**values)
        config = config.replace("{admin}", admin) + TESTER.format(**values)
        (self.tmp / "jupyterhub_config.py").write_text(config)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("JUPYTERHUB_API_TOKEN", None)
        if self.python != sys.executable:  # an installed package: no source tree on the path
            env.pop("PYTHONPATH", None)
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [self.python, "-m", "jupyterhub", "-f", str(self.tmp / "jupyterhub_config.py")],
            cwd=self.tmp,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        first = f"users/{self.users[0]}"
        self.wait_for(lambda: self.api("GET", first) is not None, 60, "the hub to answer")
        self.wait_for(self.service_up, 60, "the threadwidget service to answer")

    def wait_for(self, check: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise HubError(f"the hub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if check():
                    return
            except (OSError, urllib.error.URLError, HubError):
                pass
            time.sleep(0.25)
        raise HubError(f"timed out waiting for {what}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def service_up(self) -> bool:
        url = f"http://127.0.0.1:{self.service_port}/services/{self.service}/api/whoami"
        status, _ = request(url)
        return status == 401

    def service_pid(self) -> int:
        """The pid of the ``threadwidget serve`` process this hub started."""
        mark = f"JUPYTERHUB_SERVICE_URL=http://127.0.0.1:{self.service_port}".encode()
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes()
                if b"threadwidget\x00serve" in cmdline and mark in (proc / "environ").read_bytes():
                    return int(proc.name)
            except OSError:
                continue
        raise HubError("the threadwidget service is not running")

    def api(self, method: str, path: str, body: object = None) -> Any:
        status, data = request(f"{self.public}hub/api/{path}", method, body, token=self.admin_token)
        if status >= 400:
            raise HubError(f"{method} {path}: {status} {data}")
        return data

    def user_token(self, user: str, expires_in: int | None = None) -> str:
        """A new API token of ``user`` (what its server and kernels hold is of the same kind)."""
        return self.user_token_and_id(user, expires_in)[0]

    def user_token_and_id(self, user: str, expires_in: int | None = None) -> tuple[str, str]:
        """A new API token of ``user`` and its id (``DELETE users/<user>/tokens/<id>`` revokes
        it)."""
        body: dict[str, Any] = {"note": f"test-{uuid.uuid4().hex[:6]}"}
        if expires_in is not None:
            body["expires_in"] = expires_in
        made = self.api("POST", f"users/{user}/tokens", body)
        return str(made["token"]), str(made["id"])

    def start_server(self, user: str) -> None:
        """Start ``user``'s single-user server and wait until it is ready."""
        request(f"{self.public}hub/api/users/{user}/server", "POST", {}, token=self.admin_token)

        def ready() -> bool:
            model = self.api("GET", f"users/{user}")
            server = model.get("servers", {}).get("", {})
            return bool(server.get("ready"))

        self.wait_for(ready, 90, f"{user}'s server")

    def stop(self) -> None:
        if self.proc is None:
            return
        for user in self.users:
            request(f"{self.public}hub/api/users/{user}/server", "DELETE", token=self.admin_token)
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None
        self._log.close()


def request(
    url: str, method: str = "GET", body: object = None, *, token: str | None = None
) -> tuple[int, Any]:
    """One HTTP request: (status, JSON or text)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"token {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode(errors="replace")
