"""The benchmark of issue 15 in one run: ``scripts/bench`` (``--quick`` for a smoke run).

One real Home Assistant 2026.11 process with its recorder runs the integration against the
local sipgate stand-in, next to a bare webhook handler (``bench/custom_components/bench_bare``)
in the same process; the Node library's webhook server verifying sipgate's signature
(``bench/node``) is the reference row. Home Assistant runs with a working directory outside
the repository, so that the configuration's ``custom_components`` (with ``bench_bare``) is the
package Python imports; before any row runs, the baseline is asserted to be loaded and to
answer its own content.

Every row: the entry is ``loaded`` before and after, the integration's diagnostics count
exactly as many accepted pushes as were sent (nothing refused, rejected or duplicate), every
reply carries the expected content, and the recorder is drained (``recorder/info`` backlog 0,
then everything committed) before the next row. Rows are interleaved over three repetitions
(the entry reloaded before each), and each figure is the median with min-max. A second Home
Assistant process with the integration's entities and events excluded from the recorder
measures the saturation rows again, with the Node rows interleaved.

Figures: req/s, p50, p99; event-loop CPU and recorder CPU per request, read from
``/proc/<pid>/task/<tid>/stat`` (utime + stime) of Home Assistant's main thread (its event
loop) and of the thread named ``Recorder``; the loop's lag (``bench_bare``'s 50 ms timer); at
saturation (wrk, c=1 and c=32) and paced at 20 calls/s (newCall, answer 2 s later, hangup
5 s later, every request in a 1/60 s slot of its own, as the Node row's). Also import time, entry set-up time, and a py-spy profile of where a call's
time goes. Results: ``bench/results.json`` and the README's benchmark section, both from
the same run.

Why one module of this size: it is the run itself, its phases in the order they run, so
that what one figure means can be read top to bottom; the load generators (``load.py``),
the pool of signed pushes (``pool.py``), the profile (``profile.py``) and the report
(``report.py``) live apart.
"""

import argparse
import asyncio
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
import datetime as dt
import json
import os
from pathlib import Path
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any
import urllib.parse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import load as loadgen, profile as profiler  # noqa: E402
from bench.load import Load, Request  # noqa: E402
from bench.pool import LIFECYCLE, NEW_CALL_ONLY, REJECTED, Pool, Push, interleave  # noqa: E402
from custom_components.sipgate.const import (  # noqa: E402
    EVENT_ANSWER,
    EVENT_DTMF,
    EVENT_FAX_STATUS,
    EVENT_HANGUP,
    EVENT_NEW_CALL,
)
from custom_components.sipgate.push_admission import call_token  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    STANDIN_TOKEN,
    STANDIN_TOKEN_ID,
    HomeAssistant,
    http,
    run_home_assistant,
    run_standin,
    wait_until,
    websocket,
)

