"""Access-matrix rows of the notification pages.

The unsubscribe address is public (mail clients POST to it without a session, RFC 8058): its
signed token is the credential, so everyone gets the same answer and a forged token is 404.
The per-meeting log is for that cohort's facilitators and admins; the global log for admins.
"""

from datetime import date, time, timedelta

from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from core.notifications.preferences import unsubscribe_token
from meetings import services
from tests.access import Row, everyone, nobody_but, signed_in, url
from tests.conftest import World


def notified_meeting(world: World):
    """A coming meeting of cohort A with a reminder sent to member A: what could leak."""
    if not hasattr(world, "notified_meeting"):
        world.notified_meeting = services.meeting_create(
            cohort=world.cohort_a,
            actor=world.facilitator_a,
            title="Notified forum",
            local_date=date.today() + timedelta(days=12),
            local_time=time(9, 0),
            duration_minutes=120,
            time_zone="Europe/London",
        )
        Notification.objects.create(
            kind="reminder",
            subject=f"meeting:{world.notified_meeting.pk}",
            scope=f"meeting:{world.notified_meeting.pk}",
            recipient=world.member_a.email,
            user=world.member_a,
            due_at=timezone.now(),
            state=Notification.State.SENT,
            sent_at=timezone.now(),
        )
    return world.notified_meeting


def meeting_log(world: World) -> str:
    return reverse("meeting_notifications", args=[notified_meeting(world).pk])


def unsubscribe_link(world: World) -> str:
    token = unsubscribe_token(user_id=world.member_a.pk, kind="reminder")
    return reverse("notification_unsubscribe", args=[token])


MANAGE_A = {**signed_in("404"), "member_a": "403", "facilitator_a": "200", "admin": "200"}

ROWS = {
    "notification_preferences": [Row(url("notification_preferences"), signed_in("200"))],
    "notification_unsubscribe": [
        Row(unsubscribe_link, everyone("200")),
        Row(unsubscribe_link, everyone("200"), method="post"),
        Row(url("notification_unsubscribe", token="not-a-token"), everyone("404")),
        Row(url("notification_unsubscribe", token="not-a-token"), everyone("404"), method="post"),
    ],
    "notification_log": [Row(url("notification_log"), nobody_but("admin", "200"))],
    "meeting_notifications": [Row(meeting_log, MANAGE_A)],
    # Development mail exists only with DEBUG (tests/core/test_dev_mail.py shows it then);
    # without DEBUG, as here, it is a 404 for everyone, signed in or not.
    "dev_mail_list": [Row(url("dev_mail_list"), everyone("404"))],
    "dev_mail_detail": [
        Row(
            lambda world: reverse("dev_mail_detail", args=["20260310-090000-000000-0123abcd"]),
            everyone("404"),
        )
    ],
}
