"""Verifying ``X-Sipgate-Signature`` on push requests."""

import base64
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
import pytest

from custom_components.sipgate.api.exceptions import SipgateValidationError
from custom_components.sipgate.api.push_signature import (
    SIGNATURE_HEADER,
    SIPGATE_PUBLIC_KEY_PEM,
    SignatureVerifier,
)

from ..conftest import load_json

VECTORS = load_json("push/signature.json")
VALID = next(case for case in VECTORS["cases"] if case["expected_valid"])
VALID_BODY = VALID["body"].encode("utf-8")
VALID_SIGNATURE = VALID["signature_base64"]


@pytest.fixture(scope="module")
def sipgate() -> SignatureVerifier:
    """A verifier with sipgate's key (loaded once for the module)."""
    return SignatureVerifier()


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    """A key pair made for the test, standing in for a local sipgate stand-in's key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def test_constants_match_the_vectors(sipgate: SignatureVerifier) -> None:
    """The built-in key is sipgate's published 4096-bit key."""
    assert SIPGATE_PUBLIC_KEY_PEM.strip() == VECTORS["public_key_pem"].strip()
    assert VECTORS["header"] == SIGNATURE_HEADER
    assert sipgate.key_size == 4096


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case.get("note", "valid")[:40])
def test_vectors(sipgate: SignatureVerifier, case: dict[str, Any]) -> None:
    """The Node library's signed body verifies; an altered or re-encoded body does not."""
    assert sipgate.verify(case["body"].encode("utf-8"), case["signature_base64"]) is case["expected_valid"]


def test_valid_vector_as_bytes_like(sipgate: SignatureVerifier) -> None:
    """The raw body may come as any bytes-like object; blanks around the header value are dropped."""
    assert sipgate.verify(bytearray(VALID_BODY), VALID_SIGNATURE)
    assert sipgate.verify(memoryview(VALID_BODY), f"  {VALID_SIGNATURE}\t")


@pytest.mark.parametrize(
    "body",
    [
        VALID_BODY + b"&",
        VALID_BODY[:-1],
        VALID_BODY.replace(b"TestUser", b"TestUsers"),
        VALID_BODY.replace(b"%5B", b"["),
        b"",
    ],
    ids=["appended", "truncated", "changed", "decoded-brackets", "empty"],
)
def test_altered_bodies_are_rejected(sipgate: SignatureVerifier, body: bytes) -> None:
    """Any change to the bytes, even an equivalent encoding, breaks the signature."""
    assert not sipgate.verify(body, VALID_SIGNATURE)


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "fakeSignature",
        "!!!not base64!!!",
        "äöü",
        VALID_SIGNATURE[:-4],
        VALID_SIGNATURE[:100] + "\n" + VALID_SIGNATURE[100:],
        base64.b64encode(b"\x00" * 512).decode(),
        base64.b64encode(b"short").decode(),
        base64.urlsafe_b64encode(base64.b64decode(VALID_SIGNATURE)).decode(),
        12345,
    ],
    ids=[
        "none",
        "empty",
        "fake",
        "garbage",
        "non-ascii",
        "truncated",
        "embedded-newline",
        "zeros",
        "short",
        "urlsafe-alphabet",
        "not-a-string",
    ],
)
def test_missing_and_garbage_signatures_are_rejected(sipgate: SignatureVerifier, signature: Any) -> None:
    """Missing, malformed or wrong signatures give ``False``, never an exception."""
    assert sipgate.verify(VALID_BODY, signature) is False


def test_non_bytes_body_is_rejected(sipgate: SignatureVerifier) -> None:
    """A body that is not bytes (a programming error) gives ``False`` too."""
    assert sipgate.verify(VALID["body"], VALID_SIGNATURE) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("as_text", [True, False], ids=["str", "bytes"])
def test_own_key_pair(private_key: rsa.RSAPrivateKey, sipgate: SignatureVerifier, as_text: bool) -> None:
    """A verifier built with another key accepts that key's signatures and only those."""
    pem = _public_pem(private_key)
    verifier = SignatureVerifier(pem.decode("ascii") if as_text else pem)
    body = b"event=newCall&from=492111234567&to=4915791234567&direction=in&callId=123456&user%5B%5D=Alice"
    signature = _sign(private_key, body)

    assert verifier.key_size == 2048
    assert verifier.verify(body, signature)
    assert not verifier.verify(body + b"x", signature)
    assert not verifier.verify(VALID_BODY, VALID_SIGNATURE)
    assert not sipgate.verify(body, signature)


def test_other_padding_and_hash_are_rejected(private_key: rsa.RSAPrivateKey) -> None:
    """Only PKCS#1 v1.5 with SHA-256 counts: PSS or SHA-1 signatures of the right body fail."""
    verifier = SignatureVerifier(_public_pem(private_key))
    body = b"event=dtmf&dtmf=1&callId=123456"
    pss = private_key.sign(
        body, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    )
    sha1 = private_key.sign(body, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303

    assert verifier.verify(body, _sign(private_key, body))
    assert not verifier.verify(body, base64.b64encode(pss).decode())
    assert not verifier.verify(body, base64.b64encode(sha1).decode())


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        ("", "not a PEM public key"),
        ("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n", "not a PEM public key"),
        ("-----BEGIN PUBLIC KEY-----\näöü\n-----END PUBLIC KEY-----\n", "not a PEM public key"),
        (b"\x00\x01", "not a PEM public key"),
        (None, "not a PEM public key"),
    ],
    ids=["empty", "garbage", "non-ascii", "binary", "none"],
)
def test_unreadable_keys_are_refused(pem: Any, message: str) -> None:
    """A key that cannot be loaded is a validation error naming the argument."""
    with pytest.raises(SipgateValidationError, match=message) as caught:
        SignatureVerifier(pem)
    assert caught.value.field == "public_key_pem"


def test_private_key_pem_is_refused(private_key: rsa.RSAPrivateKey) -> None:
    """A private key in place of the public one is refused."""
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(SipgateValidationError, match="not a PEM public key"):
        SignatureVerifier(pem)


def test_non_rsa_key_is_refused() -> None:
    """An elliptic-curve key is refused: sipgate signs with RSA."""
    pem = _public_pem(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(SipgateValidationError, match="must be an RSA public key") as caught:
        SignatureVerifier(pem)
    assert caught.value.field == "public_key_pem"
    assert caught.value.value == pem