# sipgate's own signed sample (from its Node library's tests): the Node server verifies it with
# sipgate's key, so every request to it carries this body (it keeps no per-call state).
SIGNED_SAMPLE = json.loads((REPO / "tests" / "fixtures" / "push" / "signature.json").read_text())["cases"][0]
NODE_HEADERS = ("X-Forwarded-For: 217.116.118.254",)  # the Node server checks sipgate's address
NODE_MARKER = 'onHangup="http'  # its reply to a verified newCall (a failed check answers <Error>)
SIPGATE_MARKER = "<Response"
BARE_MARKER = 'bench="bench_bare"'
REJECT_MARKER = "<Reject"
ANSWERING = """
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
PACED_CALLS_PER_S = 20
ANSWER_AFTER_S = 2.0
HANGUP_AFTER_S = 5.0


@dataclass(frozen=True)
class Plan:
    """Sizes of one run."""

    repetitions: int
    c1_lifecycle_calls: int
    c32_lifecycle_calls: int
    answered_calls: int
    c1_newcall_calls: int
    c32_newcall_calls: int
    paced_seconds: int
    bare_c1: int
    bare_c32: int
    node_c1: int
    node_c32: int
    profile_calls: int
    first_rep: int


FULL = Plan(3, 600, 800, 600, 1000, 1500, 20, 3000, 6000, 1500, 2500, 300, 1)
QUICK = Plan(1, 60, 100, 60, 100, 150, 4, 1000, 2000, 300, 600, 60, 0)


# --- the Home Assistant process ------------------------------------------------------------------


@dataclass
class Target:
    """The measured Home Assistant process and what the benchmark needs of it."""

    hass: HomeAssistant
    entry_id: str
    webhook_path: str
    secret: bytes
    recorder_tid: int | None
    recorder_tid_source: str


class BenchmarkError(AssertionError):
    """A row did not do what it says: its figures would be wrong."""


def check(condition: bool, message: str) -> None:
    """Stop the run when ``condition`` fails (unlike ``assert``, also under ``python -O``)."""
    if not condition:
        raise BenchmarkError(message)


def thread_cpu(pid: int, tid: int | None = None) -> float:
    """CPU seconds (utime + stime) of one thread, or of the whole process."""
    stat_file = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    fields = Path(stat_file).read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / loadgen.clock_ticks()


def thread_names(pid: int) -> dict[int, str]:
    """Native thread id → the OS thread name (/proc comm)."""
    names = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            names[int(task.name)] = (task / "comm").read_text().strip()
        except OSError:
            continue
    return names


class Cpu:
    """CPU counters of Home Assistant (loop, recorder, all) and of the Node server."""

    def __init__(self, target: Target, node_pid: int | None) -> None:
        """Remember whose counters to read."""
        self.pid = target.hass.process.pid
        self.recorder_tid = target.recorder_tid
        self.node_pid = node_pid

    def read(self) -> dict[str, float]:
        """All counters now."""
        loop = thread_cpu(self.pid, self.pid)
        total = thread_cpu(self.pid)
        values = {
            "loop": loop,
            "total": total,
            # Without a thread named Recorder: all threads but the loop's.
            "recorder": thread_cpu(self.pid, self.recorder_tid) if self.recorder_tid else total - loop,
        }
        if self.node_pid:
            values["node_loop"] = thread_cpu(self.node_pid, self.node_pid)
            values["node_total"] = thread_cpu(self.node_pid)
        return values


def probe(hass: HomeAssistant, action: str = "stats") -> dict[str, Any]:
    """bench_bare's probe inside Home Assistant."""
    return dict(http("POST", f"{hass.url}/api/webhook/bench-probe?action={action}", data={}, timeout=180))


def entry_state(hass: HomeAssistant, entry_id: str) -> str:
    """The config entry's state."""
    entries = hass.api("GET", "/api/config/config_entries/entry?domain=sipgate")
    return next(str(e["state"]) for e in entries if e["entry_id"] == entry_id)


def assert_loaded(target: Target) -> None:
    """The entry must be loaded."""
    state = entry_state(target.hass, target.entry_id)
    if state != "loaded":
        raise BenchmarkError(f"the sipgate entry is {state!r}, not loaded")


def webhook_stats(target: Target) -> dict[str, Any]:
    """The integration's own counters (diagnostics)."""
    return dict(target.hass.api("GET", f"/api/diagnostics/config_entry/{target.entry_id}")["data"]["webhook"])


def entry_push_secret(hass: HomeAssistant, entry_id: str) -> bytes:
    """The entry's key for per-call tokens, from Home Assistant's stored config entries."""
    stored = json.loads((hass.config_dir / ".storage" / "core.config_entries").read_text())
    entry = next(e for e in stored["data"]["entries"] if e["entry_id"] == entry_id)
    return bytes.fromhex(entry["data"]["push_secret"])


def drain_recorder(hass: HomeAssistant, timeout: float = 180) -> float:
    """Wait until the recorder's queue is empty and committed; return the seconds it took."""
    started = time.monotonic()
    wait_until(
        lambda: websocket(hass, {"type": "recorder/info"}).get("result", {}).get("backlog") == 0,
        timeout=timeout,
        what="the recorder's backlog emptying",
        interval=0.2,
    )
    probe(hass, "drain")  # everything queued so far is committed
    return time.monotonic() - started


def set_automations(hass: HomeAssistant, yaml_text: str) -> None:
    """Replace the automations and reload them."""
    (hass.config_dir / "automations.yaml").write_text(yaml_text or "[]\n", encoding="utf-8")
    hass.api("POST", "/api/services/automation/reload", {})


