"""Benchmark helpers inside the measured Home Assistant process (never shipped to users).

* ``bench-bare``: a bare webhook, the baseline. It reads the body and answers a fixed XML
  reply of the size of the integration's default reply, marked ``bench_bare`` so that the
  benchmark can tell it from Home Assistant's answer to an unregistered webhook (200, empty).
* ``bench-probe``: what the benchmark reads from inside: how often the bare webhook answered,
  the event loop's lag (a timer every 50 ms records how late it runs), the garbage collector's
  pauses (count, total and longest, from ``gc.callbacks``, in whichever thread), the native thread ids
  of the loop and of every Python thread, and ``?action=drain``, which waits until the
  recorder has written and committed everything queued so far.
"""

import asyncio
import gc
import threading
import time
from typing import Any

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.helpers.typing import ConfigType

DOMAIN = "bench_bare"
WEBHOOK_ID = "bench-bare"
PROBE_ID = "bench-probe"
MARKER = "bench_bare"
REPLY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Response bench="bench_bare" onAnswer="http://127.0.0.1/api/webhook/bench-bare" '
    b'onHangup="http://127.0.0.1/api/webhook/bench-bare" />'
)
LAG_INTERVAL = 0.050


class Probe:
    """Counts bare hits and samples the event loop's lag."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start the lag timer."""
        self.hass = hass
        self.hits = 0
        self.lags: list[float] = []
        self._due = 0.0
        self._handle: asyncio.TimerHandle | None = None
        self.loop_thread_id = threading.get_native_id()
        self._gc_started = 0.0
        self._gc_reset()
        gc.callbacks.append(self._gc)
        self._schedule()

    def _gc_reset(self) -> None:
        # Bounded: a count, a sum and a maximum per generation, never a list of pauses.
        self.gc_pauses = {generation: [0, 0.0, 0.0] for generation in range(3)}

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        """``gc.callbacks``: time each collection (it runs with the GIL held; nothing runs meanwhile)."""
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        pause = time.perf_counter() - self._gc_started
        figures = self.gc_pauses.setdefault(info.get("generation", 2), [0, 0.0, 0.0])
        figures[0] += 1
        figures[1] += pause
        figures[2] = max(figures[2], pause)

    def gc(self) -> dict[str, Any]:
        """Collections since the last reset: count, total and longest pause (ms), per generation."""
        per = {
            str(generation): {"count": c, "total_ms": round(t * 1000, 2), "max_ms": round(m * 1000, 2)}
            for generation, (c, t, m) in sorted(self.gc_pauses.items())
        }
        return {
            "count": sum(c for c, _, _ in self.gc_pauses.values()),
            "total_ms": round(sum(t for _, t, _ in self.gc_pauses.values()) * 1000, 2),
            "max_ms": round(max(m for _, _, m in self.gc_pauses.values()) * 1000, 2),
            "generations": per,
        }

    def _schedule(self) -> None:
        loop = self.hass.loop
        self._due = loop.time() + LAG_INTERVAL
        self._handle = loop.call_at(self._due, self._tick)

    def _tick(self) -> None:
        self.lags.append(self.hass.loop.time() - self._due)
        self._schedule()

    def stop(self) -> None:
        """Stop the lag timer and the collector's timing."""
        if self._handle is not None:
            self._handle.cancel()
        if self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)

    def lag(self) -> dict[str, Any]:
        """Lag figures (ms) since the last reset."""
        ordered = sorted(self.lags)
        if not ordered:
            return {"samples": 0}

        def at(fraction: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 2)

        return {"samples": len(ordered), "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": at(1.0)}


async def _bare(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
    await request.read()
    hass.data[DOMAIN].hits += 1
    return web.Response(body=REPLY, content_type="application/xml")


async def _probe(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
    probe: Probe = hass.data[DOMAIN]
    action = request.query.get("action", "stats")
    if action == "drain":
        from homeassistant.components.recorder import get_instance  # noqa: PLC0415

        await asyncio.wait_for(
            get_instance(hass).async_block_till_done(), timeout=float(request.query.get("timeout", 120))
        )
        return web.json_response({"drained": True})
    result: dict[str, Any] = {
        "marker": MARKER,
        "hits": probe.hits,
        "lag": probe.lag(),
        "gc": probe.gc(),
        "loop_thread_id": probe.loop_thread_id,
        "threads": {thread.name: thread.native_id for thread in threading.enumerate()},
    }
    if action == "reset":
        probe.lags = []
        probe._gc_reset()  # noqa: SLF001 - the probe's own module
    return web.json_response(result)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the bare webhook and the probe."""
    hass.data[DOMAIN] = Probe(hass)
    webhook.async_register(hass, DOMAIN, "bench bare", WEBHOOK_ID, _bare, allowed_methods=["POST"])
    webhook.async_register(
        hass, DOMAIN, "bench probe", PROBE_ID, _probe, local_only=True, allowed_methods=["GET", "POST"]
    )
    return True
