"""Development stand-ins, mounted only outside production.

The local payment gateway and its checkout pages stand in for Stripe when no Stripe key is
set; the mailbox shows the outbox when no SMTP server is configured. The domain never
imports this package.
"""