def reload_entry(target: Target) -> float:
    """Reload the entry (unload + set-up against the stand-in); return the seconds it took."""
    started = time.perf_counter()
    target.hass.api("POST", f"/api/config/config_entries/entry/{target.entry_id}/reload", {})
    seconds = time.perf_counter() - started
    wait_until(lambda: entry_state(target.hass, target.entry_id) == "loaded", timeout=30, what="reload")
    return seconds


def add_bench_component(config_dir: Path, recorder_exclude: str) -> None:
    """bench_bare into the configuration's custom_components, and the recorder's configuration."""
    with (config_dir / "configuration.yaml").open("a", encoding="utf-8") as configuration:
        configuration.write("\nbench_bare:\n")
        if recorder_exclude:
            configuration.write(recorder_exclude)
    shutil.copytree(
        REPO / "bench" / "custom_components" / "bench_bare", config_dir / "custom_components" / "bench_bare"
    )


def setup_target(hass: HomeAssistant, standin: Any) -> Target:
    """Add the account, find the webhook, assert the baseline, find the recorder's thread."""
    flow = hass.api("POST", "/api/config/config_entries/flow", {"handler": "sipgate"})
    result = hass.api(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"token_id": STANDIN_TOKEN_ID, "token": STANDIN_TOKEN},
    )
    entry_id = str(result["result"]["entry_id"])
    wait_until(lambda: entry_state(hass, entry_id) == "loaded", timeout=60, what="the entry loading")
    incoming = wait_until(
        lambda: (
            (url := str(standin.sipgate("settings/sipgateio")["incomingUrl"])).startswith(hass.url) and url
        ),
        timeout=30,
        what="the integration publishing its webhook URL",
    )
    # The baseline must really be the bare handler: Home Assistant answers an unregistered
    # webhook with 200 and an empty body, so check the handler's own content and its counter.
    before = probe(hass)
    check(before.get("marker") == "bench_bare", f"bench_bare's probe is not loaded: {before}")
    reply = http("POST", f"{hass.url}/api/webhook/bench-bare", data={"x": "1"}, form=True)
    check(BARE_MARKER in str(reply), f"the bare webhook did not answer its own content: {reply!r}")
    check(probe(hass)["hits"] == before["hits"] + 1, "the bare webhook's counter did not count")
    loaded = hass.api("GET", "/api/config")["components"]
    check("bench_bare" in loaded, f"bench_bare is not among the loaded components: {loaded}")
    check("sipgate" in loaded, f"sipgate is not among the loaded components: {loaded}")
    # The recorder's thread: Python 3.14 names OS threads after their Python thread.
    pid = hass.process.pid
    native = probe(hass)
    check(native["loop_thread_id"] == pid, f"the event loop is not the main thread: {native}")
    names = thread_names(pid)
    by_comm = [tid for tid, name in names.items() if name == "Recorder"]
    recorder_tid, source = None, "all threads but the event loop (no OS thread named Recorder)"
    if len(by_comm) == 1:
        recorder_tid, source = by_comm[0], "the OS thread named Recorder (/proc comm)"
        check(
            native["threads"].get("Recorder") == recorder_tid,
            f"thread names disagree: {native['threads']} {names}",
        )
    return Target(
        hass,
        entry_id,
        urllib.parse.urlsplit(incoming).path,
        entry_push_secret(hass, entry_id),
        recorder_tid,
        source,
    )


# --- rows ---------------------------------------------------------------------------------------


def sipgate_requests(target: Target, pushes: list[Push]) -> list[Request]:
    """The pool's pushes addressed as sipgate sends them (follow-ups to the call's own URL)."""
    path = target.webhook_path
    return [
        Request(
            path if p.event == "newCall" else f"{path}?token={call_token(target.secret, p.call_id)}",
            p.body,
            p.signature,
            p.event,
        )
        for p in pushes
    ]


