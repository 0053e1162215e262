"""The token answer shared by the JSON sign-in and the dashboard's session-to-token bridge."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Response

from carevia.domain.auth import TokenPair
from carevia.settings import Settings
from carevia.web.auth import refresh_cookie


class TokenResponse(msgspec.Struct, frozen=True):
    access_token: str
    expires_in: int
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret


def token_response(settings: Settings, pair: TokenPair) -> Response[TokenResponse]:
    max_age = int((pair.refresh.expires_at - pair.access.expires_at).total_seconds())
    return Response(
        TokenResponse(access_token=pair.access.token, expires_in=pair.access.expires_in),
        headers={"Cache-Control": "no-store"},
        cookies=[refresh_cookie(settings, pair.refresh.token, max_age=max(max_age, 0))],
    )
