"""Bearer secrets (API tokens, write keys): ``<kind>_<prefix>_<secret>``, stored as argon2 hashes.

The prefix finds the row without revealing anything; the secret is checked with argon2. A
successful check is remembered for a short while, keyed by a SHA-256 of the secret, so that a
busy ingest client does not pay argon2 on every request while revocation still takes effect
at once (the row is read on every request).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_VERIFIED_TTL_S = 300.0
_verified: dict[tuple[str, str], float] = {}


@dataclass(frozen=True)
class IssuedSecret:
    plaintext: str
    prefix: str
    hash: str


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue(kind: str) -> IssuedSecret:
    prefix = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return IssuedSecret(
        plaintext=f"{kind}_{prefix}_{secret}", prefix=prefix, hash=_hasher.hash(secret)
    )


def split(plaintext: str, kind: str) -> tuple[str, str] | None:
    """Return (prefix, secret) of a well-formed secret of ``kind``, else None."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != kind or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def check(stored_hash: str, prefix: str, secret: str) -> bool:
    digest = hashlib.sha256(secret.encode()).hexdigest()
    key = (prefix, digest)
    now = time.monotonic()
    seen = _verified.get(key)
    if seen is not None and now - seen < _VERIFIED_TTL_S:
        return True
    if not verify_password(stored_hash, secret):
        return False
    _verified[key] = now
    return True
