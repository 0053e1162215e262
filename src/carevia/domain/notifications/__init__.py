"""Live events about bookings, stored so that streams can replay what a client missed."""

from carevia.domain.notifications.store import INDEXES, Notification, NotificationRepository

__all__ = ["INDEXES", "Notification", "NotificationRepository"]