def paced_schedule(calls: list[list[Push]]) -> list[tuple[float, Push]]:
    """20 calls/s: each call's newCall at its slot, the answer 2 s and the hangup 5 s later.

    The answer and the hangup are moved by one and two sixtieths of a second, so that the
    60 requests of a second are evenly spaced, at the instants the Node and bare rows send
    theirs: without that, three pushes arrived at the same instant every 50 ms and the last
    one waited for the other two (and their recorder work), which the Node row never did.
    """
    step = 1 / (3 * PACED_CALLS_PER_S)
    offsets = {"newCall": 0.0, "answer": ANSWER_AFTER_S + step, "hangup": HANGUP_AFTER_S + 2 * step}
    schedule = [(n / PACED_CALLS_PER_S + offsets[p.event], p) for n, call in enumerate(calls) for p in call]
    return sorted(schedule, key=lambda item: item[0])


class Bench:
    """Runs rows against one Home Assistant process and collects their figures."""

    def __init__(self, target: Target, node_url: str, node_pid: int | None, work: Path, phase: str) -> None:
        """Remember the target."""
        self.target = target
        self.node_url = node_url
        self.cpu = Cpu(target, node_pid)
        self.work = work
        self.phase = phase
        self.rows: list[dict[str, Any]] = []

    async def row(
        self,
        name: str,
        rep: int,
        server: str,
        requests: list[Request] | None = None,
        *,
        concurrency: int = 0,
        schedule: list[tuple[float, Request]] | None = None,
        expect_reject: int = 0,
    ) -> dict[str, Any]:
        """Run one row and check everything it must leave behind."""
        hass, target = self.target.hass, self.target
        assert_loaded(target)
        url = {"bare": f"{hass.url}/api/webhook/bench-bare", "node": self.node_url}.get(server, hass.url)
        marker = {"bare": BARE_MARKER, "node": NODE_MARKER}.get(server, SIPGATE_MARKER)
        headers = NODE_HEADERS if server == "node" else ()
        stats0 = webhook_stats(target)
        hits0 = probe(hass, "reset")["hits"]
        marks: dict[str, dict[str, float]] = {}

        def mark(label: str) -> Callable[[], None]:
            return lambda: marks.__setitem__(label, self.cpu.read())

        if schedule is not None:
            load: Load = await loadgen.run_paced(
                url,
                schedule,
                marker=marker,
                tally=REJECT_MARKER,
                headers=headers,
                on_start=mark("start"),
                on_done=mark("done"),
            )
        else:
            check(requests is not None, "a saturation row needs its requests")
            assert requests is not None  # noqa: S101 - for the type checker
            load = await asyncio.to_thread(
                loadgen.run_wrk,
                url,
                requests,
                concurrency=concurrency,
                work_dir=self.work,
                marker=marker,
                tally=REJECT_MARKER,
                headers=headers,
                on_start=mark("start"),
                on_done=mark("done"),
            )
        probed = probe(hass)
        lag, collections = probed["lag"], probed["gc"]
        sent = load.requests
        if load.matched != sent or load.non_200 or load.errors:
            raise BenchmarkError(
                f"{name}: {load.matched} of {sent} replies as expected, {load.non_200} not 200, {load.errors} errors"
            )
        # Only an answering automation's replies reject the call, one for each newCall.
        check(
            load.tallied == expect_reject,
            f"{name}: {load.tallied} replies rejected, {expect_reject} expected",
        )
        if server == "bare":
            hits = probe(hass)["hits"] - hits0
            check(hits == sent, f"{name}: the bare handler answered {hits} of {sent}")
        stats1 = webhook_stats(target)
        if server == "sipgate":
            accepted = stats1["accepted"] - stats0["accepted"]
            refused = {k: v - stats0["refused"][k] for k, v in stats1["refused"].items()}
            other = {k: stats1[k] - stats0[k] for k in ("rejected_signature", "rejected_input", "duplicates")}
            check(accepted == sent, f"{name}: {accepted} pushes accepted of {sent} sent ({refused}, {other})")
            check(not any(refused.values()), f"{name}: refused {refused}")
            check(not any(other.values()), f"{name}: {other}")
        else:
            check(stats1["accepted"] == stats0["accepted"], f"{name}: the integration got pushes")
        drain_s = drain_recorder(hass)
        marks["drained"] = self.cpu.read()
        assert_loaded(target)
        start, done, drained = marks["start"], marks["done"], marks["drained"]
        per = 1e6 / sent
        data: dict[str, Any] = {
            "row": name,
            "phase": self.phase,
            "rep": rep,
            "mode": "paced" if schedule is not None else f"c={concurrency}",
            "requests": sent,
            "seconds": round(load.seconds, 3),
            "req_s": round(load.throughput, 1),
            "p50_ms": round(load.p50_ms, 2),
            "p99_ms": round(load.p99_ms, 2),
            "max_ms": round(load.max_ms, 2),
            "lag_p99_ms": lag.get("p99_ms"),
            "lag_max_ms": lag.get("max_ms"),
            "gc_max_ms": collections["max_ms"],
            "gc_total_ms": collections["total_ms"],
            "gc_count": collections["count"],
            "drain_s": round(drain_s, 2),
        }
        if server == "node":
            data["loop_us"] = round((done["node_loop"] - start["node_loop"]) * per)
            data["total_us"] = round((done["node_total"] - start["node_total"]) * per)
        else:
            data["loop_us"] = round((done["loop"] - start["loop"]) * per)
            data["recorder_us"] = round((drained["recorder"] - start["recorder"]) * per)
            data["total_us"] = round((drained["total"] - start["total"]) * per)
        if schedule is not None:
            data["kinds"] = load.kinds
        if server == "sipgate":
            data["accepted"] = sent
            data["active_calls_after"] = stats1["active_calls"]
            data["pending_replies_after"] = stats1["pending_replies"]
        print(
            f"  {self.phase} rep {rep} {name}: {json.dumps({k: v for k, v in data.items() if k not in ('kinds',)})}",
            flush=True,
        )
        self.rows.append(data)
        return data


