"""The pages each kind of visitor sees, shared by the crawls and the browser audits.

The accessibility audit, the HTML validator and the visible-text checks all walk these, so a
page added here is checked by every one of them.
"""

from __future__ import annotations

MISSING = "/no-such-page"
PUBLIC_PAGES = [
    "/",
    "/services",
    "/services?category=elderly-care&division=Dhaka",
    "/services/newborn-night-nanny",
    "/caregivers",
    "/caregivers?category=elderly-care&division=Dhaka&sort=experience",
    "/login",
    "/register",
    "/forgot-password",
    "/contact",
    "/about",
    "/help",
    "/safety",
    "/refund-policy",
    "/terms",
    "/privacy",
    "/become-a-caregiver",
    MISSING,
]
PATIENT_PAGES = [
    "/account",
    "/account/bookings",
    "/account/people",
    "/account/people/new",
    "/account/waitlist",
    "/account/google",
    "/services/infant-day-care/book",
    "/services/infant-day-care/book/weekly",
    "/become-a-caregiver",
]
ADMIN_PAGES = [
    "/dashboard/overview",
    "/dashboard/bookings",
    "/dashboard/payments",
    "/dashboard/services",
    "/dashboard/services/new",
    "/dashboard/users",
    "/dashboard/audit",
    "/dashboard/reviews",
    "/dashboard/applications",
    "/dashboard/messages",
    "/dashboard/series",
    "/dashboard/waitlist",
]
CAREGIVER_PAGES = [
    "/dashboard",
    "/dashboard/availability",
    "/dashboard/messages",
    "/dashboard/reviews",
    "/dashboard/profile",
]
