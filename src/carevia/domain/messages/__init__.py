from carevia.domain.messages.models import (
    TEXT_MAX,
    Message,
    MessageForm,
    ThreadSummary,
    ThreadView,
)
from carevia.domain.messages.repository import INDEXES, MessageRepository
from carevia.domain.messages.service import MessageService

__all__ = [
    "INDEXES",
    "TEXT_MAX",
    "Message",
    "MessageForm",
    "MessageRepository",
    "MessageService",
    "ThreadSummary",
    "ThreadView",
]
