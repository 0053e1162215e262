"""Registration, email verification, password reset and the user's own profile and password.

Export and deletion of the account are `domain/privacy`.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from bson import ObjectId

from carevia.domain.accounts.models import (
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    Role,
    User,
)
from carevia.domain.accounts.passwords import hash_password, password_problem, verify_password
from carevia.domain.accounts.repository import AccountTokenRepository, UserRepository
from carevia.domain.accounts.reset_throttle import ResetThrottle
from carevia.domain.accounts.validation import clean_profile, email_problem, normalise_email
from carevia.domain.audit import AuditLog
from carevia.domain.auth.sessions import SessionRepository
from carevia.domain.mail import Mailer
from carevia.domain.shared import Conflict, Invalid, NotFound
from carevia.domain.shared.clock import utc_now
from carevia.domain.shared.language import Language, current_language
from carevia.domain.shared.text import Text

VERIFY_LINK_LIFETIME = timedelta(hours=24)
RESET_LINK_LIFETIME = timedelta(minutes=30)
EXPIRED_LINK = Text("This link has expired or has already been used. Please ask for a new one.")


class AccountService:
    def __init__(
        self,
        users: UserRepository,
        tokens: AccountTokenRepository,
        sessions: SessionRepository,
        mailer: Mailer,
        audit: AuditLog,
        reset_throttle: ResetThrottle,
        base_url: str,
    ) -> None:
        self._users = users
        self._tokens = tokens
        self._sessions = sessions
        self._mailer = mailer
        self._audit = audit
        self._reset_throttle = reset_throttle
        self._base_url = base_url

    async def register(self, form: RegistrationForm, ip: str | None) -> str:
        """Create a patient account and send its verification link.

        An email that is already registered gets the same answer and changes nothing;
        its owner is told by email instead, so the form reveals no accounts.
        """
        email = normalise_email(form.email)
        fields, errors = clean_profile(form)
        if problem := email_problem(email):
            errors["email"] = problem
        if problem := password_problem(form.password, email):
            errors["password"] = problem
        if errors:
            raise Invalid(errors)
        now = utc_now()
        user = User(
            id=ObjectId(),
            email=email,
            password_hash=await hash_password(form.password),
            role="patient",
            created_at=now,
            updated_at=now,
            language=current_language(),  # the language the form was filled in
            **fields,
        )
        try:
            await self._users.add(user)
        except Conflict:
            await self._tell_owner_of_registration_attempt(email, now)
            await self._audit.record("user.register_existing", target_type="user", ip=ip)
            return email
        await self._send_verification(user, now)
        await self._audit.record(
            "user.registered",
            actor_id=str(user.id),
            actor_role="patient",
            target_type="user",
            target_id=str(user.id),
            ip=ip,
        )
        return email

    async def create_user(self, email: str, name: str, role: Role, password: str) -> User:
        """An operator-created account (admins, caregivers), verified from the start."""
        email = normalise_email(email)
        errors = {}
        if problem := email_problem(email):
            errors["email"] = problem
        if problem := password_problem(password, email):
            errors["password"] = problem
        first, _, last = name.strip().partition(" ")
        if not first:
            errors["name"] = Text("Enter a name.")
        if errors:
            raise Invalid(errors)
        now = utc_now()
        user = User(
            id=ObjectId(),
            email=email,
            first_name=first,
            last_name=last.strip(),
            role=role,
            password_hash=await hash_password(password),
            email_verified_at=now,
            source="operator",
            created_at=now,
            updated_at=now,
        )
        await self._users.add(user)
        await self._audit.record(
            "user.created",
            actor_role="operator",
            target_type="user",
            target_id=str(user.id),
            role=role,
        )
        return user

    async def resend_verification(self, user: User) -> None:
        if not user.is_verified:
            await self._send_verification(user, utc_now())

    async def verification_link_is_usable(self, token: str) -> bool:
        return await self._tokens.peek(token, "verify_email", utc_now()) is not None

    async def verify_email(self, token: str) -> User:
        """Consume the link once and confirm its address; nobody is signed in by it.

        The link proves only that someone can read that inbox, so the caller keeps
        whatever session the browser already has: a signed-in person who follows
        another account's link stays in their own account.
        """
        now = utc_now()
        user_id = await self._tokens.consume(token, "verify_email", now)
        user = None if user_id is None else await self._users.get(user_id)
        if user is None or not user.is_active:
            raise NotFound(EXPIRED_LINK)
        await self._users.mark_verified(user.id, now)
        await self._audit.record(
            "user.email_verified", actor_id=str(user.id), target_type="user", target_id=str(user.id)
        )
        return user

    async def request_password_reset(self, email: str, ip: str | None) -> None:
        """Queue a reset link, or word that no account uses the address.

        Both cases write the same documents (a throttle count, an audit entry, a link
        token and one queued email), so neither the answer, its timing nor the work done
        tells whether an account exists. Addresses and IPs are limited per hour.
        """
        email = normalise_email(email)[:254]
        now = utc_now()
        allowed = await self._reset_throttle.allow(email, ip, now)
        user = await self._users.get_by_email(email) if email else None
        account = user if user is not None and user.is_active else None
        await self._audit.record(
            "user.password_reset_requested",
            target_type="user",
            target_id=str(account.id) if account else None,
            ip=ip,
            throttled=not allowed,
        )
        if not allowed or email_problem(email):
            return  # a malformed address can be nobody's account: nothing to hide
        token = secrets.token_urlsafe(32)
        # Without an account the token belongs to nobody, so it can never reset anything.
        owner = account.id if account else ObjectId()
        await self._tokens.discard_for_user(owner, "reset_password")
        await self._tokens.add(token, owner, "reset_password", now + RESET_LINK_LIFETIME)
        if account is None:
            await self._mailer.enqueue(
                email, "reset_no_account", reset_link=f"{self._base_url}/forgot-password"
            )
            return
        await self._mailer.enqueue(
            account.email,
            "reset_password",
            first_name=account.first_name,
            link=f"{self._base_url}/reset-password?token={token}",
            expires_minutes=int(RESET_LINK_LIFETIME.total_seconds() // 60),
        )

    async def reset_link_is_usable(self, token: str) -> bool:
        return await self._tokens.peek(token, "reset_password", utc_now()) is not None

    async def reset_password(self, token: str, new_password: str) -> User:
        now = utc_now()
        user_id = await self._tokens.peek(token, "reset_password", now)
        user = None if user_id is None else await self._users.get(user_id)
        if user is None:
            raise NotFound(EXPIRED_LINK)
        if problem := password_problem(new_password, user.email):
            raise Invalid({"new_password": problem})
        if await self._tokens.consume(token, "reset_password", now) is None:
            raise NotFound(EXPIRED_LINK)
        await self._replace_password(user, new_password, now, reason="reset")
        return user

    async def update_profile(self, user: User, form: ProfileForm) -> User:
        fields, errors = clean_profile(form)
        if errors:
            raise Invalid(errors)
        updated = await self._users.update_fields(user.id, fields, utc_now())
        if updated is None:
            raise NotFound(Text("Your account no longer exists."))
        return updated

    async def choose_language(self, user: User, language: Language) -> User:
        """Pages and emails for this account are in `language` from now on."""
        updated = await self._users.update_fields(user.id, {"language": language}, utc_now())
        if updated is None:
            raise NotFound(Text("Your account no longer exists."))
        return updated

    async def change_password(self, user: User, form: PasswordChangeForm) -> None:
        if not await verify_password(user.password_hash, form.current_password):
            raise Invalid({"current_password": Text("Your current password is not right.")})
        if problem := password_problem(form.new_password, user.email):
            raise Invalid({"new_password": problem})
        await self._replace_password(user, form.new_password, utc_now(), reason="change")

    async def _replace_password(
        self, user: User, password: str, now: datetime, reason: str
    ) -> None:
        await self._users.set_password_hash(
            user.id, await hash_password(password), now, revoke=True
        )
        await self._sessions.delete_for_user(user.id)
        await self._audit.record(
            "user.password_changed",
            actor_id=str(user.id),
            target_type="user",
            target_id=str(user.id),
            reason=reason,
            tokens_revoked=True,
        )
        await self._mailer.enqueue(
            user.email,
            "password_changed",
            first_name=user.first_name,
            reset_link=f"{self._base_url}/forgot-password",
        )

    async def _send_verification(self, user: User, now: datetime) -> None:
        token = secrets.token_urlsafe(32)
        await self._tokens.add(token, user.id, "verify_email", now + VERIFY_LINK_LIFETIME)
        await self._mailer.enqueue(
            user.email,
            "verify_email",
            first_name=user.first_name,
            link=f"{self._base_url}/verify-email?token={token}",
            expires_hours=int(VERIFY_LINK_LIFETIME.total_seconds() // 3600),
        )

    async def _tell_owner_of_registration_attempt(self, email: str, now: datetime) -> None:
        owner = await self._users.get_by_email(email)
        if owner is None or not owner.is_active:
            return
        await self._mailer.enqueue(
            owner.email,
            "account_exists",
            dedupe_key=f"account_exists:{owner.id}:{now.date()}",
            first_name=owner.first_name,
            login_link=f"{self._base_url}/login",
            reset_link=f"{self._base_url}/forgot-password",
        )
