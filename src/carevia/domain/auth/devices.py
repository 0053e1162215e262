"""Device cookies (OWASP's answer to lockout abuse): a browser that signed in keeps its own count.

Wrong guesses lock an account for browsers that never signed in to it. A browser holding a
device cookie for that account is counted on its own instead, so a stranger guessing
passwords cannot lock the owner out. The cookie is signed, names its account and carries a
random nonce; only its nonce is counted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_KEY_CONTEXT = b"carevia device cookie v1"


class DeviceCookies:
    def __init__(self, secret_key: str) -> None:
        # A key of its own, so a device cookie can never pass for another signed value.
        self._key = hmac.new(secret_key.encode(), _KEY_CONTEXT, hashlib.sha256).digest()

    def issue(self, email: str) -> str:
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{self._sign(email, nonce)}"

    def device_for(self, cookie: str | None, email: str) -> str | None:
        """The cookie's nonce when it was issued to this account's browser, else None."""
        nonce, _, signature = (cookie or "").partition(".")
        if not nonce or not signature.isascii():
            return None
        if not hmac.compare_digest(signature, self._sign(email, nonce)):
            return None
        return nonce

    def _sign(self, email: str, nonce: str) -> str:
        message = f"{email}|{nonce}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
