"""Private links (a referee's form, a calendar feed): a random token goes out in the link, and
only its SHA-256 hash is stored, so a leaked database opens no link."""

import hashlib
import secrets


def token_new(nbytes: int = 32) -> str:
    """A URL-safe random token of `nbytes` random bytes."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """What is stored and looked up: the token's SHA-256, 64 hex digits."""
    return hashlib.sha256(token.encode()).hexdigest()
