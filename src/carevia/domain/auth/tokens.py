"""Short-lived access JWTs for the JSON API.

The signing key is derived from the app secret, the algorithm is pinned to HS256, and every
claim the API relies on must be present and of the right type. Whether `ver` still matches
the user's token version, and whether the user is still active, is checked per request by
the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import jwt
import msgspec
from jwt.types import Options

from carevia.domain.accounts.models import ROLES, Role
from carevia.domain.shared import Unauthenticated
from carevia.domain.shared.clock import utc_now
from carevia.domain.shared.text import Text

ALGORITHM = "HS256"
DEFAULT_AUDIENCE = "carevia-api"
DEFAULT_TTL = timedelta(minutes=15)
LEEWAY = timedelta(seconds=10)
MAX_TOKEN_LENGTH = 4096
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "iss", "aud"]
_KEY_CONTEXT = b"carevia access token v1"


class InvalidToken(Unauthenticated):
    """A token that is malformed, forged, expired or otherwise unusable."""

    code = "invalid_token"

    def __init__(self, message: str = Text("The token is invalid or has expired.")) -> None:
        super().__init__(message)


class AccessClaims(msgspec.Struct, frozen=True, kw_only=True):
    sub: str
    role: Role
    ver: int
    jti: str
    iat: int
    exp: int
    iss: str
    aud: str


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    expires_in: int
    jti: str
    expires_at: datetime


def derive_signing_key(secret_key: str) -> bytes:
    """A key used only for access tokens, so the raw app secret never signs a JWT."""
    return hmac.new(secret_key.encode(), _KEY_CONTEXT, hashlib.sha256).digest()


class AccessTokenCodec:
    def __init__(
        self,
        secret_key: str,
        issuer: str,
        audience: str = DEFAULT_AUDIENCE,
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        if not secret_key:
            raise ValueError("an access token codec needs a secret key")
        if ttl <= timedelta(0):
            raise ValueError("the access token lifetime must be positive")
        self._key = derive_signing_key(secret_key)
        self._issuer = issuer
        self._audience = audience
        self._ttl_seconds = int(ttl.total_seconds())

    @property
    def ttl_seconds(self) -> int:
        return self._ttl_seconds

    def issue(
        self, user_id: str, role: Role, token_version: int, now: datetime | None = None
    ) -> IssuedToken:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        issued_at = int(_utc(now).timestamp())
        expires = issued_at + self._ttl_seconds
        jti = secrets.token_urlsafe(16)
        claims = AccessClaims(
            sub=user_id,
            role=role,
            ver=token_version,
            jti=jti,
            iat=issued_at,
            exp=expires,
            iss=self._issuer,
            aud=self._audience,
        )
        token = jwt.encode(msgspec.to_builtins(claims), self._key, algorithm=ALGORITHM)
        return IssuedToken(
            token=token,
            expires_in=self._ttl_seconds,
            jti=jti,
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    def verify(self, token: str, now: datetime | None = None) -> AccessClaims:
        """The claims of a token this codec issued and that is still valid at `now`."""
        try:
            claims = self._decode(token, now)
        except Exception as exc:  # any defect at all makes the token unusable
            raise InvalidToken() from exc
        return claims

    def _decode(self, token: str, now: datetime | None) -> AccessClaims:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise ValueError("not a token")
        if jwt.get_unverified_header(token).get("alg") != ALGORITHM:
            raise ValueError("unexpected algorithm")
        # With an explicit `now` the clock checks are ours alone; otherwise PyJWT checks
        # the wall clock too.
        wall_clock = now is None
        options: Options = {
            "require": list(REQUIRED_CLAIMS),
            "strict_aud": True,
            "verify_exp": wall_clock,
            "verify_iat": wall_clock,
        }
        payload = jwt.decode(
            token,
            self._key,
            algorithms=[ALGORITHM],
            audience=self._audience,
            issuer=self._issuer,
            options=options,
            leeway=LEEWAY,
        )
        claims = msgspec.convert(payload, AccessClaims)
        moment = _utc(now).timestamp()
        leeway = LEEWAY.total_seconds()
        if claims.exp <= moment - leeway:
            raise ValueError("expired")
        if claims.iat > moment + leeway:
            raise ValueError("issued in the future")
        if claims.exp <= claims.iat:
            raise ValueError("expires before it was issued")
        return claims


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return utc_now()
    if now.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous; pass an aware one")
    return now.astimezone(UTC)
