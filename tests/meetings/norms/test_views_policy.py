"""Changing the norms: a cohort's own (its facilitators) and the organisation's (admins)."""

import pytest
from django.urls import reverse

from meetings.models import NormPolicy
from meetings.norm_selectors import policies_for
from tests import factories
from tests.meetings.conftest import cohort_in

FIELDS = {
    "window_meetings": "12",
    "warn_absences": "2",
    "review_absences": "4",
    "rsvp_hours": "48",
    "rsvp_late_limit": "5",
    "follow_through_percent": "60",
}


@pytest.fixture
def forum(facilitator):
    return cohort_in("UTC", facilitator)


def test_facilitator_sets_the_cohorts_own_norms(client, forum, facilitator):
    client.force_login(facilitator)
    url = reverse("cohort_norms_edit", args=[forum.slug])
    page = client.get(url).content.decode()
    assert '<form id="norms-form"' in page and "<html" in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<form id="norms-form"')
    response = client.post(url, FIELDS, headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == reverse("cohort_health_page", args=[forum.slug])
    policy = policies_for([forum.pk])[forum.pk]
    assert (
        policy.cohort_id,
        policy.window_meetings,
        policy.warn_absences,
        policy.review_absences,
        policy.rsvp_hours,
        policy.rsvp_late_limit,
        policy.follow_through_percent,
        policy.updated_by_id,
    ) == (forum.pk, 12, 2, 4, 48, 5, 60, facilitator.pk)


def test_thresholds_beyond_the_window_are_refused(client, forum, facilitator):
    client.force_login(facilitator)
    url = reverse("cohort_norms_edit", args=[forum.slug])
    response = client.post(url, {**FIELDS, "window_meetings": "3"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Enter at most 3: only the last 3 meetings are counted.") == 1
    assert NormPolicy.objects.count() == 0


def test_admin_sets_the_organisation_defaults_that_cohorts_follow(client, forum):
    admin = factories.user_create(role="admin", totp=True)
    client.force_login(admin)
    response = client.post(reverse("norm_defaults"), FIELDS)
    assert (response.status_code, response.url) == (302, reverse("home"))
    assert policies_for([forum.pk])[forum.pk].cohort_id is None
    assert policies_for([forum.pk])[forum.pk].warn_absences == 2
