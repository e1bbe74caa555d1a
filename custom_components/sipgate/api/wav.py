"""Turning any PCM WAV into the one format sipgate plays: mono, 16-bit PCM, 8 kHz.

Pure Python (the standard library's ``array`` and ``wave``), so spoken
announcements work without ffmpeg when the speech engine delivers WAV:
channels are averaged, the sample rate is brought to 8 kHz (each output
sample is the mean of the input samples of its period, a simple low-pass
that keeps speech clear; rates below 8 kHz are interpolated linearly) and
samples become 16-bit. The result has a complete header (sizes filled in), so
its length can be read from it.
"""

from array import array
from dataclasses import dataclass
import io
import struct
import sys
import wave

from .exceptions import SipgateValidationError

SIPGATE_RATE = 8000
PCM = 1
IEEE_FLOAT = 3
EXTENSIBLE = 0xFFFE
_STREAMED_SIZES = (0, 0xFFFFFFFF)


class NotWavError(SipgateValidationError):
    """The audio is not a WAV file (MP3, Ogg …): converting it needs ffmpeg."""


@dataclass(frozen=True, slots=True)
class SipgateAudio:
    """A WAV sipgate can play and how long it plays."""

    data: bytes
    duration: float


@dataclass(frozen=True, slots=True)
class _Pcm:
    audio_format: int
    channels: int
    sample_rate: int
    bits: int
    frames: bytes


def _invalid(message: str) -> SipgateValidationError:
    return SipgateValidationError(message, field="audio", value=None)


def _read(data: bytes) -> _Pcm:
    """The format and sample data of a WAV file, also one written to a pipe (sizes unknown)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise NotWavError("the audio is not a WAV file", field="audio", value=None)
    offset = 12
    fmt: tuple[int, int, int, int] | None = None
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        body = offset + 8
        if chunk_id == b"fmt ":
            if body + 16 > len(data):
                break
            audio_format, channels, rate, _byte_rate, _align, bits = struct.unpack_from("<HHIIHH", data, body)
            if audio_format == EXTENSIBLE and size >= 40 and body + 26 <= len(data):
                (audio_format,) = struct.unpack_from("<H", data, body + 24)
            fmt = (audio_format, channels, rate, bits)
        elif chunk_id == b"data":
            if fmt is None:
                break
            end = len(data) if size in _STREAMED_SIZES else min(len(data), body + size)
            return _Pcm(*fmt, frames=data[body:end])
        offset = body + size + (size & 1)
    raise _invalid("the WAV file has no format or no data chunk")


def _little_endian[T: (array[int], array[float])](values: T, data: bytes = b"", width: int = 1) -> T:
    """``values`` extended by ``data`` (whole samples of ``width`` bytes), in or out of WAV's byte order."""
    values.frombytes(data[: len(data) // width * width])
    if sys.byteorder == "big":  # pragma: no cover - Home Assistant runs on little-endian machines
        values.byteswap()
    return values


def _samples(pcm: _Pcm) -> array[float] | array[int]:
    """The interleaved samples, scaled to the 16-bit range."""
    frames, bits = pcm.frames, pcm.bits
    if pcm.audio_format == IEEE_FLOAT and bits == 32:
        floats = _little_endian(array("f"), frames, 4)
        return array("d", (max(-1.0, min(1.0, value)) * 32767.0 for value in floats))
    if pcm.audio_format != PCM:
        raise _invalid(f"the WAV file's encoding {pcm.audio_format} is not PCM")
    match bits:
        case 8:
            return array("i", ((value - 128) << 8 for value in frames))
        case 16:
            return _little_endian(array("h"), frames, 2)
        case 24:
            usable = len(frames) // 3 * 3
            return array(
                "i",
                (int.from_bytes(frames[i : i + 3], "little", signed=True) >> 8 for i in range(0, usable, 3)),
            )
        case 32:
            return array("i", (value >> 16 for value in _little_endian(array("i"), frames, 4)))
    raise _invalid(f"the WAV file's {bits}-bit samples are not supported")


def _mono(samples: array[float] | array[int], channels: int) -> list[float]:
    if channels <= 1:
        return [float(value) for value in samples]
    usable = len(samples) // channels * channels
    return [sum(samples[i : i + channels]) / channels for i in range(0, usable, channels)]


def _resample(samples: list[float], rate: int) -> list[float]:
    """``samples`` at ``rate`` Hz as samples at 8 kHz."""
    if rate == SIPGATE_RATE or not samples:
        return samples
    count = len(samples) * SIPGATE_RATE // rate
    step = rate / SIPGATE_RATE
    if rate > SIPGATE_RATE:
        # The mean over each output sample's period (prefix sums keep it linear in time).
        prefix = [0.0]
        total = 0.0
        for value in samples:
            total += value
            prefix.append(total)
        out = []
        for index in range(count):
            start = int(index * step)
            end = max(start + 1, min(len(samples), int((index + 1) * step)))
            out.append((prefix[end] - prefix[start]) / (end - start))
        return out
    last = len(samples) - 1
    out = []
    for index in range(count):
        position = index * step
        low = int(position)
        high = min(low + 1, last)
        fraction = position - low
        out.append(samples[low] * (1 - fraction) + samples[high] * fraction)
    return out


def to_sipgate_wav(data: bytes) -> SipgateAudio:
    """``data`` (a PCM or float WAV in any rate and channel count) as sipgate's WAV.

    A file already in sipgate's format keeps its samples; only the header is
    written anew. Raises :class:`NotWavError` for other containers.
    """
    pcm = _read(data)
    if pcm.channels < 1 or pcm.sample_rate < 1:
        raise _invalid("the WAV file has no channels or no sample rate")
    if (pcm.audio_format, pcm.channels, pcm.sample_rate, pcm.bits) == (PCM, 1, SIPGATE_RATE, 16):
        frames = pcm.frames[: len(pcm.frames) // 2 * 2]
    else:
        mono = _resample(_mono(_samples(pcm), pcm.channels), pcm.sample_rate)
        frames = _little_endian(
            array("h", (max(-32768, min(32767, round(value))) for value in mono))
        ).tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SIPGATE_RATE)
        writer.writeframes(frames)
    return SipgateAudio(buffer.getvalue(), len(frames) / 2 / SIPGATE_RATE)
