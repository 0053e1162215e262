from carevia.domain.accounts.administration import UserAdministration
from carevia.domain.accounts.models import (
    ROLES,
    EmailForm,
    LoginForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    PasswordResetForm,
    ProfileForm,
    RegistrationForm,
    Role,
    TokenForm,
    User,
)
from carevia.domain.accounts.repository import INDEXES, AccountTokenRepository, UserRepository
from carevia.domain.accounts.service import AccountService

__all__ = [
    "INDEXES",
    "ROLES",
    "AccountService",
    "AccountTokenRepository",
    "EmailForm",
    "LoginForm",
    "PasswordChangeForm",
    "PasswordConfirmForm",
    "PasswordResetForm",
    "ProfileForm",
    "RegistrationForm",
    "Role",
    "TokenForm",
    "User",
    "UserAdministration",
    "UserRepository",
]
