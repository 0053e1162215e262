"""An OpenID Connect client (Authlib): authorization code flow with PKCE, `state` and `nonce`.

Whoever the provider is (Google, or the local test provider in development), its answer is
trusted only after the ID token's signature is checked against the provider's published
keys and its issuer, audience, expiry and nonce against what this sign-in asked for.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import msgspec
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2 import OAuth2Error
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from carevia.domain.shared import DomainError
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.text import Text

SCOPE = "openid email profile"
ALGORITHMS = ["RS256"]
# Clocks of two servers differ a little; Google's own libraries allow about this much.
LEEWAY_SECONDS = 60
NOT_GENUINE = Text("The answer from Google could not be verified, so you are not signed in.")
EXPIRED = Text("The answer from Google has expired. Please try signing in with Google again.")
CLAIM_PROBLEMS = {
    "aud": Text("The answer from Google was meant for another site, so you are not signed in."),
    "azp": Text("The answer from Google was meant for another site, so you are not signed in."),
    "iss": Text("The answer did not come from Google, so you are not signed in."),
    "nonce": Text("The answer from Google belongs to another sign-in, so you are not signed in."),
}


class SignInRefused(DomainError):
    """A sign-in with another provider that cannot be trusted or completed; nobody is signed in."""

    code = "sign_in_refused"


class VerifiedIdentity(msgspec.Struct, frozen=True, kw_only=True):
    subject: str
    email: str
    email_verified: bool
    given_name: str = ""
    family_name: str = ""


class AuthorizationStart(msgspec.Struct, frozen=True, kw_only=True):
    """Where to send the browser, and the secrets to keep until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class OpenIDClient:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        discovery_url: str,
        redirect_uri: str,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self._discovery_url = discovery_url
        self.redirect_uri = redirect_uri
        self._transport = transport
        self._clock = clock
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def _oauth(self) -> AsyncOAuth2Client:
        # One client per sign-in: Authlib's client keeps the token it fetched on itself.
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self._client_secret,
            scope=SCOPE,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            transport=self._transport,
            timeout=10,
        )

    async def start(self) -> AuthorizationStart:
        metadata = await self._provider_metadata()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = generate_token(64)
        async with self._oauth() as oauth:
            url, _ = oauth.create_authorization_url(
                metadata["authorization_endpoint"],
                state=state,
                nonce=nonce,
                code_verifier=verifier,
            )
        return AuthorizationStart(url=url, state=state, nonce=nonce, code_verifier=verifier)

    async def finish(self, code: str, nonce: str, code_verifier: str) -> VerifiedIdentity:
        """Exchange the code (with the PKCE verifier) and verify the ID token that comes back."""
        metadata = await self._provider_metadata()
        async with self._oauth() as oauth:
            try:
                token = await oauth.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
            except (OAuth2Error, httpx.HTTPError, ValueError) as exc:
                raise SignInRefused(
                    Text("Google did not accept this sign-in. Please try again.")
                ) from exc
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInRefused(NOT_GENUINE)
        claims = await self._verified_claims(
            id_token, metadata["issuer"], nonce, token.get("access_token")
        )
        email = claims.get("email")
        if not isinstance(email, str) or not email:
            raise SignInRefused(
                Text("Google did not share an email address, so we cannot sign you in.")
            )
        return VerifiedIdentity(
            subject=str(claims["sub"]),
            email=email,
            email_verified=claims.get("email_verified") is True,
            given_name=str(claims.get("given_name") or ""),
            family_name=str(claims.get("family_name") or ""),
        )

    async def _verified_claims(
        self, id_token: str, issuer: str, nonce: str, access_token: Any
    ) -> CodeIDToken:
        try:
            try:
                decoded = jwt.decode(id_token, await self._key_set(), registry=_registry())
            except InvalidKeyIdError:  # the provider rotated its keys since we last looked
                decoded = jwt.decode(
                    id_token, await self._key_set(refresh=True), registry=_registry()
                )
            params: dict[str, Any] = {"nonce": nonce, "client_id": self.client_id}
            if isinstance(access_token, str):
                params["access_token"] = access_token
            claims = CodeIDToken(
                decoded.claims,
                decoded.header,
                {
                    "iss": {"essential": True, "value": issuer},
                    "aud": {"essential": True, "value": self.client_id},
                    "sub": {"essential": True},
                },
                params,
            )
            claims.validate(now=int(self._clock().timestamp()), leeway=LEEWAY_SECONDS)
        except ExpiredTokenError as exc:
            raise SignInRefused(EXPIRED) from exc
        except ClaimError as exc:
            raise SignInRefused(CLAIM_PROBLEMS.get(exc.claim, NOT_GENUINE)) from exc
        except (JoseError, ValueError) as exc:
            raise SignInRefused(NOT_GENUINE) from exc
        return claims

    async def _provider_metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            self._metadata = await self._get_json(self._discovery_url)
        return self._metadata

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            metadata = await self._provider_metadata()
            published: Any = await self._get_json(metadata["jwks_uri"])
            self._keys = KeySet.import_key_set(published)
        return self._keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=10) as client:
                response = await client.get(url)
                response.raise_for_status()
                document: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SignInRefused(
                Text(
                    "Google sign-in is not reachable just now. Please try again in a minute, "
                    "or log in with your password."
                )
            ) from exc
        return document


def _registry() -> JWSRegistry:
    # Only the algorithms we expect: a token that names "none" or an HMAC is refused.
    return JWSRegistry(algorithms=ALGORITHMS)