async def idle_loop_cpu(target: Target, seconds: float = 5) -> float:
    """The event loop's CPU (µs per second) while nothing is sent."""
    cpu = Cpu(target, None)
    before = cpu.read()["loop"]
    await asyncio.sleep(seconds)
    return round((cpu.read()["loop"] - before) / seconds * 1e6)


# --- phases -------------------------------------------------------------------------------------


def recorder_exclusion(hass: HomeAssistant) -> str:
    """``recorder: exclude:`` with the integration's entities and events."""
    registry = websocket(hass, {"type": "config/entity_registry/list"})["result"]
    entities = sorted(e["entity_id"] for e in registry if e.get("platform") == "sipgate")
    events = [EVENT_NEW_CALL, EVENT_ANSWER, EVENT_HANGUP, EVENT_DTMF, EVENT_FAX_STATUS, "bench_call_seen"]
    lines = ["\nrecorder:\n  exclude:\n    entities:\n"] + [f"      - {e}\n" for e in entities]
    lines += ["    event_types:\n"] + [f"      - {e}\n" for e in events]
    return "".join(lines)


class Allocator:
    """Hands out consecutive calls of one repetition."""

    def __init__(self, pool: Pool, rep: int) -> None:
        """Start at call 0 of ``rep``."""
        self.pool, self.rep, self.next = pool, rep, 0

    def calls(self, count: int, events: tuple[str, ...]) -> list[list[Push]]:
        """The next ``count`` calls."""
        calls = self.pool.calls(self.rep, self.next, count, events)
        self.next += count
        return calls


