"""Every mail template renders a subject, a plain-text body and an escaped HTML body."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from carevia.domain.mail import MailRenderer

RESET = "https://carevia.test/reset?token=r1"
LOGIN = "https://carevia.test/login"
VERIFY = "https://carevia.test/verify?token=v1"

CASES: list[tuple[str, dict[str, Any], str, list[str], list[str]]] = [
    (
        "verify_email",
        {"first_name": "Rina", "link": VERIFY, "expires_hours": 24},
        "Confirm your email address for Carevia",
        [VERIFY, "24 hours"],
        [f'href="{VERIFY}"', "Confirm my email", "24 hours"],
    ),
    (
        "reset_password",
        {"first_name": "Rina", "link": RESET, "expires_minutes": 30},
        "Reset your Carevia password",
        [RESET, "30 minutes", "your password stays the same"],
        [f'href="{RESET}"', "Choose a new password", "30 minutes"],
    ),
    (
        "reset_no_account",
        {"reset_link": RESET},
        "About your Carevia password reset request",
        [RESET, "no active Carevia account uses it"],
        [f'href="{RESET}"', "Try another address"],
    ),
    (
        "account_exists",
        {"first_name": "Rina", "login_link": LOGIN, "reset_link": RESET},
        "You already have a Carevia account",
        [LOGIN, RESET, "no new one was made"],
        [f'href="{LOGIN}"', f'href="{RESET}"', "no new one was made"],
    ),
    (
        "password_changed",
        {"first_name": "Rina", "reset_link": RESET},
        "Your Carevia password was changed",
        [RESET, "If you did not"],
        [f'href="{RESET}"', "Reset my password"],
    ),
]


@pytest.fixture(scope="module")
def renderer() -> MailRenderer:
    return MailRenderer()


@pytest.mark.parametrize(("name", "context", "subject", "in_text", "in_html"), CASES)
def test_each_template_renders_subject_text_and_html(
    renderer: MailRenderer,
    name: str,
    context: dict[str, Any],
    subject: str,
    in_text: list[str],
    in_html: list[str],
) -> None:
    mail = renderer.render(name, **context)
    greeting = "Hello Rina," if "first_name" in context else "Hello,"

    assert mail.subject == subject
    assert mail.text.startswith(greeting + "\n\n")
    assert "support@carevia.example" in mail.text
    for fragment in in_text:
        assert fragment in mail.text
    assert "<" not in mail.text  # plain text, no markup
    assert f"<title>{subject}</title>" in mail.html
    assert greeting in mail.html
    assert 'href="mailto:support@carevia.example"' in mail.html
    assert "<table" not in mail.html
    for fragment in in_html:
        assert fragment in mail.html


def test_user_values_are_escaped_in_html_but_kept_in_text(renderer: MailRenderer) -> None:
    link = 'https://carevia.test/verify?token=a&next="><script>x()</script>'
    mail = renderer.render(
        "verify_email", first_name="<script>alert(1)</script>", link=link, expires_hours=1
    )

    assert "<script>" not in mail.html
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;," in mail.html
    assert (
        'href="https://carevia.test/verify?token=a&amp;next=&#34;&gt;&lt;script&gt;x()'
        '&lt;/script&gt;"' in mail.html
    )
    assert "Hello <script>alert(1)</script>," in mail.text
    assert link in mail.text
    assert "works for 1 hour." in mail.text


def test_a_value_cannot_break_the_subject_onto_a_new_line(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text(
        "{% block subject %}Note for\n  {{ name }}{% endblock %}{{ name }}"
    )
    (tmp_path / "note.html").write_text("<p>{{ name }}</p>")

    mail = MailRenderer(tmp_path).render("note", name="Rina\r\nBcc: x@example.com")

    assert mail.subject == "Note for Rina Bcc: x@example.com"
    assert mail.html == "<p>Rina\r\nBcc: x@example.com</p>"


def test_a_missing_value_fails_instead_of_mailing_a_gap(renderer: MailRenderer) -> None:
    with pytest.raises(UndefinedError):
        renderer.render("reset_password", first_name="Rina", link=RESET)
