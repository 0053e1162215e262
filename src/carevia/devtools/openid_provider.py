"""A local OpenID provider for development and tests that stands in for Google.

It publishes a real discovery document and key set, signs real RS256 ID tokens and checks
PKCE at its token endpoint, so the app's client verifies its answers exactly as it verifies
Google's. Its pages (`/dev/openid/...`) are served by the app itself, on the loopback
address `make run` listens on; they are never mounted in production or with Google keys.
Anyone may pick any identity here, which is why it must never face real users.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlencode

import msgspec
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from carevia.domain.shared.clock import Clock, utc_now

LOCAL_CLIENT_ID = "carevia-local-client"
CODE_LIFETIME = timedelta(minutes=2)
ID_TOKEN_LIFETIME = timedelta(minutes=5)


class AuthorizationRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What the app sent the browser here with; every field a plain string."""

    response_type: str = ""
    client_id: str = ""
    redirect_uri: str = ""
    scope: str = ""
    state: str = ""
    nonce: str = ""
    code_challenge: str = ""
    code_challenge_method: str = ""


class PickedIdentity(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    given_name: str = ""
    family_name: str = ""
    email_verified: bool = False

    @property
    def subject(self) -> str:
        """The same address is always the same person here, as `sub` is at Google."""
        return "local-" + hashlib.sha256(self.email.strip().lower().encode()).hexdigest()[:24]


# Offered on the pick page; any other address can be typed in.
OFFERED_IDENTITIES = (
    PickedIdentity(
        email="nadia.islam@example.com",
        given_name="Nadia",
        family_name="Islam",
        email_verified=True,
    ),
    PickedIdentity(
        email="rafi.hasan@example.com", given_name="Rafi", family_name="Hasan", email_verified=False
    ),
)


class ProviderRefusal(Exception):
    """An OAuth error: `error` is its code, `description` says why."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class _Code(msgspec.Struct, frozen=True, kw_only=True):
    id_token: str
    code_challenge: str
    redirect_uri: str
    expires_at: datetime


class LocalOpenIDProvider:
    def __init__(self, issuer: str, redirect_uri: str, *, clock: Clock = utc_now) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = LOCAL_CLIENT_ID
        self.client_secret = secrets.token_urlsafe(32)
        self.redirect_uri = redirect_uri
        self._clock = clock
        # One process serves the pages and the token endpoint, so codes can live here.
        self._codes: dict[str, _Code] = {}

    @functools.cached_property
    def _key(self) -> RSAKey:
        # Made on first use: generating an RSA key costs more than starting the rest of the
        # app, and most processes (every test's app) never sign anyone in with Google.
        return RSAKey.generate_key(
            2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"}
        )

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "given_name", "family_name"],
        }

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self._key]).as_dict(private=False))

    def check(self, request: AuthorizationRequest) -> None:
        """Refuse what Google would refuse before showing its page."""
        if request.client_id != self.client_id:
            raise ProviderRefusal("invalid_client", "This app is not known to the provider.")
        if request.redirect_uri != self.redirect_uri:
            raise ProviderRefusal("invalid_request", "The redirect address is not registered.")
        if request.response_type != "code" or "openid" not in request.scope.split():
            raise ProviderRefusal("invalid_request", "Only the OpenID code flow is offered.")
        if request.code_challenge_method != "S256" or not request.code_challenge:
            raise ProviderRefusal("invalid_request", "PKCE with S256 is required.")
        if not request.state or not request.nonce:
            raise ProviderRefusal("invalid_request", "A state and a nonce are required.")

    def authorize(self, request: AuthorizationRequest, identity: PickedIdentity) -> str:
        """The address the browser returns to with a code for this identity."""
        self.check(request)
        if "@" not in identity.email:
            raise ProviderRefusal("invalid_request", "Enter an email address.")
        claims = self.claims_for(identity, request.nonce)
        code = self.grant(self.sign(claims), request.code_challenge, request.redirect_uri)
        return f"{request.redirect_uri}?{urlencode({'code': code, 'state': request.state})}"

    def claims_for(self, identity: PickedIdentity, nonce: str) -> dict[str, Any]:
        now = self._clock()
        return {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": identity.subject,
            "email": identity.email.strip(),
            "email_verified": identity.email_verified,
            "given_name": identity.given_name,
            "family_name": identity.family_name,
            "nonce": nonce,
            "iat": int(now.timestamp()),
            "exp": int((now + ID_TOKEN_LIFETIME).timestamp()),
        }

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"alg": "RS256", "kid": self._key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self._key)

    def grant(self, id_token: str, code_challenge: str, redirect_uri: str) -> str:
        code = secrets.token_urlsafe(32)
        self._forget_expired()
        self._codes[code] = _Code(
            id_token=id_token,
            code_challenge=code_challenge,
            redirect_uri=redirect_uri,
            expires_at=self._clock() + CODE_LIFETIME,
        )
        return code

    def exchange(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        """The token endpoint: the client's secret, the code once, and the PKCE verifier."""
        client_id, client_secret = _client_credentials(form, authorization)
        if client_id != self.client_id or not hmac.compare_digest(
            client_secret.encode(), self.client_secret.encode()
        ):
            raise ProviderRefusal("invalid_client", "The client's credentials are wrong.")
        if form.get("grant_type") != "authorization_code":
            raise ProviderRefusal("unsupported_grant_type", "Only authorization_code is offered.")
        issued = self._codes.pop(form.get("code", ""), None)
        if issued is None or issued.expires_at <= self._clock():
            raise ProviderRefusal("invalid_grant", "The code is unknown, used or expired.")
        if form.get("redirect_uri") != issued.redirect_uri:
            raise ProviderRefusal("invalid_grant", "The redirect address does not match.")
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if not hmac.compare_digest(challenge, issued.code_challenge):
            raise ProviderRefusal("invalid_grant", "The PKCE verifier does not match.")
        return {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "openid email profile",
            "id_token": issued.id_token,
        }

    def _forget_expired(self) -> None:
        now = self._clock()
        for code in [code for code, issued in self._codes.items() if issued.expires_at <= now]:
            del self._codes[code]


def _client_credentials(form: dict[str, str], authorization: str | None) -> tuple[str, str]:
    """client_secret_basic (Authlib's default) or client_secret_post."""
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:], validate=True).decode()
        except ValueError:
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")
