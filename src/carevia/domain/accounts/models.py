from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from bson import ObjectId

from carevia.domain.shared.language import Language

Role = Literal["patient", "caregiver", "admin"]
ROLES: tuple[Role, ...] = ("patient", "caregiver", "admin")
# How an account came to be: the registration form, Google, or an operator's command.
AccountSource = Literal["password", "google", "operator"]


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId = msgspec.field(name="_id")
    email: str
    first_name: str
    last_name: str
    phone: str = ""
    address: str = ""
    city: str = ""
    division: str = ""
    district: str = ""
    postal_code: str | None = None
    role: Role = "patient"
    password_hash: str
    email_verified_at: datetime | None = None
    is_active: bool = True
    token_version: int = 0
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    source: AccountSource = "password"
    # Google's `sub` for this person: stable, unlike the email address Google reports.
    google_subject: str | None = None
    # The language the person chose for pages and emails; a cookie carries it between visits.
    language: Language = "en"

    @property
    def has_password(self) -> bool:
        """An account made with Google has none until its owner sets one by a reset link."""
        return bool(self.password_hash)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


# Form Structs: every field is a plain string, so a dict or list (an operator document
# such as {"$ne": null}) can never be decoded into one.
class RegistrationForm(msgspec.Struct, frozen=True, kw_only=True):
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    password: str = ""
    phone: str = ""
    address: str = ""
    city: str = ""
    division: str = ""
    district: str = ""
    postal_code: str = ""


class ProfileForm(msgspec.Struct, frozen=True, kw_only=True):
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    address: str = ""
    city: str = ""
    division: str = ""
    district: str = ""
    postal_code: str = ""


class LoginForm(msgspec.Struct, frozen=True, kw_only=True):
    email: str = ""
    password: str = ""
    next: str = ""


class PasswordChangeForm(msgspec.Struct, frozen=True, kw_only=True):
    current_password: str = ""
    new_password: str = ""


class EmailForm(msgspec.Struct, frozen=True, kw_only=True):
    email: str = ""


class PasswordResetForm(msgspec.Struct, frozen=True, kw_only=True):
    token: str = ""
    new_password: str = ""


class PasswordConfirmForm(msgspec.Struct, frozen=True, kw_only=True):
    password: str = ""


class TokenForm(msgspec.Struct, frozen=True, kw_only=True):
    token: str = ""