async def phase_recorder_on(bench: Bench, pool: Pool, plan: Plan) -> dict[str, Any]:
    """All rows with the recorder as a user has it, interleaved over the repetitions."""
    target, hass = bench.target, bench.target.hass
    node_sample = Request("/", SIGNED_SAMPLE["body"].encode(), SIGNED_SAMPLE["signature_base64"], "newCall")
    bare_body = Request("/api/webhook/bench-bare", pool.calls(0, 0, 1, NEW_CALL_ONLY)[0][0].body, "", "bare")
    extra: dict[str, Any] = {"reloads_s": [], "idle_loop_us_per_s": []}
    for _ in range(5):  # entry set-up time, and a warm-up
        extra["reloads_s"].append(reload_entry(target))
    drain_recorder(hass)
    for rep in range(plan.first_rep, plan.first_rep + plan.repetitions):
        print(f"repetition {rep} (recorder on)", flush=True)
        set_automations(hass, "[]")
        extra["reloads_s"].append(reload_entry(target))
        drain_recorder(hass)
        extra["idle_loop_us_per_s"].append(await idle_loop_cpu(target))
        calls = Allocator(pool, rep)
        c1 = sipgate_requests(target, interleave(calls.calls(plan.c1_lifecycle_calls, LIFECYCLE)))
        c32 = sipgate_requests(target, interleave(calls.calls(plan.c32_lifecycle_calls, LIFECYCLE)))
        answered = sipgate_requests(target, interleave(calls.calls(plan.answered_calls, REJECTED)))
        paced_calls = plan.paced_seconds * PACED_CALLS_PER_S
        schedules = {}
        for kind, events in (("plain", LIFECYCLE), ("answered", REJECTED), ("notice", LIFECYCLE)):
            timed = paced_schedule(calls.calls(paced_calls, events))
            requests = sipgate_requests(target, [p for _, p in timed])
            schedules[kind] = [(at, r) for (at, _), r in zip(timed, requests, strict=True)]
        node_schedule = [(n / (3 * PACED_CALLS_PER_S), node_sample) for n in range(3 * paced_calls)]
        nc1 = sipgate_requests(target, [c[0] for c in calls.calls(plan.c1_newcall_calls, NEW_CALL_ONLY)])
        nc32 = sipgate_requests(target, [c[0] for c in calls.calls(plan.c32_newcall_calls, NEW_CALL_ONLY)])
        pool.save()

        await bench.row("bare HA webhook", rep, "bare", [bare_body] * plan.bare_c1, concurrency=1)
        await bench.row(
            "Node sipgateio server (verifying)", rep, "node", [node_sample] * plan.node_c1, concurrency=1
        )
        await bench.row("sipgate call lifecycle", rep, "sipgate", c1, concurrency=1)
        await bench.row("bare HA webhook", rep, "bare", [bare_body] * plan.bare_c32, concurrency=32)
        await bench.row(
            "Node sipgateio server (verifying)", rep, "node", [node_sample] * plan.node_c32, concurrency=32
        )
        await bench.row("sipgate call lifecycle", rep, "sipgate", c32, concurrency=32)
        await bench.row("Node sipgateio server (verifying)", rep, "node", schedule=node_schedule)
        await bench.row("sipgate call lifecycle", rep, "sipgate", schedule=schedules["plain"])
        set_automations(hass, ANSWERING)
        await bench.row(
            "sipgate, answered by an automation (reject)",
            rep,
            "sipgate",
            answered,
            concurrency=32,
            expect_reject=plan.answered_calls,
        )
        await bench.row(
            "sipgate, answered by an automation (reject)",
            rep,
            "sipgate",
            schedule=schedules["answered"],
            expect_reject=paced_calls,
        )
        set_automations(hass, NOT_ANSWERING)
        await bench.row("sipgate, non-answering automation", rep, "sipgate", schedule=schedules["notice"])
        set_automations(hass, "[]")
        await bench.row("sipgate newCall only", rep, "sipgate", nc1, concurrency=1)
        await bench.row("sipgate newCall only", rep, "sipgate", nc32, concurrency=32)
    return extra


async def phase_recorder_excluded(bench: Bench, pool: Pool, plan: Plan) -> None:
    """The saturation rows again, with the integration's entities and events not recorded."""
    target = bench.target
    node_sample = Request("/", SIGNED_SAMPLE["body"].encode(), SIGNED_SAMPLE["signature_base64"], "newCall")
    for rep in range(plan.first_rep, plan.first_rep + plan.repetitions):
        print(f"repetition {rep} (recorder excluding the integration)", flush=True)
        reload_entry(target)
        drain_recorder(target.hass)
        calls = Allocator(pool, rep)  # the same calls as with the recorder on: a new process
        c1 = sipgate_requests(target, interleave(calls.calls(plan.c1_lifecycle_calls, LIFECYCLE)))
        c32 = sipgate_requests(target, interleave(calls.calls(plan.c32_lifecycle_calls, LIFECYCLE)))
        name = "sipgate call lifecycle, entities and events not recorded"
        await bench.row(
            "Node sipgateio server (verifying)", rep, "node", [node_sample] * plan.node_c1, concurrency=1
        )
        await bench.row(name, rep, "sipgate", c1, concurrency=1)
        await bench.row(
            "Node sipgateio server (verifying)", rep, "node", [node_sample] * plan.node_c32, concurrency=32
        )
        await bench.row(name, rep, "sipgate", c32, concurrency=32)


