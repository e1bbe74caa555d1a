"""Announcement audio: sipgate plays WAV, mono, 16-bit PCM, 8 kHz from a public URL.

Only the header is read (a ranged request for the first bytes): it tells the
format and, with the file size, how long the announcement plays, which is
what hanging up after an announcement needs.
"""

import asyncio
from dataclasses import dataclass
import re
import struct

import aiohttp
from yarl import URL

from .exceptions import SipgateConnectionError, SipgateValidationError
from .validation import validate_http_url
from .wav import PCM, SIPGATE_RATE

HEADER_BYTES = 4096
_CONTENT_RANGE_TOTAL = re.compile(r"/(\d+)\s*$")
# Redirects followed (same scheme, host and port only).
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class WavInfo:
    """What a WAV header says."""

    audio_format: int
    channels: int
    sample_rate: int
    bits_per_sample: int
    duration: float

    @property
    def suits_sipgate(self) -> bool:
        """Mono, 16-bit PCM at 8 kHz, the only format sipgate plays."""
        return (self.audio_format, self.channels, self.sample_rate, self.bits_per_sample) == (
            PCM,
            1,
            SIPGATE_RATE,
            16,
        )


def parse_wav_header(header: bytes, *, file_size: int | None = None) -> WavInfo:
    """Read format and duration from the start of a WAV file.

    ``file_size`` (the whole file's length) is used when the ``data`` chunk
    does not state its size (streamed files write 0 or 0xFFFFFFFF there).
    """
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        raise SipgateValidationError("url: the audio is not a WAV file", field="url", value=None)
    offset = 12
    fmt: tuple[int, int, int, int, int] | None = None
    while offset + 8 <= len(header):
        chunk_id, chunk_size = header[offset : offset + 4], struct.unpack_from("<I", header, offset + 4)[0]
        body = offset + 8
        if chunk_id == b"fmt " and body + 16 <= len(header):
            audio_format, channels, sample_rate, byte_rate, _align, bits = struct.unpack_from(
                "<HHIIHH", header, body
            )
            fmt = (audio_format, channels, sample_rate, byte_rate, bits)
        elif chunk_id == b"data" and fmt is not None:
            audio_format, channels, sample_rate, byte_rate, bits = fmt
            if chunk_size in (0, 0xFFFFFFFF) and file_size is not None:
                chunk_size = max(0, file_size - body)
            duration = chunk_size / byte_rate if byte_rate else 0.0
            return WavInfo(audio_format, channels, sample_rate, bits, duration)
        offset = body + chunk_size + (chunk_size & 1)
    raise SipgateValidationError(
        "url: the WAV header has no format or data chunk in its first bytes", field="url", value=None
    )


async def fetch_wav_info(
    session: aiohttp.ClientSession, url: str, *, request_timeout: float = 10.0
) -> WavInfo:
    """Fetch just the header of the WAV at ``url`` and read it.

    Redirects are followed only to the same scheme, host and port (at most
    :data:`MAX_REDIRECTS`): a public URL must not make the caller fetch an
    address of its own network. At most :data:`HEADER_BYTES` are read, within
    ``request_timeout`` seconds for all hops together.
    """
    url = validate_http_url(url)
    origin = URL(url).origin()
    try:
        async with asyncio.timeout(request_timeout):
            for _hop in range(MAX_REDIRECTS + 1):
                async with session.get(
                    url, headers={"Range": f"bytes=0-{HEADER_BYTES - 1}"}, allow_redirects=False
                ) as response:
                    if response.status in _REDIRECTS:
                        url = _same_origin_redirect(origin, URL(url), response.headers.get("Location", ""))
                        continue
                    response.raise_for_status()
                    header = await response.content.read(HEADER_BYTES)
                    total: int | None = None
                    if match := _CONTENT_RANGE_TOTAL.search(response.headers.get("Content-Range", "")):
                        total = int(match.group(1))
                    elif response.status == 200 and response.content_length is not None:
                        total = response.content_length
                    return parse_wav_header(header, file_size=total)
    except (TimeoutError, aiohttp.ClientError) as err:
        raise SipgateConnectionError(f"Cannot read the audio at {url}: {err}") from err
    raise SipgateValidationError(
        f"url: the audio redirects more than {MAX_REDIRECTS} times", field="url", value=url
    )


def _same_origin_redirect(origin: URL, current: URL, location: str) -> str:
    """The absolute target of a redirect, refused unless it stays on ``origin``."""
    try:
        target = current.join(URL(location))
    except ValueError:
        target = None
    if not location or target is None or target.origin() != origin:
        raise SipgateValidationError(
            "url: the audio redirects to another host, which is not followed", field="url", value=location
        )
    return str(target)
