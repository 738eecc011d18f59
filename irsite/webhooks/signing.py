"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

Each request carries ``webhook-id`` (the event's, the same on every retry), ``webhook-timestamp``
(seconds since the epoch, at this attempt) and ``webhook-signature``: ``v1,`` and the base64 of
HMAC-SHA256 over ``id.timestamp.body`` with the secret's bytes, one per valid secret separated
by spaces (during a rotation, the new and the previous), so a receiver holding either verifies.
"""

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    """24 random bytes (192 bits), in the ``whsec_`` form receivers' libraries read."""
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(message_id: str, timestamp: int, body: bytes, secrets_: list[str]) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, message_id, timestamp, body) for secret in secrets_
        ),
    }
