"""Access JWTs: a valid token round-trips; every forged or stale one is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from carevia.domain.auth import AccessTokenCodec, InvalidToken, derive_signing_key

SECRET = "unit-test-secret-key-with-enough-entropy-0123456789"
ISSUER = "https://carevia.test"
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def codec() -> AccessTokenCodec:
    return AccessTokenCodec(SECRET, issuer=ISSUER)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], payload: dict[str, Any], key: bytes | None) -> str:
    """A compact JWS built without PyJWT, which refuses to produce most forgeries."""
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
    signature = b"" if key is None else hmac.new(key, signing_input.encode(), "sha256").digest()
    return signing_input + "." + b64url(signature)


def claims(**overrides: Any) -> dict[str, Any]:
    issued_at = int(NOW.timestamp())
    payload: dict[str, Any] = {
        "sub": "65f0c0ffee00000000000001",
        "role": "patient",
        "ver": 3,
        "jti": "a-unique-token-id",
        "iat": issued_at,
        "exp": issued_at + 900,
        "iss": ISSUER,
        "aud": "carevia-api",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def signed(payload: dict[str, Any], key: bytes | str | None = None) -> str:
    return jwt.encode(payload, key or derive_signing_key(SECRET), algorithm="HS256")


def test_valid_token_round_trips_with_its_claims(codec: AccessTokenCodec) -> None:
    issued = codec.issue("65f0c0ffee00000000000001", "caregiver", 7, now=NOW)

    verified = codec.verify(issued.token, now=NOW + timedelta(minutes=14))

    assert issued.expires_in == 900
    assert issued.expires_at == NOW + timedelta(minutes=15)
    assert verified.sub == "65f0c0ffee00000000000001"
    assert verified.role == "caregiver"
    assert verified.ver == 7
    assert verified.jti == issued.jti
    assert verified.iss == ISSUER
    assert verified.aud == "carevia-api"
    assert verified.exp - verified.iat == 900


def test_fresh_token_verifies_against_the_wall_clock(codec: AccessTokenCodec) -> None:
    issued = codec.issue("user-1", "admin", 0)

    assert codec.verify(issued.token).role == "admin"
    assert abs(issued.expires_in - 900) <= 1


def test_every_token_has_its_own_id(codec: AccessTokenCodec) -> None:
    first = codec.issue("user-1", "patient", 0, now=NOW)
    second = codec.issue("user-1", "patient", 0, now=NOW)

    assert first.jti != second.jti
    assert first.token != second.token


def test_the_raw_secret_key_is_not_the_signing_key(codec: AccessTokenCodec) -> None:
    with pytest.raises(InvalidToken):
        codec.verify(signed(claims(), SECRET), now=NOW)


def test_token_with_alg_none_is_rejected(codec: AccessTokenCodec) -> None:
    forged = hand_made({"alg": "none", "typ": "JWT"}, claims(role="admin"), key=None)

    with pytest.raises(InvalidToken):
        codec.verify(forged, now=NOW)


def test_token_signed_with_another_key_is_rejected(codec: AccessTokenCodec) -> None:
    other = AccessTokenCodec("another-secret-key-of-the-same-length-9876543210", issuer=ISSUER)

    with pytest.raises(InvalidToken):
        codec.verify(other.issue("user-1", "admin", 0, now=NOW).token, now=NOW)


def test_expired_token_is_rejected(codec: AccessTokenCodec) -> None:
    issued = codec.issue("user-1", "patient", 0, now=NOW)

    with pytest.raises(InvalidToken):
        codec.verify(issued.token, now=NOW + timedelta(minutes=16))
    with pytest.raises(InvalidToken):
        codec.verify(codec.issue("user-1", "patient", 0, now=NOW - timedelta(hours=1)).token)


def test_token_issued_in_the_future_is_rejected(codec: AccessTokenCodec) -> None:
    issued = codec.issue("user-1", "patient", 0, now=NOW + timedelta(hours=1))

    with pytest.raises(InvalidToken):
        codec.verify(issued.token, now=NOW)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"aud": "another-api"}, id="wrong-aud"),
        pytest.param({"aud": ["carevia-api", "another-api"]}, id="list-aud"),
        pytest.param({"iss": "https://evil.example"}, id="wrong-iss"),
        pytest.param({"exp": None}, id="missing-exp"),
        pytest.param({"jti": None}, id="missing-jti"),
        pytest.param({"sub": None}, id="missing-sub"),
        pytest.param({"iat": None}, id="missing-iat"),
        pytest.param({"iss": None}, id="missing-iss"),
        pytest.param({"aud": None}, id="missing-aud"),
        pytest.param({"role": "superuser"}, id="unknown-role"),
        pytest.param({"role": None}, id="missing-role"),
        pytest.param({"ver": "3"}, id="ver-as-string"),
        pytest.param({"ver": None}, id="missing-ver"),
        pytest.param({"sub": 42}, id="sub-as-number"),
        pytest.param({"exp": str(int(NOW.timestamp()) + 900)}, id="exp-as-string"),
    ],
)
def test_correctly_signed_token_with_bad_claims_is_rejected(
    codec: AccessTokenCodec, overrides: dict[str, Any]
) -> None:
    with pytest.raises(InvalidToken):
        codec.verify(signed(claims(**overrides)), now=NOW)


def test_correctly_signed_token_with_good_claims_is_accepted(codec: AccessTokenCodec) -> None:
    assert codec.verify(signed(claims()), now=NOW).ver == 3


def test_tampered_payload_is_rejected(codec: AccessTokenCodec) -> None:
    header, _, signature = codec.issue("user-1", "patient", 0, now=NOW).token.split(".")
    elevated = b64url(json.dumps(claims(sub="user-1", role="admin")).encode())

    with pytest.raises(InvalidToken):
        codec.verify(f"{header}.{elevated}.{signature}", now=NOW)


def test_rs256_and_hs256_with_the_public_key_are_rejected(codec: AccessTokenCodec) -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    rs256 = jwt.encode(claims(role="admin"), private_key, algorithm="RS256")
    confused = hand_made({"alg": "HS256", "typ": "JWT"}, claims(role="admin"), key=public_pem)

    for forged in (rs256, confused):
        with pytest.raises(InvalidToken):
            codec.verify(forged, now=NOW)


def test_header_alg_other_than_hs256_is_rejected_even_with_the_right_key(
    codec: AccessTokenCodec,
) -> None:
    key = derive_signing_key(SECRET)
    hs512 = jwt.encode(claims(), key + key, algorithm="HS512")
    relabelled = hand_made({"alg": "HS384", "typ": "JWT"}, claims(), key=key)

    for forged in (hs512, relabelled):
        with pytest.raises(InvalidToken):
            codec.verify(forged, now=NOW)


@pytest.mark.parametrize(
    "garbage",
    ["", "abc", "a.b.c", "....", "x" * 5000, hand_made({"alg": "HS256"}, claims(), b"")[:-3]],
)
def test_malformed_tokens_are_rejected(codec: AccessTokenCodec, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        codec.verify(garbage, now=NOW)


def test_invalid_token_carries_a_machine_readable_code(codec: AccessTokenCodec) -> None:
    with pytest.raises(InvalidToken) as caught:
        codec.verify("not-a-token", now=NOW)

    assert caught.value.code == "invalid_token"


def test_signing_key_is_a_derived_256_bit_key() -> None:
    key = derive_signing_key(SECRET)

    assert len(key) == 32
    assert key != SECRET.encode()
    assert key == hmac.new(SECRET.encode(), b"carevia access token v1", hashlib.sha256).digest()