async def profile_calls(bench: Bench, pool: Pool, plan: Plan, out: Path) -> dict[str, Any]:
    """py-spy samples Home Assistant during c=1 lifecycle pushes of its own (not a measured row).

    Only samples of a thread holding the GIL count (``--gil``): the Python work itself, of
    the event loop and of the recorder (time in a system call, in epoll or waiting for the
    GIL is not in them; the CPU counters of the rows include it).
    """
    target = bench.target
    reload_entry(target)
    drain_recorder(target.hass)
    requests = sipgate_requests(target, interleave(Allocator(pool, 9).calls(plan.profile_calls, LIFECYCLE)))
    pool.save()
    raw = out / "py-spy.txt"
    command = [
        str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--pid",
        str(target.hass.process.pid),
        "--rate",
        "1000",
        "--format",
        "raw",
        "--threads",
        "--full-filenames",
        "--nonblocking",
        "--gil",
        "--output",
        str(raw),
        "--duration",
        "600",
    ]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: ASYNC220
    await asyncio.sleep(2)
    load = await asyncio.to_thread(
        loadgen.run_wrk,
        f"{target.hass.url}/",
        requests,
        concurrency=1,
        work_dir=bench.work,
        marker=SIPGATE_MARKER,
    )
    drain_recorder(target.hass)
    spy.send_signal(signal.SIGINT)
    _, err = spy.communicate(timeout=60)
    if not raw.exists():
        raise RuntimeError(f"py-spy wrote no profile: {err.decode(errors='replace')}")
    shutil.copyfile(raw, Path(tempfile.gettempdir()) / "sipgate-bench-py-spy.txt")
    result = profiler.breakdown(raw.read_text())
    result["requests"] = load.requests
    return result


def import_time() -> list[float]:
    """Milliseconds to import the integration and its platforms into a Home Assistant process (5 runs).

    Home Assistant's own modules that any integration uses are imported first (they are
    loaded before the integration in a running instance); the rest is the integration's cost.
    Measured with compiled bytecode, as Home Assistant imports it from its second start on
    (it writes ``.pyc`` files; its container images ship them): one unmeasured run compiles
    into a temporary cache, even where ``PYTHONDONTWRITEBYTECODE`` is set.
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
    with tempfile.TemporaryDirectory(prefix="sipgate-bench-pyc-") as cache:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        for attempt in range(6):
            out = subprocess.run(
                [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, env=env
            )
            if attempt:  # the first run compiles the bytecode
                runs.append(round(float(out.stdout.strip().splitlines()[-1]), 1))
    return runs


def rsa_verify_us(pool: Pool, count: int = 300) -> float:
    """Microseconds for the integration's verifier to check one signed push (in this process)."""
    from custom_components.sipgate.api.push_signature import SignatureVerifier  # noqa: PLC0415

    verifier = SignatureVerifier(pool.public_pem())
    push = pool.calls(1, 0, 1, NEW_CALL_ONLY)[0][0]
    check(verifier.verify(push.body, push.signature), "the pool's signature does not verify")
    started = time.perf_counter()
    for _ in range(count):
        verifier.verify(push.body, push.signature)
    return round((time.perf_counter() - started) / count * 1e6)


