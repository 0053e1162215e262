from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block

from carevia.domain.mail.models import RenderedMail
from carevia.domain.shared.money import format_money
from carevia.domain.shared.time_format import format_day, format_local

MAIL_TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "mail"
BRAND = "Carevia"
SUPPORT_EMAIL = "support@carevia.example"


class MailRenderer:
    """Renders `<name>.txt` and `<name>.html`; the subject is the .txt `subject` block."""

    def __init__(self, template_dir: Path = MAIL_TEMPLATE_DIR) -> None:
        self._environment = Environment(
            loader=FileSystemLoader(template_dir),
            # Only HTML is escaped; the plain-text part shows values exactly as given.
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            # A missing value fails at enqueue time instead of mailing "Hello ,".
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._environment.globals.update(brand=BRAND, support_email=SUPPORT_EMAIL)
        # The currency is always passed: a mail has no site default to fall back on.
        self._environment.filters.update(money=format_money, localtime=format_local, day=format_day)

    def render(self, name: str, /, **context: Any) -> RenderedMail:
        raw_subject = render_block(self._environment, f"{name}.txt", "subject", **context)
        # One line, so a value in the subject can never start a new header.
        subject = " ".join(raw_subject.split())
        if not subject:
            raise ValueError(f"mail template {name!r} has an empty subject block")
        context = {**context, "subject": subject}
        text = self._environment.get_template(f"{name}.txt").render(context)
        html = self._environment.get_template(f"{name}.html").render(context)
        return RenderedMail(subject=subject, text=text.strip() + "\n", html=html)
