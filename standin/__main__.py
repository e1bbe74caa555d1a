"""Run the sipgate stand-in: ``python -m standin --host 127.0.0.1 --port 8124``."""

import argparse
import asyncio
import contextlib
import logging
from pathlib import Path
import signal

from .keys import PushSigner
from .openapi import sipgate_openapi
from .server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TOKEN, DEFAULT_TOKEN_ID, StandIn, check_loopback

LOGGER = logging.getLogger("standin")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m standin",
        description="A local sipgate stand-in (REST API under /v2, control API under /_standin). "
        "Development and tests only.",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="loopback address to listen on (default %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s; 0 picks one)"
    )
    parser.add_argument(
        "--token-id", default=DEFAULT_TOKEN_ID, help="accepted token id (default %(default)s)"
    )
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="accepted token (default %(default)s)")
    parser.add_argument(
        "--private-key-file",
        type=Path,
        help="PEM private key to sign pushes with; created when missing (default: a new key per start)",
    )
    parser.add_argument(
        "--public-key-file",
        type=Path,
        help="write the public key (PEM) here, for SIPGATE_WEBHOOK_PUBLIC_KEY_FILE",
    )
    parser.add_argument("--push-timeout", type=float, default=10.0, help="seconds to wait for a push reply")
    parser.add_argument("--log-level", default="INFO", help="logging level (default %(default)s)")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    signer = PushSigner.from_file(args.private_key_file) if args.private_key_file else PushSigner()
    if args.public_key_file:
        signer.write_public_key(args.public_key_file)
    sipgate_openapi()  # load the spec before the first request
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with StandIn(
        host=args.host,
        port=args.port,
        token_id=args.token_id,
        token=args.token,
        signer=signer,
        push_timeout=args.push_timeout,
    ) as standin:
        LOGGER.info("sipgate stand-in: REST API at %s (token id %s)", standin.base_url, standin.token_id)
        LOGGER.info("sipgate stand-in: control API at %s/_standin", standin.url)
        if args.public_key_file:
            LOGGER.info("sipgate stand-in: push public key written to %s", args.public_key_file)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and serve until interrupted."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        check_loopback(args.host)
    except ValueError as err:
        parser.error(str(err))
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
