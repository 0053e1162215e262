from carevia.domain.mail.models import OUTBOX_STATUSES, OutboxMessage, OutboxStatus, RenderedMail
from carevia.domain.mail.renderer import MailRenderer
from carevia.domain.mail.repository import INDEXES, OutboxRepository
from carevia.domain.mail.service import Mailer, compose_email
from carevia.domain.mail.transport import LogTransport, MailTransport, SmtpTransport, transport_for
from carevia.domain.mail.worker import MailWorker, retry_delay

__all__ = [
    "INDEXES",
    "OUTBOX_STATUSES",
    "LogTransport",
    "MailRenderer",
    "MailTransport",
    "MailWorker",
    "Mailer",
    "OutboxMessage",
    "OutboxRepository",
    "OutboxStatus",
    "RenderedMail",
    "SmtpTransport",
    "compose_email",
    "retry_delay",
    "transport_for",
]
