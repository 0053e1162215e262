"""Only the transition path writes a booking's `status`: a scan of the source tree proves it.

Every other module that changed `status` by hand could skip the state machine, the history,
the audit entry or the notices. Payments and refunds have a `status` of their own, which
these checks leave alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import carevia

SOURCE = Path(carevia.__file__).resolve().parent
UPDATES = {
    "update_one",
    "update_many",
    "find_one_and_update",
    "replace_one",
    "find_one_and_replace",
}
# BookingRepository's conditional update of other fields: its third argument is the fields.
FIELD_UPDATES = {"apply"}
STATUS_WRITER = "change_status"
ALLOWED = {
    ("domain/bookings/repository.py", "BookingRepository.change_status", "find_one_and_update"),
    ("domain/bookings/transitions.py", "BookingTransitions.move_within", STATUS_WRITER),
}


def sets_status(node: ast.AST | None) -> bool:
    return node is not None and any(
        isinstance(inner, ast.Dict)
        and any(isinstance(k, ast.Constant) and k.value == "status" for k in inner.keys)
        for inner in ast.walk(node)
    )


def argument(call: ast.Call, position: int, *names: str) -> ast.AST | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg in names), None)


class StatusWrites(ast.NodeVisitor):
    """(function, method) for each call that can write `status` on a booking."""

    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: list[tuple[str, str]] = []

    def _enter(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _enter

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            on_bookings = "booking" in ast.unparse(node.func.value).lower()
            if (
                method == STATUS_WRITER
                or (
                    method in UPDATES
                    and on_bookings
                    and sets_status(argument(node, 1, "update", "replacement"))
                )
                or (method in FIELD_UPDATES and sets_status(argument(node, 2, "fields")))
            ):
                self.found.append((".".join(self.scope) or "<module>", method))
        self.generic_visit(node)


def status_writes_in(source: str) -> list[tuple[str, str]]:
    visitor = StatusWrites()
    visitor.visit(ast.parse(source))
    return visitor.found


def test_only_the_transition_path_writes_a_booking_status() -> None:
    writes = {
        (path.relative_to(SOURCE).as_posix(), where, method)
        for path in sorted(SOURCE.rglob("*.py"))
        for where, method in status_writes_in(path.read_text(encoding="utf-8"))
    }
    assert writes == ALLOWED


def test_the_scan_catches_a_stray_writer_and_spares_payment_statuses() -> None:
    stray = """
class Sweeper:
    async def cancel(self, database, booking_id):
        await database["bookings"].update_one({"_id": booking_id}, {"$set": {"status": "x"}})

    async def by_hand(self, records, booking, session):
        await records.apply(booking.id, [booking.status], {"status": "cancelled"}, session=session)
        await self._bookings.find_one_and_update(
            {"_id": booking.id}, update={"$set": {"status": "expired"}}
        )
        await self._records.change_status(booking.id, "confirmed", None, {}, session=session)
"""
    assert status_writes_in(stray) == [
        ("Sweeper.cancel", "update_one"),
        ("Sweeper.by_hand", "apply"),
        ("Sweeper.by_hand", "find_one_and_update"),
        ("Sweeper.by_hand", "change_status"),
    ]
    payments = """
async def settle(self, payment, refund, session):
    await self._payments.mark(payment.id, ["open"], {"status": "paid"}, session)
    await self._refunds.find_one_and_update(
        {"_id": refund.id, "status": "requested"}, {"$set": {"status": "failed"}}
    )
    await self._bookings.find_one_and_update({"_id": 1, "status": "confirmed"}, {"$set": {"a": 1}})
    await self._bookings.apply(1, ["confirmed"], {"payment_status": "disputed"}, session=session)
"""
    assert status_writes_in(payments) == []
