"""Service errors reach the person in full (core.http.service_error_show): on the form when
the page has one, as messages otherwise; never only the first message."""

from datetime import date, time, timedelta

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from core.http import service_error_messages, service_error_show
from meetings import services as meeting_services
from members import services
from members.models import Role
from tests import factories


class Booking(forms.Form):
    title = forms.CharField(required=False)


def request_with_messages():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_without_a_form_every_message_becomes_an_error_message():
    request = request_with_messages()
    service_error_show(request, ValidationError(["The room is taken.", "Pick another day."]))
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "The room is taken."),
        ("error", "Pick another day."),
    ]


def test_on_a_form_messages_go_to_the_fields_they_name_and_the_rest_form_wide():
    form = Booking({"title": "x"})
    form.is_valid()
    error = ValidationError({"title": ["Too short.", "Say what it is."], "room": ["Taken."]})
    service_error_show(request_with_messages(), error, form=form)
    assert form.errors == {"title": ["Too short.", "Say what it is."], "__all__": ["Taken."]}


def test_on_a_form_a_list_or_a_refusal_is_form_wide():
    form = Booking({"title": "x"})
    form.is_valid()
    service_error_show(request_with_messages(), ValidationError(["One.", "Two."]), form=form)
    service_error_show(request_with_messages(), PermissionDenied("Not yours."), form=form)
    assert form.errors == {"__all__": ["One.", "Two.", "Not yours."]}


def test_a_refusal_without_a_reason_has_no_message():
    assert service_error_messages(PermissionDenied()) == []


def test_the_referee_page_shows_every_reason_a_service_gives(client, db, monkeypatch):
    application = factories.application_complete(submit=True)
    reference = application.references.first()
    token = services.reference_send(reference=reference, actor=application.applicant)

    def refuse(**kwargs):
        raise ValidationError(["This application was just closed.", "No answer is needed."])

    monkeypatch.setattr(services, "reference_answer", refuse)
    response = client.post(
        reverse("reference_respond", args=[token]),
        {"years_known": "3", "recommendation": "strong", "comments": "Candid."},
    )
    assert response.status_code == 410
    assert response.context["problem"] == "This application was just closed. No answer is needed."


@pytest.mark.parametrize("n", [1, 2])
def test_refusal_messages_are_all_shown_after_a_redirect(client, db, monkeypatch, n):
    texts = ["Cannot submit yet.", "Add a second reference."][:n]
    applicant = factories.user_create(email="pat@example.com")
    client.force_login(applicant)

    def refuse(**kwargs):
        raise ValidationError(texts)

    monkeypatch.setattr(services, "application_submit", refuse)
    response = client.post(reverse("application_submit"), follow=True)
    assert [m.message for m in response.context["messages"]] == texts


def test_a_refused_cancellation_shows_every_reason(client, db, monkeypatch):
    facilitator = factories.user_create(role=Role.FACILITATOR, totp=True)
    cohort = factories.cohort_create(name="Forum", facilitators=[facilitator])
    meeting = meeting_services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Forum",
        local_date=date.today() + timedelta(days=8),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="UTC",
    )
    client.force_login(facilitator)

    def refuse(**kwargs):
        raise ValidationError(["It is already cancelled.", "Reload the page."])

    monkeypatch.setattr(meeting_services, "meeting_cancel", refuse)
    response = client.post(reverse("meeting_cancel", args=[meeting.pk]), follow=True)
    assert [m.message for m in response.context["messages"]] == [
        "It is already cancelled.",
        "Reload the page.",
    ]
