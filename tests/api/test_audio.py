"""Announcement audio: reading a WAV header for its format and length."""

import io
import socket
import struct
import wave

from aiohttp import ClientSession, web
import pytest

from custom_components.sipgate.api.audio import HEADER_BYTES, WavInfo, fetch_wav_info, parse_wav_header
from custom_components.sipgate.api.exceptions import SipgateConnectionError, SipgateValidationError

from .conftest import Answer, FakeSipgate

PCM = 1
IEEE_FLOAT = 3


def wav_file(seconds: float, *, rate: int = 8000, channels: int = 1, width: int = 2) -> bytes:
    """A complete WAV file of silence, as the ``wave`` module writes it."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(b"\0" * round(seconds * rate) * channels * width)
    return buffer.getvalue()


def chunk(chunk_id: bytes, body: bytes, *, size: int | None = None) -> bytes:
    """A RIFF chunk; ``size`` overrides the stated size (streamed files state 0 or 0xFFFFFFFF)."""
    padding = b"\0" if len(body) % 2 else b""
    return chunk_id + struct.pack("<I", len(body) if size is None else size) + body + padding


def fmt(
    *,
    audio_format: int = PCM,
    channels: int = 1,
    rate: int = 8000,
    bits: int = 16,
    byte_rate: int | None = None,
) -> bytes:
    """A ``fmt `` chunk."""
    align = channels * bits // 8
    return chunk(
        b"fmt ",
        struct.pack(
            "<HHIIHH",
            audio_format,
            channels,
            rate,
            rate * align if byte_rate is None else byte_rate,
            align,
            bits,
        ),
    )


def riff(*chunks: bytes) -> bytes:
    """A RIFF/WAVE container around ``chunks``."""
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# --- parse_wav_header -------------------------------------------------------------------------


def test_sipgate_format_is_read_with_its_duration() -> None:
    """Mono, 16-bit PCM, 8 kHz: the format sipgate plays; 2.5 s of it."""
    info = parse_wav_header(wav_file(2.5)[:HEADER_BYTES])

    assert info == WavInfo(audio_format=PCM, channels=1, sample_rate=8000, bits_per_sample=16, duration=2.5)
    assert info.suits_sipgate


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(
            wav_file(1.0, rate=44100, channels=2),
            WavInfo(PCM, 2, 44100, 16, 1.0),
            id="stereo-44.1kHz",
        ),
        pytest.param(wav_file(0.5, width=1), WavInfo(PCM, 1, 8000, 8, 0.5), id="8-bit"),
        pytest.param(wav_file(0.25, rate=16000), WavInfo(PCM, 1, 16000, 16, 0.25), id="16kHz"),
        pytest.param(
            riff(fmt(audio_format=IEEE_FLOAT, bits=32), chunk(b"data", b"\0" * 3200)),
            WavInfo(IEEE_FLOAT, 1, 8000, 32, 0.1),
            id="float",
        ),
    ],
)
def test_other_formats_do_not_suit_sipgate(header: bytes, expected: WavInfo) -> None:
    """Anything but mono 16-bit PCM at 8 kHz is read, but marked as unsuitable."""
    info = parse_wav_header(header)

    assert info == expected
    assert not info.suits_sipgate


def test_chunks_before_the_data_are_skipped() -> None:
    """A LIST chunk (odd-sized, so padded) between fmt and data does not confuse the reader."""
    header = riff(fmt(), chunk(b"LIST", b"INFOISFT\x05\0\0\0Lavf\0"), chunk(b"data", b"\0" * 800))

    assert parse_wav_header(header).duration == 0.05


@pytest.mark.parametrize("stated", [0, 0xFFFFFFFF])
def test_streamed_files_take_their_length_from_the_file_size(stated: int) -> None:
    """A data chunk of unknown size: the file size gives the length; without it the length is unknown."""
    header = riff(fmt(), chunk(b"data", b"", size=stated))
    data_starts = len(header)

    assert parse_wav_header(header, file_size=data_starts + 16000).duration == 1.0
    assert parse_wav_header(header, file_size=data_starts - 10).duration == 0.0
    assert parse_wav_header(header).duration == (0.0 if stated == 0 else 0xFFFFFFFF / 16000)


def test_a_zero_byte_rate_gives_no_duration() -> None:
    """A broken fmt chunk with byte rate 0 does not divide by zero."""
    header = riff(fmt(byte_rate=0), chunk(b"data", b"\0" * 100))

    assert parse_wav_header(header).duration == 0.0


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(riff(fmt()), id="no-data"),
        pytest.param(riff(chunk(b"data", b"\0" * 100)), id="no-fmt"),
        pytest.param(riff(chunk(b"data", b"\0" * 100), fmt()), id="data-before-fmt"),
        pytest.param(riff(fmt(), chunk(b"data", b"\0" * 100))[:30], id="cut-in-the-fmt-chunk"),
        pytest.param(riff(chunk(b"LIST", b"\0" * 100_000)), id="long-chunk-past-the-header"),
        pytest.param(riff(), id="empty"),
    ],
)
def test_missing_chunks_are_refused(header: bytes) -> None:
    """Without a format and a data chunk in the header, there is nothing to tell."""
    with pytest.raises(SipgateValidationError, match="no format or data chunk") as caught:
        parse_wav_header(header)
    assert caught.value.field == "url"


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"RIFF\0\0\0\0WAV", id="too-short"),
        pytest.param(b"RIFX" + wav_file(0.1)[4:], id="big-endian-riff"),
        pytest.param(b"RIFF\x04\0\0\0AVI LIST", id="not-wave"),
        pytest.param(b"ID3\x04\0\0\0\0\0\0" + b"\xff\xfb" * 40, id="mp3"),
        pytest.param(b"<!DOCTYPE html><html></html>", id="html"),
    ],
)
def test_other_files_are_not_wav(header: bytes) -> None:
    """MP3, HTML and other containers are refused as not WAV."""
    with pytest.raises(SipgateValidationError, match="not a WAV file") as caught:
        parse_wav_header(header)
    assert caught.value.field == "url"


# --- fetch_wav_info ---------------------------------------------------------------------------


def serve(
    fake: FakeSipgate, path: str, body: bytes, *, status: int = 200, headers: dict[str, str] | None = None
) -> str:
    """Serve ``body`` at ``path`` (GET) on the stand-in; return its URL."""

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, status=status, headers=headers or {})

    fake.handlers[("GET", path)] = handler
    return f"{fake.base_url}{path}"


async def test_only_the_header_is_requested(session: ClientSession, fake_sipgate: FakeSipgate) -> None:
    """A ranged request for the first bytes; Content-Range gives the file's size."""
    whole = riff(fmt(), chunk(b"data", b"", size=0xFFFFFFFF)) + b"\0" * 40000
    url = serve(
        fake_sipgate,
        "/audio/stream.wav",
        whole[:HEADER_BYTES],
        status=206,
        headers={"Content-Range": f"bytes 0-{HEADER_BYTES - 1}/{len(whole)}"},
    )

    info = await fetch_wav_info(session, url)

    assert info.suits_sipgate
    assert info.duration == 2.5
    [request] = fake_sipgate.requests
    assert (request.method, request.headers["Range"]) == ("GET", f"bytes=0-{HEADER_BYTES - 1}")


