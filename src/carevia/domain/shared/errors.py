"""Errors the domain raises; `carevia.web.errors` is the one place that maps them to HTTP."""

from __future__ import annotations

from carevia.domain.shared.text import Text


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"


class Invalid(DomainError):
    """Input that breaks a rule; `fields` maps form field names to messages."""

    code = "invalid"

    def __init__(
        self, fields: dict[str, str], message: str = Text("Please correct the highlighted fields.")
    ) -> None:
        super().__init__(message)
        self.fields = fields


class Unauthenticated(DomainError):
    """Credentials or a token did not identify an active user."""

    code = "unauthorized"


class RateLimited(DomainError):
    code = "rate_limited"
