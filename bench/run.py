"""Benchmarks of spec §11, as ratios measured in one run on one machine: ``scripts/bench``.

One Home Assistant 2026.11 process (the newest release) runs the integration against
the local sipgate stand-in, next to a bare webhook handler registered in the same
instance (``bench/custom_components/bench_bare``); the Node library's webhook server
(``sipgateio``'s ``createWebhookModule``) is the reference row, under the same load.
Load goes to 127.0.0.1 only and every run is bounded in count and time. Results are
printed as a Markdown table and written to ``bench/results.json``.
"""

import argparse
import asyncio
import base64
from dataclasses import replace
import datetime as dt
import json
import os
from pathlib import Path
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.load import Result, run_load  # noqa: E402
from custom_components.sipgate.webhook import call_token  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    STANDIN_TOKEN,
    STANDIN_TOKEN_ID,
    HomeAssistant,
    run_home_assistant,
    run_standin,
    wait_until,
)

FORM = "application/x-www-form-urlencoded"
# sipgate's own signed sample (from its Node library's tests): the Node server verifies it
# with sipgate's key. Every request to it carries this body; the integration gets bodies
# of the same shape with distinct call ids, signed with a 4096-bit key like sipgate's.
SIGNED_SAMPLE = json.loads((REPO / "tests" / "fixtures" / "push" / "signature.json").read_text())["cases"][0]
ANSWER_REJECT = """
- id: bench_reject
  alias: bench reject
  mode: parallel
  max: 1000
  triggers:
    - trigger: event
      event_type: sipgate_new_call
  actions:
    - action: sipgate.reject_call
"""
NOT_ANSWERING = """
- id: bench_notice
  alias: bench notice
  mode: parallel
  max: 1000
  triggers:
    - trigger: event
      event_type: sipgate_new_call
  actions:
    - event: bench_call_seen
      event_data:
        from: "{{ trigger.event.data.from_number }}"
"""


def new_call_body(n: int) -> bytes:
    """A newCall push like sipgate sends it, with call id ``n``."""
    return (
        f"event=newCall&direction=in&from=4915799{n:06d}&to=4921112345671&callId=BENCH{n:08d}"
        f"&origCallId=BENCH{n:08d}&user%5B%5D=Anna+Muster&userId%5B%5D=w0&fullUserId%5B%5D=1234567w0&xcid=bench"
    ).encode()


class Signer:
    """Signs bodies as sipgate does (RSA-SHA256, PKCS#1 v1.5), with a 4096-bit key."""

    def __init__(self) -> None:
        """Make the key."""
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=4096)

    def public_pem(self) -> bytes:
        """The public key for SIPGATE_WEBHOOK_PUBLIC_KEY_FILE."""
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def signed(self, body: bytes) -> tuple[bytes, dict[str, str]]:
        """``body`` with its headers."""
        signature = base64.b64encode(self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
        return body, {"Content-Type": FORM, "X-Sipgate-Signature": signature}


def row(name: str, result: Result, baseline: Result | None = None) -> dict[str, Any]:
    """One table row."""
    data = {
        "target": name,
        "requests": result.requests,
        "throughput": round(result.throughput),
        "p50_ms": round(result.p50, 2),
        "p99_ms": round(result.p99, 2),
        "mean_ms": round(result.mean, 2),
        "statuses": result.statuses,
    }
    if baseline is not None:
        data["p50_ratio"] = round(result.p50 / baseline.p50, 2)
        data["p99_ratio"] = round(result.p99 / baseline.p99, 2)
        data["throughput_ratio"] = round(result.throughput / baseline.throughput, 2)
    return data


def configure(hass: HomeAssistant) -> str:
    """Add the sipgate account through the config flow; return the entry id."""
    flow = hass.api("POST", "/api/config/config_entries/flow", {"handler": "sipgate"})
    result = hass.api(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"token_id": STANDIN_TOKEN_ID, "token": STANDIN_TOKEN},
    )
    entry_id = str(result["result"]["entry_id"])
    wait_until(lambda: entry_state(hass, entry_id) == "loaded", timeout=30, what="the entry loading")
    return entry_id


def entry_state(hass: HomeAssistant, entry_id: str) -> str:
    """The config entry's state."""
    entries = hass.api("GET", "/api/config/config_entries/entry?domain=sipgate")
    return next(str(e["state"]) for e in entries if e["entry_id"] == entry_id)


def set_automations(hass: HomeAssistant, yaml_text: str) -> None:
    """Replace the automations and reload them."""
    (hass.config_dir / "automations.yaml").write_text(yaml_text or "[]\n", encoding="utf-8")
    hass.api("POST", "/api/services/automation/reload", {})