async def test_a_server_without_ranges_sends_the_whole_file(
    session: ClientSession, fake_sipgate: FakeSipgate
) -> None:
    """200 with the whole file: its Content-Length is the file size; only the header is read."""
    whole = riff(fmt(), chunk(b"data", b"", size=0)) + b"\0" * 8000
    url = serve(fake_sipgate, "/audio/whole.wav", whole)

    info = await fetch_wav_info(session, url)

    assert info.duration == 0.5


async def test_a_chunked_answer_uses_the_stated_data_size(
    session: ClientSession, fake_sipgate: FakeSipgate
) -> None:
    """No Content-Length and no Content-Range: the data chunk's own size tells the length."""
    whole = wav_file(0.75)

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(whole)
        await response.write_eof()
        return response

    fake_sipgate.handlers[("GET", "/audio/chunked.wav")] = chunked

    info = await fetch_wav_info(session, f"{fake_sipgate.base_url}/audio/chunked.wav")

    assert info.duration == 0.75


async def test_a_page_that_is_not_audio_is_refused(session: ClientSession, fake_sipgate: FakeSipgate) -> None:
    """An HTML page where the WAV should be: a validation error about the URL."""
    fake_sipgate.answer("GET", "/audio/page.wav", text="<html>moved</html>")

    with pytest.raises(SipgateValidationError, match="not a WAV file"):
        await fetch_wav_info(session, f"{fake_sipgate.base_url}/audio/page.wav")


async def test_only_http_urls_are_fetched(session: ClientSession, fake_sipgate: FakeSipgate) -> None:
    """A file path or an ftp URL is refused before anything is requested."""
    for url in ("file:///etc/passwd", "ftp://example.com/a.wav", "/local/a.wav"):
        with pytest.raises(SipgateValidationError):
            await fetch_wav_info(session, url)
    assert fake_sipgate.requests == []


@pytest.mark.parametrize("status", [404, 500])
async def test_an_error_status_is_a_connection_error(
    session: ClientSession, fake_sipgate: FakeSipgate, status: int
) -> None:
    """The audio cannot be read: a connection error naming the URL."""
    fake_sipgate.answer("GET", "/audio/missing.wav", status=status)
    url = f"{fake_sipgate.base_url}/audio/missing.wav"

    with pytest.raises(SipgateConnectionError, match="Cannot read the audio at"):
        await fetch_wav_info(session, url)


async def test_a_slow_server_times_out(session: ClientSession, fake_sipgate: FakeSipgate) -> None:
    """No answer within the timeout: a connection error."""
    fake_sipgate.answer("GET", "/audio/slow.wav", Answer(delay=1.0))

    with pytest.raises(SipgateConnectionError):
        await fetch_wav_info(session, f"{fake_sipgate.base_url}/audio/slow.wav", request_timeout=0.05)


async def test_an_unreachable_server_is_a_connection_error(
    session: ClientSession, fake_sipgate: FakeSipgate
) -> None:
    """Nobody listens at the address: a connection error."""
    with socket.socket() as probe:  # a loopback port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(SipgateConnectionError):
        await fetch_wav_info(session, f"http://127.0.0.1:{port}/a.wav")
