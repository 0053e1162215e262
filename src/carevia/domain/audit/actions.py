"""What each audit action means, in the words an admin reading the log would use.

Reads are kept apart from changes: every look at someone's personal data is recorded, and
an admin checking who saw a patient's records filters on reads alone.
"""

from __future__ import annotations

import msgspec

# action key -> (sentence, whether it is a read of personal data)
ACTIONS: dict[str, tuple[str, bool]] = {
    "auth.login": ("Signed in", False),
    "auth.login_failed": ("Failed to sign in", False),
    "auth.login_throttled": ("Was stopped after too many sign-in attempts", False),
    "auth.logout": ("Signed out", False),
    "auth.refresh_reused": ("Reused an old sign-in token; its sessions were ended", False),
    "user.registered": ("Registered", False),
    "user.google_linked": ("Linked a Google account", False),
    "user.google_unlinked": ("Unlinked a Google account", False),
    "auth.google_link_pending": ("Signed in with Google; asked for the password to link", False),
    "user.register_existing": ("Tried to register an address that already has an account", False),
    "user.created": ("Account created from the command line", False),
    "user.email_verified": ("Confirmed their email address", False),
    "user.password_reset_requested": ("Asked to reset a password", False),
    "user.password_changed": ("Changed their password", False),
    "user.exported": ("Downloaded their personal data", True),
    "user.deleted": ("Deleted their account", False),
    "admin.users_listed": ("Viewed the list of people", True),
    "admin.user_read": ("Viewed a person's account", True),
    "admin.role_changed": ("Changed a person's role", False),
    "admin.user_disabled": ("Disabled an account", False),
    "admin.user_enabled": ("Enabled an account", False),
    "admin.bookings_exported": ("Exported bookings as CSV", True),
    "admin.caregiver_verified": ("Verified a caregiver", False),
    "admin.caregiver_unverified": ("Withdrew a caregiver's verification", False),
    "admin.availability_changed": ("Changed a caregiver's availability", False),
    "admin.service_created": ("Added a service", False),
    "admin.service_updated": ("Edited a service", False),
    "admin.service_status_changed": ("Published or hid a service", False),
    "admin.service_archived": ("Archived a service", False),
    "admin.service_deleted": ("Deleted a service", False),
    "admin.service_image_changed": ("Uploaded a service's picture", False),
    "admin.photo_approved": ("Approved a caregiver's photo", False),
    "admin.photo_rejected": ("Rejected a caregiver's photo", False),
    "admin.document_viewed": ("Opened a person's private document", True),
    "application.submitted": ("Sent an application to become a caregiver", False),
    "admin.application_read": ("Viewed an application to become a caregiver", True),
    "admin.application_approved": ("Approved an application; the person is now a caregiver", False),
    "admin.application_needs_changes": ("Asked an applicant for changes", False),
    "admin.application_declined": ("Declined an application to become a caregiver", False),
    "caregiver.photo_submitted": ("Uploaded a new profile photo for approval", False),
    "admin.review_hidden": ("Hid a review", False),
    "admin.review_unhidden": ("Showed a hidden review again", False),
    "caregiver.availability_changed": ("Changed their availability", False),
    "caregiver.profile_changed": ("Changed their caregiver profile", False),
    "booking.viewed": ("Viewed a patient's booking", True),
    "care.needs_viewed": ("Viewed the care needs of the person a booking is for", True),
    "booking.created": ("Booked a service", False),
    "booking.confirmed": ("Booking confirmed after payment", False),
    "booking.expired": ("Unpaid booking released", False),
    "booking.assigned": ("Assigned a caregiver to a booking", False),
    "booking.moved": ("Moved a visit to another time", False),
    "booking.move_requested": ("Asked to move a visit to another caregiver", False),
    "booking.move_declined": ("Declined a request to move a visit", False),
    "booking.confirmation_resent": ("Sent the booking confirmation again", False),
    "booking.started": ("Started a visit", False),
    "booking.completed": ("Completed a visit", False),
    "booking.cancelled": ("Cancelled a booking", False),
    "booking.timing_overridden": ("Started a visit outside its time, with a reason", False),
    "visit.report_filed": ("Filed a visit report", False),
    "payment.refund_requested": ("Refunded a payment", False),
    "payment.auto_refund": ("Payment refunded automatically", False),
    "payment.mismatch": ("Payment did not match its booking", False),
    "payment.disputed": ("Payment disputed by the card holder", False),
}

# Actions added later than this table still sort themselves by name.
READ_SUFFIXES = ("_read", "_listed", "_exported", ".viewed", "_viewed", ".exported", ".read")


class ActionDescription(msgspec.Struct, frozen=True):
    key: str
    sentence: str
    is_read: bool


def describe(action: str) -> ActionDescription:
    known = ACTIONS.get(action)
    if known is not None:
        return ActionDescription(action, *known)
    area, _, what = action.partition(".")
    words = (what or area).replace("_", " ")
    sentence = f"{area.capitalize()}: {words}" if what else words.capitalize()
    return ActionDescription(action, sentence, action.endswith(READ_SUFFIXES))
