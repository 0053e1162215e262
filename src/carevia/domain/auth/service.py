"""Logging in: web sessions for people, bearer tokens for the dashboard and API."""

from __future__ import annotations

import msgspec
from bson import ObjectId

from carevia.domain.accounts.models import User
from carevia.domain.accounts.passwords import hash_password, needs_rehash, verify_password
from carevia.domain.accounts.repository import UserRepository
from carevia.domain.accounts.validation import normalise_email
from carevia.domain.audit import AuditLog
from carevia.domain.auth.devices import DeviceCookies
from carevia.domain.auth.refresh import IssuedRefresh, RefreshReuse, RefreshTokenService
from carevia.domain.auth.sessions import SessionRepository
from carevia.domain.auth.throttle import LoginThrottle
from carevia.domain.auth.tokens import AccessTokenCodec, InvalidToken, IssuedToken
from carevia.domain.shared import RateLimited, Unauthenticated
from carevia.domain.shared.clock import utc_now
from carevia.domain.shared.text import Text

WRONG_CREDENTIALS = Text("The email or password is not right.")
THROTTLED = Text(
    "Too many attempts to log in. Please wait 15 minutes and try again, or reset your password."
)


class TokenPair(msgspec.Struct, frozen=True):
    access: IssuedToken
    refresh: IssuedRefresh


class SignedIn(msgspec.Struct, frozen=True):
    user: User
    session: str
    device: str  # a fresh device cookie: this browser is now trusted for this account


class AuthService:
    def __init__(
        self,
        users: UserRepository,
        sessions: SessionRepository,
        throttle: LoginThrottle,
        access_tokens: AccessTokenCodec,
        refresh_tokens: RefreshTokenService,
        devices: DeviceCookies,
        audit: AuditLog,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._throttle = throttle
        self._devices = devices
        self._access_tokens = access_tokens
        self._refresh_tokens = refresh_tokens
        self._audit = audit

    async def check_credentials(
        self, email: str, password: str, ip: str | None, device_cookie: str | None = None
    ) -> User:
        """The active user with these credentials.

        Throttled per account and per IP, except for a browser with a device cookie of
        this account, which is throttled on its own (see `devices.py`).
        """
        email = normalise_email(email)[:254]
        now = utc_now()
        device = self._devices.device_for(device_cookie, email)
        # Checked before hashing, so a flood of guesses costs us no CPU.
        if await self._throttle.is_blocked(email, ip, now, device):
            await self._audit.record("auth.login_throttled", ip=ip, trusted_device=bool(device))
            raise RateLimited(THROTTLED)
        user = await self._users.get_by_email(email) if email else None
        valid = await verify_password(user.password_hash if user else None, password)
        if user is None or not valid or not user.is_active:
            await self._throttle.record_failure(email, ip, now, device)
            await self._audit.record(
                "auth.login_failed",
                target_type="user",
                target_id=str(user.id) if user else None,
                ip=ip,
            )
            raise Unauthenticated(WRONG_CREDENTIALS)
        if needs_rehash(user.password_hash):
            await self._users.set_password_hash(
                user.id, await hash_password(password), now, revoke=False
            )
        await self._throttle.clear_account(email, now)
        return user

    async def log_in(
        self,
        email: str,
        password: str,
        ip: str | None,
        replaces: str | None,
        device_cookie: str | None = None,
    ) -> SignedIn:
        user = await self.check_credentials(email, password, ip, device_cookie)
        session = await self.open_session(user, ip, replaces)
        return SignedIn(user, session, self._devices.issue(user.email))

    async def sign_in_as(
        self, user: User, ip: str | None, replaces: str | None, *, method: str
    ) -> SignedIn:
        """A sign-in proven otherwise than by password (Google): the same session and cookies."""
        if not user.is_active:
            raise Unauthenticated(WRONG_CREDENTIALS)
        session = await self.open_session(user, ip, replaces, method=method)
        return SignedIn(user, session, self._devices.issue(user.email))

    async def open_session(
        self, user: User, ip: str | None, replaces: str | None, *, method: str = "password"
    ) -> str:
        """A new session id at every login, so a planted id is never promoted."""
        if replaces:
            await self._sessions.delete(replaces)
        token = await self._sessions.create(user.id, utc_now(), ip)
        await self._audit.record(
            "auth.login",
            actor_id=str(user.id),
            actor_role=user.role,
            ip=ip,
            via="session",
            method=method,
        )
        return token

    async def close_session(self, token: str, user: User | None) -> None:
        await self._sessions.delete(token)
        if user is not None:
            await self._audit.record("auth.logout", actor_id=str(user.id), actor_role=user.role)

    async def user_for_session(self, token: str) -> User | None:
        session = await self._sessions.find(token, utc_now())
        if session is None:
            return None
        user = await self._users.get(session.user_id)
        return user if user is not None and user.is_active else None

    async def user_for_access_token(self, token: str) -> User:
        claims = self._access_tokens.verify(token)
        user = await self._users.get(claims.sub)
        # The version check makes a role change, a disable or a new password revoke
        # every token issued before it, at once.
        if user is None or not user.is_active or user.token_version != claims.ver:
            raise InvalidToken(Text("This token has been revoked."))
        return user

    async def issue_tokens(self, user: User, ip: str | None) -> TokenPair:
        refresh = await self._refresh_tokens.start_family(str(user.id), user.token_version)
        await self._audit.record(
            "auth.login", actor_id=str(user.id), actor_role=user.role, ip=ip, via="token"
        )
        return TokenPair(self._issue_access(user), refresh)

    async def log_in_for_tokens(self, email: str, password: str, ip: str | None) -> TokenPair:
        return await self.issue_tokens(await self.check_credentials(email, password, ip), ip)

    async def refresh(self, token: str, ip: str | None) -> TokenPair:
        try:
            previous, refresh = await self._refresh_tokens.rotate(token)
        except RefreshReuse as reuse:
            await self._audit.record(
                "auth.refresh_reused",
                target_type="user",
                target_id=reuse.user_id,
                ip=ip,
                family_id=reuse.family_id,
                tokens_revoked=True,
            )
            raise
        user = await self._users.get(previous.user_id)
        if user is None or not user.is_active or user.token_version != previous.token_version:
            await self._refresh_tokens.revoke_family(previous.family_id)
            raise InvalidToken(Text("This session has ended. Please log in again."))
        return TokenPair(self._issue_access(user), refresh)

    async def revoke_refresh(self, token: str) -> None:
        await self._refresh_tokens.revoke(token)

    async def user_by_id(self, user_id: ObjectId) -> User | None:
        return await self._users.get(user_id)

    def _issue_access(self, user: User) -> IssuedToken:
        return self._access_tokens.issue(str(user.id), user.role, user.token_version)
