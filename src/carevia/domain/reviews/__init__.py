from carevia.domain.reviews.models import ModerationForm, ReplyForm, Review, ReviewForm
from carevia.domain.reviews.repository import INDEXES, ReviewRepository
from carevia.domain.reviews.service import ReviewService

__all__ = [
    "INDEXES",
    "ModerationForm",
    "ReplyForm",
    "Review",
    "ReviewForm",
    "ReviewRepository",
    "ReviewService",
]
