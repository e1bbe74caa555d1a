"""Any PCM WAV becomes sipgate's WAV (mono, 16-bit PCM, 8 kHz) without ffmpeg."""

from array import array
import io
import math
import struct
import wave

import pytest

from custom_components.sipgate.api import SipgateValidationError
from custom_components.sipgate.api.audio import parse_wav_header
from custom_components.sipgate.api.wav import NotWavError, to_sipgate_wav


def riff(fmt: bytes, frames: bytes, *, data_size: int | None = None, extra: bytes = b"") -> bytes:
    """A WAV file from a fmt chunk body and sample data (``data_size`` overrides the stated size)."""
    size = len(frames) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra + b"data" + struct.pack("<I", size)
    return b"RIFF" + struct.pack("<I", len(body) + len(frames)) + body + frames


def fmt_chunk(audio_format: int, channels: int, rate: int, bits: int) -> bytes:
    """The 16-byte fmt chunk body."""
    align = channels * bits // 8
    return struct.pack("<HHIIHH", audio_format, channels, rate, rate * align, align, bits)


def read(audio: bytes) -> tuple[tuple[int, int, int], list[int]]:
    """Format (channels, sample width, rate) and samples of a 16-bit WAV."""
    with wave.open(io.BytesIO(audio)) as w:
        samples = array("h")
        samples.frombytes(w.readframes(w.getnframes()))
        return (w.getnchannels(), w.getsampwidth(), w.getframerate()), list(samples)


def sine(rate: int, seconds: float, amplitude: float = 0.5) -> list[float]:
    """A 300 Hz sine (speech range) as floats in -1 … 1."""
    return [amplitude * math.sin(2 * math.pi * 300 * i / rate) for i in range(round(rate * seconds))]


def test_stereo_22050_becomes_mono_8000_of_the_same_length() -> None:
    """Channels are averaged, the rate brought down; the tone and its length stay."""
    left = sine(22050, 0.5)
    frames = array("h", [round(v * 32767) for pair in zip(left, left, strict=True) for v in pair]).tobytes()
    result = to_sipgate_wav(riff(fmt_chunk(1, 2, 22050, 16), frames))

    (fmt, samples) = read(result.data)
    assert fmt == (1, 2, 8000)
    assert result.duration == pytest.approx(0.5, abs=1 / 8000)
    assert len(samples) == 4000
    expected = sine(8000, 0.5)
    # The mean over each output period shifts the tone by under half an input period.
    assert max(abs(s / 32767 - e) for s, e in zip(samples, expected, strict=True)) < 0.05
    info = parse_wav_header(result.data)
    assert info.suits_sipgate
    assert info.duration == pytest.approx(0.5, abs=1 / 8000)


@pytest.mark.parametrize(
    ("audio_format", "bits", "encode"),
    [
        (1, 8, lambda v: bytes([round(v * 127) + 128])),
        (1, 16, lambda v: struct.pack("<h", round(v * 32767))),
        (1, 24, lambda v: round(v * 8388607).to_bytes(3, "little", signed=True)),
        (1, 32, lambda v: struct.pack("<i", round(v * 2147483647))),
        (3, 32, lambda v: struct.pack("<f", v)),
    ],
)
def test_every_sample_format_is_read(audio_format: int, bits: int, encode: object) -> None:
    """8, 16, 24 and 32-bit integers and 32-bit floats, already at 8 kHz: the samples stay."""
    tone = sine(8000, 0.1)
    frames = b"".join(encode(v) for v in tone)  # type: ignore[operator]
    (fmt, samples) = read(to_sipgate_wav(riff(fmt_chunk(audio_format, 1, 8000, bits), frames)).data)

    assert fmt == (1, 2, 8000)
    assert max(abs(s / 32767 - e) for s, e in zip(samples, tone, strict=True)) < 0.01


def test_extensible_format_and_a_chunk_before_the_data() -> None:
    """WAVE_FORMAT_EXTENSIBLE (as some engines write) with a LIST chunk between fmt and data."""
    fmt = fmt_chunk(0xFFFE, 1, 16000, 16) + struct.pack("<HHIH", 22, 16, 4, 1) + b"\0" * 14
    frames = array("h", [1000] * 1600).tobytes()
    result = to_sipgate_wav(riff(fmt, frames, extra=b"LIST" + struct.pack("<I", 5) + b"INFOx\0"))

    (fmt_read, samples) = read(result.data)
    assert fmt_read == (1, 2, 8000)
    assert samples == [1000] * 800


def test_a_streamed_wav_with_unknown_sizes() -> None:
    """Ffmpeg writing to a pipe leaves the data size unknown: the data runs to the end."""
    frames = array("h", range(800)).tobytes()
    result = to_sipgate_wav(riff(fmt_chunk(1, 1, 8000, 16), frames, data_size=0xFFFFFFFF))

    assert read(result.data)[1] == list(range(800))
    assert result.duration == 0.1


def test_a_low_rate_is_interpolated_up() -> None:
    """6 kHz becomes 8 kHz by linear interpolation."""
    frames = array("h", [0, 300, 600, 900, 1200, 1500]).tobytes()
    (_, samples) = read(to_sipgate_wav(riff(fmt_chunk(1, 1, 6000, 16), frames)).data)

    assert samples == [0, 225, 450, 675, 900, 1125, 1350, 1500]


def test_sipgates_format_keeps_its_samples() -> None:
    """Nothing to convert: the same samples under a fresh, complete header."""
    frames = array("h", [5, -5, 32767, -32768]).tobytes()
    result = to_sipgate_wav(riff(fmt_chunk(1, 1, 8000, 16), frames, data_size=0))

    assert read(result.data)[1] == [5, -5, 32767, -32768]


@pytest.mark.parametrize(
    ("audio", "error", "message"),
    [
        (b"ID3\x04" + b"\0" * 40, NotWavError, "not a WAV file"),
        (b"RIFF\0\0\0\0WAVEfmt ", SipgateValidationError, "no format or no data chunk"),
        (riff(fmt_chunk(1, 1, 8000, 16), b"")[:36], SipgateValidationError, "no format or no data chunk"),
        (b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0", SipgateValidationError, "no format or no data chunk"),
        (b"RIFF\0\0\0\0WAVEdata\x02\0\0\0\0\0", SipgateValidationError, "no format or no data chunk"),
        (riff(fmt_chunk(2, 1, 8000, 4), b"\0" * 8), SipgateValidationError, "encoding 2 is not PCM"),
        (riff(fmt_chunk(1, 1, 8000, 12), b"\0" * 8), SipgateValidationError, "12-bit samples"),
        (riff(fmt_chunk(1, 0, 8000, 16), b"\0" * 8), SipgateValidationError, "no channels"),
    ],
)
def test_what_cannot_be_converted(audio: bytes, error: type[Exception], message: str) -> None:
    """MP3 (needs ffmpeg), broken files, compressed or odd encodings: a validation error that says why."""
    with pytest.raises(error, match=message):
        to_sipgate_wav(audio)
