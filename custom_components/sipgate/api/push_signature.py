"""Verify that a push (webhook) request really comes from sipgate.

sipgate signs every push with RSASSA-PKCS1-v1_5 over SHA-256 using a 4096-bit
RSA key and sends the base64 signature in the ``X-Sipgate-Signature`` header.
The signed data is the raw request body exactly as received, so verify the
bytes before parsing them, never a re-encoding of the parsed fields. Nothing
else (time, URL, headers) is signed, so a captured request can be replayed.
"""

import base64
from typing import Final

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .exceptions import SipgateValidationError

SIGNATURE_HEADER: Final = "X-Sipgate-Signature"

SIPGATE_PUBLIC_KEY_PEM: Final = """\
-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAvFdlnqRfO5TmqzjtsFVC
qPz+oW+poi3lXQFvMJJMEAtlU4MbX+yuIkgnC+Qt3AQWIK+oWSEQiybg+p39wEMl
16PZxEzf9gONQvTg1XhyHnwqYUFQj/AoxPKGYC3jmdjZ224SrESiTN3CdxoOc3vk
cXiQstYE7SxnksPtzfk0aIOkicim5/tAP9izNQ18/zmX3ChjK2k72gf5dDlq+qZ8
pRiHAPZ64TySH6cLQDhaoh6Nbq8FEG3usXXPClbUMh2DZaTMPafpd+LNuTngJ/y+
KoZasVuFfXAeBqGA6l5d4Uedfr99Z6qjwDrJ8sU4z2Do9bJrbuqP+mOXEebhSI1K
vi8trEfrIt8hnDBGsBaB9NEO3kYxvDT2/PhC9fNYFocjEpZNd7/mUqTJDYlpa4UC
NDQaU+ATdXG8/P5sGAegks6MQTu+qe9XTO0CV48eswDkz6g3UbLOwmrJK59SjD3J
yAZ52sluwyDKRWw/PPTt8BTQLjvkdbiLUlc4ehJ4b1X7D7diYWHDPeFL47cAvaXh
dXVrZDeBJYibvD1jRx4ES0KlfhwzNXBYUoM/Movg9zMM2PzyHHKS//xIjwUC/FJ6
/6eykno0Hy2B1ev6s3hdY6VkN2zd7Wf+EK4DxRliwsg1U99szFE3ewLfexF+Uag5
M+TfPtOUumI/NHMTvsRW9+ECAwEAAQ==
-----END PUBLIC KEY-----
"""
"""sipgate's push signing key, as published in the official sipgate.io Node library."""


# sipgate signs with RSASSA-PKCS1-v1_5 over SHA-256; both objects are immutable, made once.
_PADDING = padding.PKCS1v15()
_HASH = hashes.SHA256()


class SignatureVerifier:
    """Checks ``X-Sipgate-Signature`` values against one RSA public key.

    The key is loaded once, when the verifier is built; :meth:`verify` is safe
    to call from many requests at once and never raises.
    """

    __slots__ = ("_key",)

    def __init__(self, public_key_pem: str | bytes = SIPGATE_PUBLIC_KEY_PEM) -> None:
        """Load the PEM public key (``SubjectPublicKeyInfo``); sipgate's by default.

        Raises:
            SipgateValidationError: the PEM cannot be read or is not an RSA key.
        """
        pem = public_key_pem.encode("ascii", "replace") if isinstance(public_key_pem, str) else public_key_pem
        try:
            key = serialization.load_pem_public_key(pem)
        except (ValueError, TypeError, UnsupportedAlgorithm) as err:
            raise SipgateValidationError(
                f"not a PEM public key: {err}", field="public_key_pem", value=public_key_pem
            ) from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise SipgateValidationError(
                "the push signature key must be an RSA public key",
                field="public_key_pem",
                value=public_key_pem,
            )
        self._key = key

    @property
    def key_size(self) -> int:
        """The key's size in bits (4096 for sipgate's)."""
        return self._key.key_size

    def verify(self, body: bytes, signature: str | None) -> bool:
        """Whether ``signature`` (base64, as in the header) signs ``body`` exactly.

        Returns ``False`` for a missing, malformed or wrong signature; never raises.
        """
        if not signature:
            return False
        try:
            raw = base64.b64decode(signature.strip(), validate=True)
        except ValueError, TypeError, AttributeError:  # binascii.Error is a ValueError
            return False
        try:
            self._key.verify(raw, body, _PADDING, _HASH)
        except InvalidSignature, ValueError, TypeError:
            return False
        return True
