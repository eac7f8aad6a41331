"""Token, hashing and password helpers. No business rules here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the account does not exist, so a miss costs what a hit costs.
_DUMMY_HASH = _hasher.hash("mercato-timing-equaliser")

MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3  # zxcvbn 0..4; 3 = "safely unguessable: moderate protection"


def new_token(nbytes: int = 32) -> str:
    """An opaque random token for a cookie, a link or an API key."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """Tokens are stored only as this hash, so a database leak yields no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign(secret: str, *parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, user_inputs: list[str] | None = None) -> list[str]:
    """Reasons a password is too weak, in words a person can act on; empty when fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    if len(password) > 200:
        return ["Use at most 200 characters."]
    # Imported here: zxcvbn's word lists are ~12 MiB per worker, needed only when a
    # password is chosen (sign-up, change, reset).
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=user_inputs or [])
    if result["score"] >= MIN_PASSWORD_SCORE:
        return []
    feedback = result.get("feedback") or {}
    reasons = [feedback["warning"]] if feedback.get("warning") else []
    reasons += list(feedback.get("suggestions") or [])
    return reasons or ["This password is too easy to guess; add more unrelated words."]


class FieldCipher:
    """AES-GCM for identity numbers and bank details (DESIGN.md §5)."""

    # cryptography is imported by the methods, not the module: its compiled core is several
    # MiB in every server worker, and only the few requests that read or save such a field
    # need it (issue 3).

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"mercato-field-encryption\x00" + secret.encode()).digest()

    def encrypt(self, plaintext: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        sealed = AESGCM(self._key).encrypt(nonce, plaintext.encode(), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        raw = base64.urlsafe_b64decode(token.encode())
        return AESGCM(self._key).decrypt(raw[:12], raw[12:], None).decode()


def mask(value: str, visible: int = 4) -> str:
    if len(value) <= visible:
        return "•" * len(value)
    return "•" * (len(value) - visible) + value[-visible:]
