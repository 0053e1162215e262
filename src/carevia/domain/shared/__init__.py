from carevia.domain.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from carevia.domain.shared.pagination import Page, PageRequest

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Page",
    "PageRequest",
    "RateLimited",
    "Unauthenticated",
]
