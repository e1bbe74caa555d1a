"""The stand-in's own push signing key (never sipgate's).

sipgate signs every push with RSASSA-PKCS1-v1_5 over SHA-256 and sends the
base64 signature in ``X-Sipgate-Signature``; the stand-in does the same with
a key of its own, which the integration accepts only when it is explicitly
pointed at the stand-in (``SIPGATE_API_URL`` and
``SIPGATE_WEBHOOK_PUBLIC_KEY_FILE``).
"""

import base64
import os
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

KEY_SIZE: Final = 2048


class PushSigner:
    """Signs push bodies; :attr:`public_key_pem` is what the integration must trust."""

    def __init__(self, private_key: rsa.RSAPrivateKey | None = None) -> None:
        """Use ``private_key``, or a fresh 2048-bit RSA key."""
        self._key = private_key or rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)

    @classmethod
    def from_file(cls, path: Path) -> PushSigner:
        """Load the private key from a PEM file; create the file (mode 0600) when it does not exist."""
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise ValueError(f"{path} does not hold an RSA private key")
            return cls(key)
        signer = cls()
        pem = signer._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        return signer

    @property
    def public_key_pem(self) -> str:
        """The public key, PEM ``SubjectPublicKeyInfo`` (what ``SignatureVerifier`` reads)."""
        return (
            self._key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def write_public_key(self, path: Path) -> None:
        """Write the public PEM to ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.public_key_pem, encoding="ascii")

    def sign(self, body: bytes) -> str:
        """The ``X-Sipgate-Signature`` value for the raw body."""
        signature = self._key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")
