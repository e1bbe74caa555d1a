"""Start the sipgate stand-in and a real Home Assistant, and talk to both over HTTP."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import socket
import subprocess
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

REPO = Path(__file__).resolve().parents[2]
STANDIN_TOKEN_ID = "token-STANDIN"
STANDIN_TOKEN = "standin-secret"
OWNER = {"name": "Anna Muster", "username": "anna", "password": "sipgate-e2e-password"}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(
    method: str,
    url: str,
    *,
    data: Any = None,
    token: str | None = None,
    form: bool = False,
    timeout: float = 30,
) -> Any:
    """One HTTP request; returns the decoded JSON (or text) body, raises for HTTP errors."""
    headers = {}
    body: bytes | None = None
    if data is not None:
        if form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read().decode()
        return (
            json.loads(text) if text and response.headers.get_content_type() == "application/json" else text
        )


def wait_until(check: Any, *, timeout: float, what: str, interval: float = 0.25) -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except (OSError, urllib.error.URLError, ValueError) as err:
            last_error = err
        time.sleep(interval)
    raise TimeoutError(f"{what} did not happen within {timeout} s (last error: {last_error})")


@dataclass
class StandIn:
    """The running sipgate stand-in."""

    port: int
    public_key_file: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """Its base URL."""
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[dict[str, Any]]:
        """What it has received so far."""
        return list(http("GET", f"{self.url}/_standin/requests"))

    def errors(self) -> list[Any]:
        """Requests that did not validate against sipgate's spec."""
        return list(http("GET", f"{self.url}/_standin/errors"))

    def play(self, **call: Any) -> dict[str, Any]:
        """Play a call against Home Assistant's webhook; returns the report."""
        return dict(http("POST", f"{self.url}/_standin/calls", data=call, timeout=60))

    def sipgate(self, path: str) -> Any:
        """Read the stand-in's REST API as the integration does."""
        import base64

        credentials = base64.b64encode(f"{STANDIN_TOKEN_ID}:{STANDIN_TOKEN}".encode()).decode()
        request = urllib.request.Request(
            f"{self.url}/v2/{path}", headers={"Authorization": f"Basic {credentials}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


@dataclass
class HomeAssistant:
    """A running Home Assistant process with an owner account."""

    port: int
    config_dir: Path
    process: subprocess.Popen[bytes]
    log_file: Path
    token: str = ""
    entry_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Its base URL."""
        return f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, data: Any = None) -> Any:
        """Call Home Assistant's REST API as the owner."""
        return http(method, f"{self.url}{path}", data=data, token=self.token)

    def log(self) -> str:
        """What Home Assistant logged."""
        return self.log_file.read_text(encoding="utf-8", errors="replace")


@contextmanager
def run_standin(work_dir: Path) -> Iterator[StandIn]:
    """Start the stand-in on a free loopback port; stop it afterwards."""
    port = free_port()
    key_file = work_dir / "standin-public-key.pem"
    log = (work_dir / "standin.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "standin",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--public-key-file",
            str(key_file),
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    standin = StandIn(port, key_file, process)
    try:
        wait_until(
            lambda: key_file.exists() and http("GET", f"{standin.url}/_standin/requests") is not None,
            timeout=30,
            what="the stand-in starting",
        )
        yield standin
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@contextmanager
def run_home_assistant(
    work_dir: Path,
    standin: StandIn,
    automations: str = "[]\n",
    configure: Callable[[Path], None] | None = None,
    extra_env: dict[str, str] | None = None,
    cwd: Path = REPO,
) -> Iterator[HomeAssistant]:
    """Start Home Assistant pointed at the stand-in, onboard an owner; stop it afterwards.

    ``cwd`` is Home Assistant's working directory. In the repository (the default) the
    repository's ``custom_components`` package is the one imported; the benchmark runs it
    elsewhere so that the configuration's own ``custom_components`` (its baseline
    component) is found.
    """
    sys.path.insert(0, str(REPO / "scripts" / "lib"))
    from devconfig import write_config

    port = free_port()
    config_dir = work_dir / "config"
    write_config(config_dir, port)
    (config_dir / "automations.yaml").write_text(automations, encoding="utf-8")
    if configure is not None:
        configure(config_dir)
    env = {
        **os.environ,
        "SIPGATE_API_URL": f"{standin.url}/v2",
        "SIPGATE_WEBHOOK_PUBLIC_KEY_FILE": str(standin.public_key_file),
        **(extra_env or {}),
    }
    log_file = work_dir / "home-assistant.log"
    log = log_file.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "homeassistant", "--config", str(config_dir)],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    hass = HomeAssistant(port, config_dir, process, log_file)
    try:
        wait_until(
            lambda: isinstance(http("GET", f"{hass.url}/api/onboarding"), list),
            timeout=240,
            what="Home Assistant starting",
        )
        hass.token = onboard(hass)
        promote_http_config(hass)
        config = hass.api("GET", "/api/config")
        # A Home Assistant that could not load its frontend starts in recovery mode and
        # still answers webhooks: never measure or test against that.
        assert not config.get("recovery_mode"), "Home Assistant started in recovery mode"
        yield hass
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def websocket(hass: HomeAssistant, message: dict[str, Any]) -> dict[str, Any]:
    """Send one command over Home Assistant's websocket API and return its result."""
    import asyncio

    import aiohttp

    async def exchange() -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.ws_connect(f"{hass.url}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": hass.token})
            await ws.receive_json()  # auth_ok
            await ws.send_json({"id": 1, **message})
            return dict(await ws.receive_json())

    # Callers may be inside an event loop (the benchmarks): talk from a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, exchange()).result()


def promote_http_config(hass: HomeAssistant) -> None:
    """Keep the HTTP settings of configuration.yaml.

    Home Assistant 2026.11 moves them into its storage as a trial that reverts after
    five minutes unless confirmed; confirm it, as the user would in the dialog.
    """
    result = websocket(hass, {"type": "http/config/promote"})
    if not result.get("success") and result.get("error", {}).get("code") != "unknown_command":
        # Nothing pending (already stable) is fine too.
        assert "pending" in json.dumps(result.get("error", {})).lower(), result


def onboard(hass: HomeAssistant) -> str:
    """Create the owner account and finish onboarding; return an access token."""
    client_id = f"{hass.url}/"
    result = http(
        "POST", f"{hass.url}/api/onboarding/users", data={**OWNER, "client_id": client_id, "language": "en"}
    )
    tokens = http(
        "POST",
        f"{hass.url}/auth/token",
        data={"grant_type": "authorization_code", "code": result["auth_code"], "client_id": client_id},
        form=True,
    )
    token = str(tokens["access_token"])
    for step, data in (
        ("core_config", {}),
        ("analytics", {}),
        ("integration", {"client_id": client_id, "redirect_uri": f"{hass.url}/?auth_callback=1"}),
    ):
        try:
            http("POST", f"{hass.url}/api/onboarding/{step}", data=data, token=token)
        except urllib.error.HTTPError as err:  # a step already done is fine
            if err.code not in (403,):
                raise
    return token
