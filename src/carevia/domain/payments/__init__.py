"""Taking payment for bookings: Checkout sessions, the webhook, refunds and reconciliation."""
