"""A small Stripe API on loopback for the real SDK (point `STRIPE_API_BASE` at `base_url`).

Form-encoded bracketed bodies in, JSON and Stripe's error envelope out; a repeated
Idempotency-Key replays the first answer; every request is kept; failures can be queued.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import stripe

from carevia.devtools.stripe_examples import stripe_shaped

Answer = tuple[int, dict[str, Any], dict[str, str]]

IDEMPOTENCY_MISMATCH = (
    "Keys for idempotent requests can only be used with the same parameters they were first "
    "used with."
)
ERROR_TYPES = {400: "invalid_request_error", 404: "invalid_request_error", 429: "rate_limit_error"}


@dataclass(frozen=True)
class StubRequest:
    method: str
    path: str
    form: dict[str, str]  # as sent: {"line_items[0][price_data][unit_amount]": "150000", …}
    params: dict[str, Any]  # the same, nested: {"line_items": [{"price_data": {…}}], …}
    headers: dict[str, str]  # lower-case names

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Undo Stripe's bracket encoding; objects whose keys are all indices become lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def listify(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        items = {k: listify(v) for k, v in node.items()}
        if items and all(k.isdigit() for k in items):
            return [items[k] for k in sorted(items, key=int)]
        return items

    result: dict[str, Any] = listify(root)
    return result


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _public(session: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in session.items() if not k.startswith("_")}


def _error(status: int, message: str, **extra: str) -> Answer:
    error_type = extra.pop("type", ERROR_TYPES.get(status, "api_error"))
    return status, {"error": {"type": error_type, "message": message, **extra}}, {}


class StripeStub:
    def __init__(self) -> None:
        self.requests: list[StubRequest] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self._replays: dict[str, tuple[tuple[str, dict[str, str]], Answer]] = {}
        self._failures: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def fail_next(self, status: int = 500, *, times: int = 1, message: str | None = None) -> None:
        """Answer the next `times` requests with this error, before any idempotent replay."""
        for _ in range(times):
            self._failures.append(_error(status, message or f"Simulated failure ({status})."))

    def requests_to(self, method: str, path: str) -> list[StubRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def complete_session(self, session_id: str) -> dict[str, Any]:
        """What happens when the customer pays: the session completes and owns a PaymentIntent."""
        with self._lock:
            session = self.sessions[session_id]
            intent_id = _id("pi")
            self.payment_intents[intent_id] = {
                "id": intent_id,
                "amount": session["amount_total"],
                "currency": session["currency"],
                "metadata": session["_payment_intent_metadata"],
                "amount_refunded": 0,
            }
            session.update(
                status="complete", payment_status="paid", payment_intent=intent_id, url=None
            )
            return _public(session)

    def handle(self, request: StubRequest) -> Answer:
        with self._lock:
            self.requests.append(request)
            if self._failures:
                return self._failures.popleft()
            if not request.headers.get("authorization", "").startswith("Bearer sk_"):
                return _error(401, "Invalid API Key provided.")
            key = request.idempotency_key if request.method == "POST" else None
            if key is not None and key in self._replays:
                first, answer = self._replays[key]
                if first != (request.path, request.form):
                    return _error(400, IDEMPOTENCY_MISMATCH, type="idempotency_error")
                return answer[0], answer[1], {"Idempotent-Replayed": "true"}
            answer = self._route(request)
            if key is not None and answer[0] == 200:  # a refused request saves no result
                self._replays[key] = ((request.path, request.form), answer)
            return answer

    def _route(self, request: StubRequest) -> Answer:
        method, path, params = request.method, request.path, request.params
        if (method, path) == ("POST", "/v1/checkout/sessions"):
            return self._create_session(params)
        if (method, path) == ("POST", "/v1/refunds"):
            return self._create_refund(params)
        match = re.fullmatch(r"/v1/checkout/sessions/([^/]+)(/expire)?", path)
        if match and (method == "GET") != bool(match[2]):
            session = self.sessions.get(match[1])
            if session is None:
                message = f"No such checkout.session: '{match[1]}'"
                return _error(404, message, code="resource_missing", param="session")
            if match[2]:
                if session["status"] != "open":
                    return _error(
                        400,
                        'Only Checkout Sessions with a status in ["open"] can be expired. '
                        f'This Checkout Session has a status of "{session["status"]}".',
                    )
                session.update(status="expired", url=None)
            return 200, _public(session), {}
        return _error(404, f"Unrecognized request URL ({method}: {path}).")

    def _create_session(self, params: dict[str, Any]) -> Answer:
        if missing := [n for n in ("mode", "line_items", "success_url") if n not in params]:
            return _error(400, f"Missing required param: {missing[0]}.", param=missing[0])
        now = int(time.time())
        expires_at = int(params.get("expires_at", now + 86400))
        if not now + 1800 <= expires_at <= now + 86400:
            return _error(
                400,
                "The `expires_at` timestamp must be at least 30 minutes and at most 24 hours "
                "from Checkout Session creation.",
                param="expires_at",
            )
        items = params["line_items"]
        total = sum(int(i["price_data"]["unit_amount"]) * int(i["quantity"]) for i in items)
        session_id = _id("cs_test")
        session = stripe_shaped(
            "checkout.session",
            {
                "id": session_id,
                "object": "checkout.session",
                "amount_subtotal": total,
                "amount_total": total,
                "cancel_url": params.get("cancel_url"),
                "client_reference_id": params.get("client_reference_id"),
                "created": now,
                "currency": items[0]["price_data"]["currency"],
                "customer": None,
                "customer_email": params.get("customer_email"),
                "expires_at": expires_at,
                "livemode": False,
                "metadata": params.get("metadata", {}),
                "mode": params["mode"],
                "payment_intent": None,
                "payment_status": "unpaid",
                "status": "open",
                "success_url": params["success_url"],
                "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
                "_payment_intent_metadata": params.get("payment_intent_data", {}).get(
                    "metadata", {}
                ),
            },
        )
        self.sessions[session_id] = session
        return 200, _public(session), {}

    def _create_refund(self, params: dict[str, Any]) -> Answer:
        intent = self.payment_intents.get(params.get("payment_intent", ""))
        if intent is None:
            message = f"No such payment_intent: '{params.get('payment_intent')}'"
            return _error(400, message, code="resource_missing", param="payment_intent")
        remaining = intent["amount"] - intent["amount_refunded"]
        amount = int(params.get("amount", remaining))
        if amount > remaining:
            return _error(400, "Refund amount is greater than the unrefunded amount.")
        intent["amount_refunded"] += amount
        refund = stripe_shaped(
            "refund",
            {
                "id": _id("re"),
                "object": "refund",
                "amount": amount,
                "charge": _id("ch"),
                "created": int(time.time()),
                "currency": intent["currency"],
                "metadata": params.get("metadata", {}),
                "payment_intent": intent["id"],
                "reason": params.get("reason"),
                "status": "succeeded",
            },
        )
        self.refunds[refund["id"]] = refund
        return 200, refund, {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: StripeStub


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        pairs = parse_qsl(body, keep_blank_values=True)
        request = StubRequest(
            method=self.command,
            path=unquote(url.path),
            form=dict(pairs),
            params=decode_form(pairs),
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        status, payload, headers = self.server.stub.handle(request)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


def signed_event(event_type: str, data_object: dict[str, Any], secret: str) -> tuple[bytes, str]:
    """A webhook body and its `Stripe-Signature` header; POST exactly these bytes."""
    event = {
        "id": _id("evt"),
        "object": "event",
        "api_version": stripe.api_version,
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": data_object},
    }
    payload = json.dumps(event)
    return payload.encode(), stripe.WebhookSignature.generate_signature_header(payload, secret)


@pytest.fixture
def stripe_stub() -> Iterator[StripeStub]:
    stub = StripeStub()
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()