def import_time() -> float:
    """Milliseconds to import the integration and its platforms into a Home Assistant process.

    Home Assistant's own modules that any integration uses are imported first (they are
    loaded before the integration in a running instance); the rest is the integration's cost.
    """
    preload = (
        "import homeassistant.core, homeassistant.config_entries, homeassistant.helpers.config_validation, "
        "homeassistant.helpers.update_coordinator, homeassistant.helpers.entity_platform, "
        "homeassistant.components.webhook, homeassistant.components.http, homeassistant.components.sensor, "
        "homeassistant.components.binary_sensor, homeassistant.components.switch, homeassistant.components.event, "
        "homeassistant.components.notify, homeassistant.components.automation, homeassistant.components.diagnostics, "
        "homeassistant.components.logbook, homeassistant.components.repairs"
    )
    code = (
        f"{preload}\nimport time\nstart=time.perf_counter()\n"
        "import custom_components.sipgate, custom_components.sipgate.config_flow, custom_components.sipgate.sensor, "
        "custom_components.sipgate.binary_sensor, custom_components.sipgate.switch, custom_components.sipgate.event, "
        "custom_components.sipgate.notify, custom_components.sipgate.diagnostics, custom_components.sipgate.logbook\n"
        "print((time.perf_counter()-start)*1000)"
    )
    runs = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
        )
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return round(sorted(runs)[len(runs) // 2], 1)


def idle_requests() -> int | None:
    """Sipgate requests in one idle hour with default options (the time-travel test counts them)."""
    python = REPO / ".venv" / "bin" / "python"
    if not python.exists():
        return None
    out = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "tests/test_entities.py",
            "-k",
            "idle_hour",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"idle hour: (\d+) sipgate requests", out.stdout)
    return int(match.group(1)) if match else None


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run every benchmark once; return the figures."""
    work = Path(tempfile.mkdtemp(prefix="sipgate-bench-"))
    signer = Signer()
    key_file = work / "bench-public-key.pem"
    key_file.write_bytes(signer.public_pem())
    sample = SIGNED_SAMPLE["body"].encode()
    node_headers = {
        "Content-Type": FORM,
        "X-Sipgate-Signature": SIGNED_SAMPLE["signature_base64"],
        "X-Forwarded-For": "217.116.118.254",
    }
    results: dict[str, Any] = {"rows": []}

    def add_bare_webhook(config_dir: Path) -> None:
        with (config_dir / "configuration.yaml").open("a", encoding="utf-8") as configuration:
            configuration.write("\nbench_bare:\n")
        shutil.copytree(
            REPO / "bench" / "custom_components" / "bench_bare",
            config_dir / "custom_components" / "bench_bare",
        )

    with (
        run_standin(work) as standin,
        run_home_assistant(
            work, replace(standin, public_key_file=key_file), configure=add_bare_webhook
        ) as hass,
    ):
        entry_id = configure(hass)
        # The integration pointed the (stand-in) account's webhook URLs at itself.
        incoming = wait_until(
            lambda: (
                (url := str(standin.sipgate("settings/sipgateio")["incomingUrl"])).startswith(hass.url)
                and url
            ),
            timeout=30,
            what="the integration publishing its webhook URL",
        )
        webhook_path = urllib.parse.urlsplit(incoming).path
        sipgate_url = f"{hass.url}{webhook_path}"
        bare_url = f"{hass.url}/api/webhook/bench-bare"

        # Setup time of the entry: a reload (unload + set-up against the stand-in), median of 5.
        setups = []
        for _ in range(5):
            started = time.perf_counter()
            hass.api("POST", f"/api/config/config_entries/entry/{entry_id}/reload", {})
            setups.append(time.perf_counter() - started)
        results["entry_setup_s"] = round(sorted(setups)[2], 3)

        counter = iter(range(10_000_000))

        def sipgate_bodies(count: int) -> list[tuple[bytes, dict[str, str]]]:
            return [signer.signed(new_call_body(next(counter))) for _ in range(count)]

        for concurrency, count in ((1, args.requests_c1), (32, args.requests_c32)):
            bare = await run_load(
                bare_url, [signer.signed(new_call_body(0))] * count, concurrency=concurrency
            )
            plain = await run_load(sipgate_url, sipgate_bodies(count), concurrency=concurrency)
            results["rows"].append(row(f"bare HA webhook, c={concurrency}", bare))
            results["rows"].append(row(f"sipgate newCall, no automation, c={concurrency}", plain, bare))
            if args.node_url:
                node = await run_load(
                    args.node_url, [(sample, node_headers)] * count, concurrency=concurrency
                )
                results["rows"].append(row(f"Node sipgateio server, c={concurrency}", node))
                results["rows"][-2]["throughput_vs_node"] = round(plain.throughput / node.throughput, 2)
                results["rows"][-2]["p99_vs_node"] = round(plain.p99 / node.p99, 2)
            set_automations(hass, ANSWER_REJECT)
            answered = await run_load(sipgate_url, sipgate_bodies(count), concurrency=concurrency)
            results["rows"].append(
                row(f"sipgate newCall answered by automation (reject_call), c={concurrency}", answered, bare)
            )
            set_automations(hass, "[]")
        set_automations(hass, NOT_ANSWERING)
        noticed = await run_load(sipgate_url, sipgate_bodies(args.requests_c1), concurrency=1)
        set_automations(hass, "[]")
        plain = await run_load(sipgate_url, sipgate_bodies(args.requests_c1), concurrency=1)
        results["rows"].append(row("sipgate newCall with a non-answering automation, c=1", noticed, plain))
        results["non_answering_extra_ms"] = round(noticed.mean - plain.mean, 2)

        # 10,000 calls (newCall, answer, hangup) leave nothing pending.
        calls = []
        for n in range(args.calls):
            call_id = f"MANY{n:08d}"
            for event in ("newCall", "answer", "hangup"):
                body = f"event={event}&direction=in&from=4915799000000&to=4921112345671&callId={call_id}"
                if event == "hangup":
                    body += "&cause=normalClearing"
                calls.append((body.encode(), event, call_id))
        # Signing 30,000 bodies would take minutes: for this check only, verification is off.
        flow = hass.api("POST", "/api/config/config_entries/options/flow", {"handler": entry_id})
        options = {
            "answer_timeout": 5,
            "verify_signature": False,
            "manage_webhook_urls": True,
            "contact_lookup": True,
            "account_scan_interval": 60,
            "history_scan_interval": 5,
        }
        hass.api("POST", f"/api/config/config_entries/options/flow/{flow['flow_id']}", options)
        wait_until(lambda: entry_state(hass, entry_id) == "loaded", timeout=30, what="the entry reloading")
        # Follow-ups go to each call's own URL, with the token the integration's replies name.
        secret = entry_push_secret(hass, entry_id)
        path = urllib.parse.urlsplit(sipgate_url).path
        many = await run_load(
            sipgate_url,
            [
                (
                    body,
                    {"Content-Type": FORM},
                    path if event == "newCall" else f"{path}?token={call_token(secret, cid)}",
                )
                for body, event, cid in calls
            ],
            concurrency=32,
            time_limit=600,
        )
        diagnostics = hass.api("GET", f"/api/diagnostics/config_entry/{entry_id}")["data"]["webhook"]
        results["many_calls"] = {
            "calls": args.calls,
            "refused": diagnostics["refused"],
            "requests": many.requests,
            "throughput": round(many.throughput),
            "pending_replies": diagnostics["pending_replies"],
            "active_calls": diagnostics["active_calls"],
        }
    results["import_ms"] = import_time()
    results["idle_requests_per_hour"] = idle_requests()
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    results["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    shutil.rmtree(work, ignore_errors=True)
    return results


def entry_push_secret(hass: HomeAssistant, entry_id: str) -> bytes:
    """The entry's key for per-call tokens, from Home Assistant's stored config entries."""
    stored = json.loads((hass.config_dir / ".storage" / "core.config_entries").read_text())
    entry = next(e for e in stored["data"]["entries"] if e["entry_id"] == entry_id)
    return bytes.fromhex(entry["data"]["push_secret"])


def markdown(results: dict[str, Any]) -> str:
    """The README table."""
    lines = [
        "| target | requests | req/s | p50 ms | p99 ms | vs bare HA webhook (p50 / p99 / throughput) | vs Node (throughput / p99) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results["rows"]:
        ratio = f"{r.get('p50_ratio', '–')} / {r.get('p99_ratio', '–')} / {r.get('throughput_ratio', '–')}"
        node = f"{r['throughput_vs_node']} / {r['p99_vs_node']}" if "throughput_vs_node" in r else "–"
        lines.append(
            f"| {r['target']} | {r['requests']} | {r['throughput']} | {r['p50_ms']} | {r['p99_ms']} | {ratio} | {node} |"
        )
    many = results["many_calls"]
    lines += [
        "",
        f"- Non-answering automation adds {results['non_answering_extra_ms']} ms to the reply (mean, c=1).",
        f"- Config entry set-up against the stand-in (reload, median of 5): {results['entry_setup_s']} s.",
        f"- Importing the integration and its platforms: {results['import_ms']} ms (median of 5).",
        f"- sipgate requests in an idle hour with default options: {results['idle_requests_per_hour']}.",
        f"- {many['calls']} calls ({many['requests']} pushes at {many['throughput']} req/s): "
        f"{many['pending_replies']} pending replies, {many['active_calls']} active calls left.",
        f"- Machine: {results['machine']}; date: {results['date']}.",
    ]
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure, print and store the results."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--node-url", help="the Node reference server (scripts/bench starts it)")
    parser.add_argument("--requests-c1", type=int, default=400)
    parser.add_argument("--requests-c32", type=int, default=3000)
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    results = asyncio.run(measure(args))
    (REPO / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()
