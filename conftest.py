"""Fixtures shared by tests/ and e2e/ live in tests/support."""

pytest_plugins = [
    "tests.support.log_privacy",
    "tests.support.database",
    "tests.support.mail",
    "tests.support.application",
    "tests.support.accounts",
    "tests.support.bookings",
    "tests.support.served_app",
    "tests.support.stripe_stub",
    "tests.support.fault_proxy",
    "tests.support.local_gateway",
]
