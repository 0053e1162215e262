"""What each audit action means, in the words an admin reading the log would use.

Reads are kept apart from changes: every look at someone's personal data is recorded, and
an admin checking who saw a patient's records filters on reads alone.
"""

from __future__ import annotations

import msgspec

from carevia.domain.shared.text import Text

# action key -> (sentence, whether it is a read of personal data)
ACTIONS: dict[str, tuple[str, bool]] = {
    "auth.login": (Text("Signed in"), False),
    "auth.login_failed": (Text("Failed to sign in"), False),
    "auth.login_throttled": (Text("Was stopped after too many sign-in attempts"), False),
    "auth.logout": (Text("Signed out"), False),
    "auth.refresh_reused": (Text("Reused an old sign-in token; its sessions were ended"), False),
    "user.registered": (Text("Registered"), False),
    "user.google_linked": (Text("Linked a Google account"), False),
    "user.google_unlinked": (Text("Unlinked a Google account"), False),
    "auth.google_link_pending": (
        Text("Signed in with Google; asked for the password to link"),
        False,
    ),
    "user.register_existing": (
        Text("Tried to register an address that already has an account"),
        False,
    ),
    "user.created": (Text("Account created from the command line"), False),
    "user.email_verified": (Text("Confirmed their email address"), False),
    "user.password_reset_requested": (Text("Asked to reset a password"), False),
    "user.password_changed": (Text("Changed their password"), False),
    "user.exported": (Text("Downloaded their personal data"), True),
    "user.deleted": (Text("Deleted their account"), False),
    "admin.users_listed": (Text("Viewed the list of people"), True),
    "admin.user_read": (Text("Viewed a person's account"), True),
    "admin.role_changed": (Text("Changed a person's role"), False),
    "admin.user_disabled": (Text("Disabled an account"), False),
    "admin.user_enabled": (Text("Enabled an account"), False),
    "admin.bookings_exported": (Text("Exported bookings as CSV"), True),
    "admin.caregiver_verified": (Text("Verified a caregiver"), False),
    "admin.caregiver_unverified": (Text("Withdrew a caregiver's verification"), False),
    "admin.availability_changed": (Text("Changed a caregiver's availability"), False),
    "admin.service_created": (Text("Added a service"), False),
    "admin.service_updated": (Text("Edited a service"), False),
    "admin.service_status_changed": (Text("Published or hid a service"), False),
    "admin.service_archived": (Text("Archived a service"), False),
    "admin.service_deleted": (Text("Deleted a service"), False),
    "admin.service_image_changed": (Text("Uploaded a service's picture"), False),
    "admin.photo_approved": (Text("Approved a caregiver's photo"), False),
    "admin.photo_rejected": (Text("Rejected a caregiver's photo"), False),
    "admin.document_viewed": (Text("Opened a person's private document"), True),
    "application.submitted": (Text("Sent an application to become a caregiver"), False),
    "admin.application_read": (Text("Viewed an application to become a caregiver"), True),
    "admin.application_approved": (
        Text("Approved an application; the person is now a caregiver"),
        False,
    ),
    "admin.application_needs_changes": (Text("Asked an applicant for changes"), False),
    "admin.application_declined": (Text("Declined an application to become a caregiver"), False),
    "caregiver.photo_submitted": (Text("Uploaded a new profile photo for approval"), False),
    "admin.review_hidden": (Text("Hid a review"), False),
    "admin.review_unhidden": (Text("Showed a hidden review again"), False),
    "caregiver.availability_changed": (Text("Changed their availability"), False),
    "caregiver.profile_changed": (Text("Changed their caregiver profile"), False),
    "booking.viewed": (Text("Viewed a patient's booking"), True),
    "care.needs_viewed": (Text("Viewed the care needs of the person a booking is for"), True),
    "booking.created": (Text("Booked a service"), False),
    "booking.confirmed": (Text("Booking confirmed after payment"), False),
    "booking.expired": (Text("Unpaid booking released"), False),
    "booking.assigned": (Text("Assigned a caregiver to a booking"), False),
    "booking.moved": (Text("Moved a visit to another time"), False),
    "booking.move_requested": (Text("Asked to move a visit to another caregiver"), False),
    "booking.move_declined": (Text("Declined a request to move a visit"), False),
    "booking.confirmation_resent": (Text("Sent the booking confirmation again"), False),
    "booking.started": (Text("Started a visit"), False),
    "booking.completed": (Text("Completed a visit"), False),
    "booking.cancelled": (Text("Cancelled a booking"), False),
    "booking.timing_overridden": (Text("Started a visit outside its time, with a reason"), False),
    "visit.report_filed": (Text("Filed a visit report"), False),
    "payment.refund_requested": (Text("Refunded a payment"), False),
    "payment.auto_refund": (Text("Payment refunded automatically"), False),
    "payment.mismatch": (Text("Payment did not match its booking"), False),
    "payment.disputed": (Text("Payment disputed by the card holder"), False),
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