def keep_partial(results: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """A failed run's rows so far, for a look (never used as results)."""
    partial = Path(tempfile.gettempdir()) / "sipgate-bench-partial.json"
    partial.write_text(json.dumps({**results, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    print(f"the run failed; its rows so far are in {partial}", flush=True)


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run everything; return the results."""
    plan = QUICK if args.quick else FULL
    pool = Pool()
    work = Path(tempfile.mkdtemp(prefix="sipgate-bench-"))
    key_file = work / "bench-public-key.pem"
    key_file.write_bytes(pool.public_pem())
    ha_cwd = work / "cwd"  # outside the repository: see the module's docstring
    ha_cwd.mkdir()
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "load_average_before": load_average(),
        "quick": args.quick,
    }
    rows: list[dict[str, Any]] = []
    with ExitStack() as stack:
        standin = stack.enter_context(run_standin(work))
        standin = replace(standin, public_key_file=key_file)
        a_dir = work / "a"
        a_dir.mkdir()
        hass = stack.enter_context(
            run_home_assistant(a_dir, standin, configure=lambda d: add_bench_component(d, ""), cwd=ha_cwd)
        )
        target = setup_target(hass, standin)
        results["recorder_thread"] = target.recorder_tid_source
        results["ha_version"] = hass.api("GET", "/api/config")["version"]
        bench = Bench(target, args.node_url, args.node_pid, work, "recorder on")
        try:
            extra = await phase_recorder_on(bench, pool, plan)
        except Exception:
            keep_partial(results, bench.rows)
            raise
        results.update(extra)
        results["profile"] = await profile_calls(bench, pool, plan, work)
        exclusion = recorder_exclusion(hass)
        rows += bench.rows
        stack.close()

    with ExitStack() as stack:
        standin = stack.enter_context(run_standin(work))
        standin = replace(standin, public_key_file=key_file)
        b_dir = work / "b"
        b_dir.mkdir()
        hass = stack.enter_context(
            run_home_assistant(
                b_dir, standin, configure=lambda d: add_bench_component(d, exclusion), cwd=ha_cwd
            )
        )
        target = setup_target(hass, standin)
        bench = Bench(target, args.node_url, args.node_pid, work, "integration not recorded")
        try:
            await phase_recorder_excluded(bench, pool, plan)
        except Exception:
            keep_partial(results, rows + bench.rows)
            raise
        rows += bench.rows
    pool.save()
    results["rows"] = rows
    results["recorder_exclusion"] = exclusion.strip()
    results["import_ms"] = import_time()
    results["rsa_verify_us"] = rsa_verify_us(pool)
    results["load_average_after"] = load_average()
    results["finished"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    shutil.rmtree(work, ignore_errors=True)
    return results


def main() -> None:
    """Parse the arguments, measure, summarise, store."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--node-url", default="", help="the Node reference server (scripts/bench starts it)")
    parser.add_argument("--node-pid", type=int, help="its process id, for its CPU figures")
    parser.add_argument("--quick", action="store_true", help="a short smoke run; writes nothing")
    parser.add_argument("--prepare", action="store_true", help="only sign the full run's pool")
    args = parser.parse_args()
    if args.prepare:
        prepare()
        return
    from bench import report  # noqa: PLC0415

    if not args.node_url:
        parser.error("--node-url is needed (scripts/bench starts the Node server)")
    results = asyncio.run(measure(args))
    summary = report.summarise(results)
    results["summary"] = summary
    text = report.markdown(results)
    print(text)
    if args.quick:
        (Path(tempfile.gettempdir()) / "sipgate-bench-quick.json").write_text(
            json.dumps(results, indent=2) + "\n"
        )
        return
    (REPO / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    report.write_readme(REPO / "README.md", text)


def prepare() -> None:
    """Sign every push the full run sends (kept in bench/.pool/ for later runs)."""
    pool = Pool()
    plan = FULL
    for rep in [*range(plan.first_rep, plan.first_rep + plan.repetitions), 9]:
        calls = Allocator(pool, rep)
        if rep == 9:
            calls.calls(plan.profile_calls, LIFECYCLE)
        else:
            paced = plan.paced_seconds * PACED_CALLS_PER_S
            for count, events in (
                (plan.c1_lifecycle_calls, LIFECYCLE),
                (plan.c32_lifecycle_calls, LIFECYCLE),
                (plan.answered_calls, REJECTED),
                (paced, LIFECYCLE),
                (paced, REJECTED),
                (paced, LIFECYCLE),
                (plan.c1_newcall_calls, NEW_CALL_ONLY),
                (plan.c32_newcall_calls, NEW_CALL_ONLY),
            ):
                calls.calls(count, events)
        pool.save()
        print(f"repetition {rep} signed", flush=True)


if __name__ == "__main__":
    main()
