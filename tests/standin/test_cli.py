"""Running the stand-in: ``python -m standin``, ``create_app`` with aiohttp's test server, its key."""

import asyncio
from pathlib import Path
import socket
import sys

from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer
import pytest

from custom_components.sipgate.api.push_signature import SignatureVerifier
from standin import Account, StandIn, StandInState, create_app
from standin.__main__ import main
from standin.keys import PushSigner

from .conftest import AUTH

REPO = Path(__file__).parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.usefixtures("socket_enabled")
async def test_python_m_standin_serves_and_writes_its_key(tmp_path: Path) -> None:
    """``python -m standin`` listens on the given loopback port and writes the public key."""
    port = _free_port()
    public_key = tmp_path / "public.pem"
    private_key = tmp_path / "private.pem"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "standin",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--public-key-file",
        str(public_key),
        "--private-key-file",
        str(private_key),
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with ClientSession() as http:
            async with asyncio.timeout(30):
                while True:
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/_standin/public_key") as response:
                            served = await response.text()
                            break
                    except OSError:
                        await asyncio.sleep(0.1)
            async with http.get(f"http://127.0.0.1:{port}/v2/account", headers=AUTH) as response:
                assert response.status == 200
                assert (await response.json())["company"] == "Muster Elektro GmbH"
    finally:
        process.terminate()
        async with asyncio.timeout(10):
            _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert served == public_key.read_text(encoding="ascii")
    assert SignatureVerifier(served).key_size == 2048
    assert private_key.stat().st_mode & 0o777 == 0o600
    # The private key file is reused: the same public key on the next start.
    assert PushSigner.from_file(private_key).public_key_pem == served
    assert f"REST API at http://127.0.0.1:{port}/v2" in stderr.decode()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])  # noqa: S104 - refused
def test_only_loopback_hosts(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The stand-in's token is public: it refuses to listen anywhere but on loopback."""
    with pytest.raises(SystemExit):
        main(["--host", host])
    assert "loopback" in capsys.readouterr().err
    with pytest.raises(ValueError, match="loopback"):
        StandIn(host=host)


def test_help_names_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` documents the options scripts use."""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for option in ("--host", "--port", "--token-id", "--token", "--public-key-file", "--private-key-file"):
        assert option in out


@pytest.mark.usefixtures("socket_enabled")
async def test_create_app_with_aiohttp_test_server(push_signer: PushSigner) -> None:
    """``create_app`` runs under aiohttp's TestServer with a given state."""
    state = StandInState(account=Account(), token_id="token-T", token="t", signer=push_signer)
    async with TestClient(TestServer(create_app(state), host="127.0.0.1")) as client:
        response = await client.get("/v2/users", headers={"Authorization": "Basic dG9rZW4tVDp0"})
        assert response.status == 200
        assert [user["id"] for user in (await response.json())["items"]] == ["w0", "w1"]
        assert (await client.get("/v2/users")).status == 401
    assert [(r.path, r.status) for r in state.requests] == [("/v2/users", 200), ("/v2/users", 401)]


def test_key_file_that_is_not_rsa(tmp_path: Path) -> None:
    """A private key file that holds no RSA key is refused."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = tmp_path / "ec.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(ValueError, match="RSA"):
        PushSigner.from_file(path)
