"""A member placed in a cohort is welcomed once, through the notification ledger, with a link
and nothing about the cohort or its people."""

import pytest
from django.core import mail

from core.models import Notification
from groups import services
from groups.models import Cohort
from members.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_placing_a_member_sends_one_link_only_welcome(django_capture_on_commit_callbacks):
    admin = factories.user_create(role=Role.ADMIN)
    cohort = factories.cohort_create(name="Secret Harbor Circle")
    member = factories.pool_member_create(first="Ada", last="King", email="ada@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_add(cohort=cohort, member=member, actor=admin)
    assert list(
        Notification.objects.filter(kind="cohort_welcome").values_list(
            "subject", "recipient", "state"
        )
    ) == [(f"cohort:{cohort.pk}", "ada@example.com", "sent")]
    [message] = [m for m in mail.outbox if m.to == ["ada@example.com"]]
    assert message.subject == "[PeerNet] Welcome to your PeerNet cohort"
    assert "http://127.0.0.1:8000/" in message.body
    # The greeting uses the recipient's own first name; nothing names the cohort.
    for secret in ("Secret Harbor Circle", "King"):
        assert secret not in message.body
        assert secret not in message.alternatives[0][0]


def test_a_member_is_welcomed_to_a_cohort_once(django_capture_on_commit_callbacks):
    admin = factories.user_create(role=Role.ADMIN)
    cohort = factories.cohort_create()
    Cohort.objects.filter(pk=cohort.pk).update(industry_mode="unrestricted")
    cohort.refresh_from_db()
    first = factories.pool_member_create()
    second = factories.pool_member_create()
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_add(cohort=cohort, member=first, actor=admin)
        services.membership_add(cohort=cohort, member=second, actor=admin)
    assert sorted(
        Notification.objects.filter(kind="cohort_welcome").values_list("recipient", flat=True)
    ) == sorted([first.email, second.email])
