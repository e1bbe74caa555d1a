"""What sipgate does with an announcement URL: fetch it and play it only if it is its one format.

sipgate plays WAV, mono, 16-bit PCM, 8 kHz from a public http(s) URL. The
stand-in fetches every URL of a ``<Play>`` (also inside ``<Gather>``) and of
``POST /calls/{callId}/announcements`` and checks the file, so tests prove
that sipgate would accept it. A URL it cannot fetch, or a file in another
format, is reported the way sipgate handles it: the call goes on without the
audio.
"""

import asyncio
from dataclasses import dataclass
import struct
from typing import Final
from urllib.parse import urlsplit

import aiohttp

FETCH_TIMEOUT: Final = 10.0
MAX_AUDIO_BYTES: Final = 20 * 1024 * 1024
_SIPGATE_FORMAT: Final = (1, 1, 8000, 16)


@dataclass(frozen=True, slots=True)
class AudioCheck:
    """The result of fetching one announcement: ``error`` is ``None`` when sipgate would play it."""

    url: str
    error: str | None = None
    duration: float = 0.0

    @property
    def outcome(self) -> str:
        """The line in the call's report."""
        if self.error is None:
            return f"played {self.url} ({self.duration:.2f} s)"
        return f"did not play {self.url}: {self.error}; the call goes on without the audio"

    def to_json(self) -> dict[str, object]:
        """For the call's actions (``GET /_standin/state``)."""
        return {
            "url": self.url,
            "accepted": self.error is None,
            "error": self.error,
            "duration": self.duration,
        }


def check_wav(data: bytes) -> tuple[str | None, float]:
    """Whether ``data`` is sipgate's WAV format (an error text, or ``None``) and its length in seconds."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return "not a WAV file", 0.0
    offset = 12
    fmt: tuple[int, int, int, int, int] | None = None
    while offset + 8 <= len(data):
        chunk, size = data[offset : offset + 4], struct.unpack_from("<I", data, offset + 4)[0]
        body = offset + 8
        if chunk == b"fmt " and body + 16 <= len(data):
            audio_format, channels, rate, byte_rate, _align, bits = struct.unpack_from("<HHIIHH", data, body)
            fmt = (audio_format, channels, rate, bits, byte_rate)
        elif chunk == b"data":
            if fmt is None:
                break
            if fmt[:4] != _SIPGATE_FORMAT:
                audio_format, channels, rate, bits, _ = fmt
                encoding = "PCM" if audio_format == 1 else f"encoding {audio_format}"
                return (
                    f"the WAV is {channels} channel(s), {bits}-bit {encoding}, {rate} Hz; "
                    "sipgate plays only mono 16-bit PCM 8 kHz"
                ), 0.0
            length = min(size, len(data) - body)
            return None, length / fmt[4] if fmt[4] else 0.0
        offset = body + size + (size & 1)
    return "the WAV has no format or no data chunk", 0.0


async def fetch_announcement(session: aiohttp.ClientSession, url: str) -> AudioCheck:
    """Fetch ``url`` as sipgate does and check the file."""
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        return AudioCheck(url, "not an http(s) URL")
    try:
        async with asyncio.timeout(FETCH_TIMEOUT), session.get(url) as response:
            if response.status != 200:
                return AudioCheck(url, f"HTTP {response.status}")
            data = await response.content.read(MAX_AUDIO_BYTES + 1)
    except TimeoutError:
        return AudioCheck(url, f"no audio within {FETCH_TIMEOUT:g} s")
    except aiohttp.ClientError as err:
        return AudioCheck(url, f"cannot fetch: {err}")
    if len(data) > MAX_AUDIO_BYTES:
        return AudioCheck(url, "the file is too large")
    error, duration = check_wav(data)
    return AudioCheck(url, error, duration)
