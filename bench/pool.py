"""The benchmark's pool of pushes: distinct calls with realistic lifecycles, signed like sipgate's.

Every call of the pool has its own call id and three pushes (``newCall``, ``answer``,
``hangup``), each signed with RSA-SHA256 (PKCS#1 v1.5) by a 4096-bit key like sipgate's.
Signing one body costs ~13 ms here, so the key and the signatures are kept in
``bench/.pool/`` and reused by later runs (signing is the load generator's work, never
measured). Each repetition of the benchmark has calls of its own (``R1C000001``, …), so
no call id and no body is ever sent twice to the same Home Assistant process.

Follow-ups go to the call's own URL as sipgate sends them since issue 11:
``/api/webhook/<id>?token=<call_token(secret, call id)>``.
"""

import base64
from dataclasses import dataclass
import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

CACHE = Path(__file__).resolve().parent / ".pool"
ACCOUNT = "4921112345671"
# The stand-in's account: masterSipId 1234567, user w0 (Anna Muster).
USER = "user%5B%5D=Anna+Muster&userId%5B%5D=w0&fullUserId%5B%5D=1234567w0"
LIFECYCLE = ("newCall", "answer", "hangup")
REJECTED = ("newCall", "hangup")
NEW_CALL_ONLY = ("newCall",)


def body(call_id: str, event: str, caller: int) -> bytes:
    """One push of call ``call_id`` as sipgate sends it."""
    number = f"4915799{caller % 1_000_000:06d}"
    common = f"direction=in&from={number}&to={ACCOUNT}&callId={call_id}"
    if event == "newCall":
        text = f"event=newCall&{common}&origCallId={call_id}&{USER}&xcid=x{call_id}"
    elif event == "answer":
        text = f"event=answer&{common}&{USER}&answeringNumber={ACCOUNT}"
    else:
        text = f"event=hangup&cause=normalClearing&{common}&answeringNumber={ACCOUNT}"
    return text.encode()


@dataclass(frozen=True)
class Push:
    """One signed push of the pool."""

    call_id: str
    event: str
    body: bytes
    signature: str


class Pool:
    """The key, and signatures made so far (kept on disk between runs)."""

    def __init__(self, cache: Path = CACHE, key_size: int = 4096) -> None:
        """Load or make the key (sipgate's size unless told) and the signature cache."""
        cache.mkdir(parents=True, exist_ok=True)
        self._key_file = cache / "key.pem"
        self._signatures_file = cache / "signatures.json"
        if self._key_file.exists():
            key = serialization.load_pem_private_key(self._key_file.read_bytes(), password=None)
            if not isinstance(key, RSAPrivateKey):
                raise TypeError(f"{self._key_file} is not an RSA key")
            self.key = key
        else:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
            self._key_file.write_bytes(
                self.key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        self._signatures: dict[str, str] = (
            json.loads(self._signatures_file.read_text()) if self._signatures_file.exists() else {}
        )
        self._dirty = False

    def public_pem(self) -> bytes:
        """The public key, for SIPGATE_WEBHOOK_PUBLIC_KEY_FILE."""
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, data: bytes) -> str:
        """The X-Sipgate-Signature of ``data`` (from the cache when signed before)."""
        text = data.decode()
        if (signature := self._signatures.get(text)) is None:
            raw = self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
            signature = self._signatures[text] = base64.b64encode(raw).decode()
            self._dirty = True
        return signature

    def save(self) -> None:
        """Keep the signatures for the next run."""
        if self._dirty:
            if self._signatures_file.exists():  # another run may have signed others meanwhile
                self._signatures = {**json.loads(self._signatures_file.read_text()), **self._signatures}
            tmp = self._signatures_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._signatures), encoding="utf-8")
            tmp.replace(self._signatures_file)
            self._dirty = False

    def calls(self, rep: int, first: int, count: int, events: tuple[str, ...]) -> list[list[Push]]:
        """Calls ``first`` … ``first+count-1`` of repetition ``rep``, each as its pushes."""
        result = []
        for n in range(first, first + count):
            call_id = f"R{rep}C{n:06d}"
            pushes = []
            for event in events:
                data = body(call_id, event, n)
                pushes.append(Push(call_id, event, data, self.sign(data)))
            result.append(pushes)
        return result


def interleave(calls: list[list[Push]], block: int = 100) -> list[Push]:
    """The pushes in sending order: per block of calls, all newCalls, then all answers, then all hangups.

    A call's follow-up is sent at least ``block`` requests after its previous push, far more
    than the 32 that can be in flight, so it never overtakes it (as with sipgate, where a
    person answers seconds after the phone rang), and live calls stay few.
    """
    ordered: list[Push] = []
    for start in range(0, len(calls), block):
        chunk = calls[start : start + block]
        for step in range(max(len(c) for c in chunk)):
            ordered += [c[step] for c in chunk if step < len(c)]
    return ordered
