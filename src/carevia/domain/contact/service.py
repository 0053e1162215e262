from __future__ import annotations

import re

from carevia.domain.contact.models import CONTACT_TOPICS, ContactForm, ContactMessage
from carevia.domain.contact.repository import ContactRepository
from carevia.domain.shared import Invalid
from carevia.domain.shared.clock import utc_now
from carevia.domain.shared.text import Text

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ContactService:
    def __init__(self, repository: ContactRepository) -> None:
        self._repository = repository

    async def submit(self, form: ContactForm) -> ContactMessage:
        name, email, message = form.name.strip(), form.email.strip(), form.message.strip()
        fields: dict[str, str] = {}
        if not 2 <= len(name) <= 100:
            fields["name"] = Text("Please tell us your name (2–100 characters).")
        if len(email) > 254 or not EMAIL_PATTERN.match(email):
            fields["email"] = Text("Please enter an email address we can reply to.")
        if form.topic not in CONTACT_TOPICS:
            fields["topic"] = Text("Please choose a topic from the list.")
        if not 10 <= len(message) <= 4000:
            fields["message"] = Text("Please write a message of 10 to 4000 characters.")
        if fields:
            raise Invalid(fields)
        stored = ContactMessage(
            name=name,
            email=email.lower(),
            topic=form.topic,  # type: ignore[arg-type]
            message=message,
            created_at=utc_now(),
        )
        await self._repository.add(stored)
        return stored
