"""Load generators of the benchmark, for loopback targets only.

* ``run_wrk``: saturation. ``wrk`` (keep-alive, one thread) posts each request of a pool
  file exactly once (``bench/wrk_pool.lua``), as fast as the server answers on ``c``
  connections; the latency percentiles are wrk's (``--latency``).
* ``run_paced``: a realistic rate. An open-loop client of our own sends each request at its
  scheduled time whatever the server's state (a late reply does not delay the next request),
  over a few keep-alive connections; latency is counted from the scheduled time, so a
  stalled server shows as latency, not as a lower rate.
"""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import signal
import subprocess
import time
from urllib.parse import urlsplit

LUA = Path(__file__).resolve().parent / "wrk_pool.lua"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Request:
    """One request: path (with query), body, signature ('' for none), what it is (for the figures)."""

    path: str
    body: bytes
    signature: str = ""
    kind: str = ""


@dataclass
class Load:
    """What one load run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    matched: int
    non_200: int
    errors: int
    tallied: int = 0
    kinds: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def _check_loopback(url: str) -> None:
    if urlsplit(url).hostname not in LOOPBACK:
        raise ValueError("load is only ever sent to loopback addresses")


def write_pool(path: Path, requests: Sequence[Request]) -> None:
    """The pool file wrk_pool.lua reads: one "path<TAB>signature<TAB>body" a line."""
    with path.open("w", encoding="utf-8") as pool:
        for r in requests:
            text = r.body.decode()
            if "\t" in text or "\n" in text or "\t" in r.path:
                raise ValueError(f"a pool request cannot hold tabs or newlines: {r.path} {text}")
            pool.write(f"{r.path}\t{r.signature}\t{text}\n")


def run_wrk(
    url: str,
    requests: Sequence[Request],
    *,
    concurrency: int,
    work_dir: Path,
    marker: str = "",
    tally: str = "",
    headers: Sequence[str] = (),
    on_start: Callable[[], None] | None = None,
    on_done: Callable[[], None] | None = None,
    time_limit: int = 300,
) -> Load:
    """Send every request once with wrk over ``concurrency`` keep-alive connections.

    ``on_start`` runs right before wrk starts, ``on_done`` right when the last reply is in
    (the CPU counters are read there). Every reply must contain ``marker``.
    """
    _check_loopback(url)
    pool_file = work_dir / "wrk-pool.txt"
    write_pool(pool_file, requests)
    command = [
        "wrk",
        "-t1",
        f"-c{concurrency}",
        f"-d{time_limit}s",
        "--timeout",
        "60s",
        "--latency",
        "-s",
        str(LUA),
        url,
        "--",
        str(pool_file),
        str(len(requests)),
        marker,
        tally,
        *headers,
    ]
    if on_start:
        on_start()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if process.stdout is None:
        raise RuntimeError("wrk has no output pipe")
    output = []
    done = None
    for line in process.stdout:
        output.append(line)
        if line.startswith("BENCH-DONE"):
            if on_done:
                on_done()
            done = [float(x) for x in line.split()[1:3]]
            process.send_signal(signal.SIGINT)  # wrk sleeps until its duration ends otherwise
    process.wait(timeout=60)
    text = "".join(output)
    result_line = next((x for x in output if x.startswith("BENCH-RESULT")), None)
    if done is None or result_line is None:
        raise RuntimeError(f"wrk did not finish its {len(requests)} requests:\n{text}")
    figures = json.loads(result_line.removeprefix("BENCH-RESULT "))
    count = int(figures["received"])
    if int(figures["sent"]) != len(requests) or count != len(requests):
        raise RuntimeError(f"wrk sent {figures['sent']}, received {count} of {len(requests)}:\n{text}")
    return Load(
        requests=count,
        seconds=done[1] - done[0],
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        matched=int(figures["matched"]),
        non_200=int(figures["non_200"]),
        errors=int(figures["errors"]),
        tallied=int(figures["tallied"]),
    )


def _http_request(host: str, r: Request, headers: Sequence[str]) -> bytes:
    lines = [
        f"POST {r.path} HTTP/1.1",
        f"Host: {host}",
        f"Content-Length: {len(r.body)}",
        "Content-Type: application/x-www-form-urlencoded",
        *headers,
    ]
    if r.signature:
        lines.append(f"X-Sipgate-Signature: {r.signature}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + r.body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, chunked = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    body = b""
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            body += (await reader.readexactly(size + 2))[:-2]
            if size == 0:
                break
    elif length:
        body = await reader.readexactly(length)
    return status, body


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def run_paced(
    url: str,
    schedule: Sequence[tuple[float, Request]],
    *,
    marker: str = "",
    tally: str = "",
    headers: Sequence[str] = (),
    connections: int = 8,
    on_start: Callable[[], None] | None = None,
    on_done: Callable[[], None] | None = None,
) -> Load:
    """Send each request at its time (seconds from the start) over up to ``connections`` connections."""
    _check_loopback(url)
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    opened = []
    for _ in range(connections):
        pair = await asyncio.open_connection(host, port)
        opened.append(pair)
        idle.put_nowait(pair)
    latencies: dict[str, list[float]] = {}
    everything: list[float] = []
    counts = {"matched": 0, "non_200": 0, "tallied": 0}
    if on_start:
        on_start()
    start = time.monotonic()

    async def send(at: float, r: Request) -> None:
        reader, writer = await idle.get()
        try:
            writer.write(_http_request(f"{host}:{port}", r, headers))
            await writer.drain()
            status, body = await _read_response(reader)
        finally:
            idle.put_nowait((reader, writer))
        latency = (time.monotonic() - start - at) * 1000
        everything.append(latency)
        latencies.setdefault(r.kind, []).append(latency)
        counts["non_200"] += status != 200
        counts["matched"] += not marker or marker.encode() in body
        counts["tallied"] += bool(tally) and tally.encode() in body

    tasks = []
    for at, r in schedule:
        delay = start + at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(at, r)))
    await asyncio.gather(*tasks)
    seconds = time.monotonic() - start
    if on_done:
        on_done()
    for _, writer in opened:
        writer.close()
    ordered = sorted(everything)
    kinds = {}
    for kind, values in latencies.items():
        values.sort()
        kinds[kind] = {
            "p50_ms": round(_percentile(values, 0.5), 2),
            "p99_ms": round(_percentile(values, 0.99), 2),
            "max_ms": round(values[-1], 2),
            "count": len(values),
        }
    return Load(
        requests=len(ordered),
        seconds=seconds,
        p50_ms=_percentile(ordered, 0.5),
        p99_ms=_percentile(ordered, 0.99),
        max_ms=ordered[-1] if ordered else 0.0,
        matched=counts["matched"],
        non_200=counts["non_200"],
        errors=0,
        tallied=counts["tallied"],
        kinds=kinds,
    )


def clock_ticks() -> int:
    """Kernel clock ticks per second (/proc CPU times)."""
    return os.sysconf("SC_CLK_TCK")
