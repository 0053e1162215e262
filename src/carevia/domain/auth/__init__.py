from carevia.domain.auth.refresh import (
    DEFAULT_REFRESH_TTL,
    INDEXES,
    REFRESH_TOKENS,
    IssuedRefresh,
    RefreshReuse,
    RefreshToken,
    RefreshTokenRepository,
    RefreshTokenService,
    hash_refresh_token,
)
from carevia.domain.auth.service import AuthService, TokenPair
from carevia.domain.auth.sessions import SessionRepository
from carevia.domain.auth.throttle import LoginThrottle
from carevia.domain.auth.tokens import (
    ALGORITHM,
    DEFAULT_AUDIENCE,
    DEFAULT_TTL,
    AccessClaims,
    AccessTokenCodec,
    InvalidToken,
    IssuedToken,
    derive_signing_key,
)

__all__ = [
    "ALGORITHM",
    "DEFAULT_AUDIENCE",
    "DEFAULT_REFRESH_TTL",
    "DEFAULT_TTL",
    "INDEXES",
    "REFRESH_TOKENS",
    "AccessClaims",
    "AccessTokenCodec",
    "AuthService",
    "InvalidToken",
    "IssuedRefresh",
    "IssuedToken",
    "LoginThrottle",
    "RefreshReuse",
    "RefreshToken",
    "RefreshTokenRepository",
    "RefreshTokenService",
    "SessionRepository",
    "TokenPair",
    "derive_signing_key",
    "hash_refresh_token",
]
