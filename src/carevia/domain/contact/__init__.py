from carevia.domain.contact.models import CONTACT_TOPICS, ContactForm, ContactMessage
from carevia.domain.contact.repository import ContactRepository
from carevia.domain.contact.service import ContactService

__all__ = ["CONTACT_TOPICS", "ContactForm", "ContactMessage", "ContactRepository", "ContactService"]
