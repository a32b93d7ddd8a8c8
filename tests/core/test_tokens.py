"""Private-link tokens (core/tokens.py): only the hash is stored."""

import hashlib

from core.tokens import token_hash, token_new


def test_token_hash_is_the_sha256_hex_digest():
    assert token_hash("abc") == hashlib.sha256(b"abc").hexdigest()
    assert token_hash("abc") == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_new_tokens_are_url_safe_random_and_as_long_as_asked():
    tokens = {token_new() for _ in range(50)}
    assert len(tokens) == 50
    assert {len(token) for token in tokens} == {43}
    assert {len(token_new(24)) for _ in range(5)} == {32}
    assert all(
        set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for token in tokens
    )
