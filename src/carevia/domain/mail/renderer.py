from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block

from carevia.domain.mail.models import RenderedMail
from carevia.domain.mail.words import English, MailWords
from carevia.domain.shared.language import local
from carevia.domain.shared.money import format_money
from carevia.domain.shared.time_format import format_day, format_local

MAIL_TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "mail"
BRAND = "Carevia"
SUPPORT_EMAIL = "support@carevia.example"


class MailRenderer:
    """Renders `<name>.txt` and `<name>.html`; the subject is the .txt `subject` block.

    Each email is rendered whole in its recipient's language, subject included.
    """

    def __init__(
        self, template_dir: Path = MAIL_TEMPLATE_DIR, *, words: MailWords | None = None
    ) -> None:
        self._words = words or English()
        self._environment = Environment(
            loader=FileSystemLoader(template_dir),
            # Only HTML is escaped; the plain-text part shows values exactly as given.
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            # A missing value fails at enqueue time instead of mailing "Hello ,".
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
            # A domain `Text` in a mail is written in the recipient's language.
            finalize=self._words.translate,
        )
        self._environment.install_gettext_callables(  # type: ignore[attr-defined]
            self._words.gettext, self._words.ngettext, newstyle=True
        )
        self._environment.globals.update(brand=BRAND, support_email=SUPPORT_EMAIL, local=local)
        # The currency is always passed: a mail has no site default to fall back on.
        self._environment.filters.update(money=format_money, localtime=format_local, day=format_day)

    def current_language(self) -> str:
        """The language of the request being answered, for mail to someone without an account."""
        return self._words.current()

    def render(self, name: str, /, language: str = "en", **context: Any) -> RenderedMail:
        with self._words.speaking(language):
            return self._render(name, {**context, "language": language})

    def _render(self, name: str, context: dict[str, Any]) -> RenderedMail:
        raw_subject = render_block(self._environment, f"{name}.txt", "subject", **context)
        # One line, so a value in the subject can never start a new header.
        subject = " ".join(raw_subject.split())
        if not subject:
            raise ValueError(f"mail template {name!r} has an empty subject block")
        context = {**context, "subject": subject}
        text = self._environment.get_template(f"{name}.txt").render(context)
        html = self._environment.get_template(f"{name}.html").render(context)
        return RenderedMail(subject=subject, text=text.strip() + "\n", html=html)
