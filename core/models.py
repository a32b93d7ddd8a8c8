from django.conf import settings
from django.db import models

from core.notifications.registry import KINDS
from core.versioned import VersionedQuerySet

# These models lived in the top package (app label "peernet") and kept their tables when they
# moved here (core/migrations/0001_initial.py).


class Heartbeat(models.Model):
    """Written by the periodic scheduler through a worker: proof that background work runs."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "peernet_heartbeat"

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """One email to one recipient about one thing: the ledger that makes sending exactly-once.

    Unique on (kind, subject, recipient): planning the same notification twice inserts nothing.
    A sender claims rows (state "sending", its own claim token, committed) before it talks to
    the mail server and marks each row "sent" right after that message was accepted.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=32)
    # What this notification is about, unique per notification: "meeting:42",
    # "meeting:42:seq:3" (a change notice per SEQUENCE), "application:7:event:19".
    subject = models.CharField(max_length=120)
    # The object it concerns, for the logs: "meeting:42", "application:7".
    scope = models.CharField(max_length=60, db_index=True)
    # An address, because referees have no account.
    recipient = models.EmailField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Facts given when an event created the row (links, flags); emptied once sent.
    context = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField()
    retry_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When the row was last handed to a send task: the tick hands it out again only once that
    # hand-out is NOTIFICATION_CLAIM_SECONDS old (its message was lost). Emptied when a sender
    # hands the row back unsent; set to the retry time when the task retries itself.
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "peernet_notification"
        # No default ordering: 270,000 rows; the log and the hand-out order by (due_at, id).
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "recipient"], name="notification_once"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="notification_state_due"),
            # The admins' log, newest first, a page at a time (peernet/notification_views.py).
            models.Index(fields=["due_at", "id"], name="notification_due_id"),
            # The tick's hand-out: pending rows never queued, or queued long ago.
            models.Index(fields=["state", "queued_at"], name="notification_state_queued"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} to {self.recipient}: {self.state}"

    @property
    def kind_label(self) -> str:
        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind


class NotificationWatermark(models.Model):
    """How far the periodic tick has planned: one row, advanced in the transaction that inserts
    the rows it planned. The next tick plans only what fell due after it (and what changed
    since: core.notifications.dispatch). `version` is the planners' fingerprint of whatever
    else decides when rows fall due (a cohort's offsets); when it changes, the next tick looks
    back as far as the catch-up rule allows, as a first tick does."""

    name = models.CharField(max_length=32, primary_key=True)
    # Empty until the first tick finished.
    planned_through = models.DateTimeField(null=True, blank=True)
    version = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "peernet_notificationwatermark"

    def __str__(self) -> str:
        return f"{self.name} planned through {self.planned_through:%Y-%m-%d %H:%M:%S}"


class NotificationOptOut(models.Model):
    """A member stopped one kind of notification (preferences page or one-click unsubscribe)."""

    version_people = ("user",)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        db_table = "peernet_notificationoptout"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_opt_out_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} stopped {self.kind}"


class DemoAccount(models.Model):
    """An account that `seed_demo` created. `demo_totp` prints two-factor codes for these
    alone: a database without them is not a demo, whatever DEBUG says."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_account"
    )
    seeded_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "peernet_demoaccount"

    def __str__(self) -> str:
        return f"demo account {self.user_id}"
