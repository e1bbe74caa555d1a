"""A small HTTP/1.1 load generator for loopback targets, bounded in count and time.

Each of ``concurrency`` keep-alive connections posts its share of the bodies one
after another; latency is measured per request, from the first byte written to
the last byte of the reply read.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
import statistics
import time
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Result:
    """What one load run measured."""

    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def throughput(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """Latency at ``fraction`` (0.5 = median), in milliseconds."""
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
        return ordered[index] * 1000

    @property
    def p50(self) -> float:
        """Median latency (ms)."""
        return self.percentile(0.5)

    @property
    def p99(self) -> float:
        """99th-percentile latency (ms)."""
        return self.percentile(0.99)

    @property
    def mean(self) -> float:
        """Mean latency (ms)."""
        return statistics.fmean(self.latencies) * 1000


def _request(host: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        f"Content-Length: {len(body)}",
        "Connection: keep-alive",
    ]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def run_load(
    url: str,
    requests: Sequence[tuple[bytes, dict[str, str]] | tuple[bytes, dict[str, str], str]],
    *,
    concurrency: int,
    time_limit: float = 120.0,
) -> Result:
    """Post every (body, headers) of ``requests`` to ``url`` over ``concurrency`` connections.

    An item with a third element posts to that path and query instead of ``url``'s path.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("load is only ever sent to loopback addresses")
    queue: asyncio.Queue[tuple[bytes, dict[str, str]] | tuple[bytes, dict[str, str], str]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + time_limit

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while not queue.empty() and time.monotonic() < deadline:
                item = queue.get_nowait()
                body, headers = item[0], item[1]
                path = item[2] if len(item) > 2 else parts.path  # type: ignore[misc]
                started = time.perf_counter()
                writer.write(_request(f"{host}:{port}", path, body, headers))
                await writer.drain()
                status = await _read_response(reader)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(len(latencies), time.perf_counter() - started, latencies, statuses)
