"""The template library: validation in the service, the admin's editor, the cohort's choice."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from meetings import templates_lib
from meetings.models import CohortTemplate, MeetingTemplate, Series
from meetings.templates_lib import SegmentSpec
from members.models import Role
from tests import factories
from tests.meetings.conftest import monthly_first_tuesday
from tests.meetings.test_views_meeting import login


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True, first="Ada", last="Admin")


def library() -> list[tuple[str, list[tuple]]]:
    return [
        (
            t.name,
            [(s.position, s.kind, s.title, s.planned_minutes) for s in t.segments.all()],
        )
        for t in MeetingTemplate.objects.filter(name__startswith="Board")
    ]


def test_template_save_creates_and_replaces_the_running_order(admin):
    template = templates_lib.template_save(
        actor=admin,
        name="Board day",
        segments=[SegmentSpec("opening", "Open", 10), SegmentSpec("speaker", "Guest", 45)],
    )
    templates_lib.template_save(
        actor=admin,
        template=template,
        name="Board day",
        segments=[SegmentSpec("speaker", "Guest", 60, "Introduce the guest.")],
    )
    assert library() == [("Board day", [(1, "speaker", "Guest", 60)])]


def test_template_without_segments_is_refused(admin):
    with pytest.raises(ValidationError) as error:
        templates_lib.template_save(actor=admin, name="Board day", segments=[])
    assert error.value.messages == ["A template needs at least one segment: add one before saving."]
    assert library() == []


def test_template_with_bad_segments_reports_each_and_saves_nothing(admin):
    with pytest.raises(ValidationError) as error:
        templates_lib.template_save(
            actor=admin,
            name="Board day",
            segments=[
                SegmentSpec("opening", "Open", 0),
                SegmentSpec("nap", " ", -5),
                SegmentSpec("custom", "Long", 1441),
            ],
        )
    assert error.value.messages == [
        "Segment 1: planned minutes must be from 1 to 1440.",
        "Segment 2: choose a kind from the list.",
        "Segment 2: give it a title.",
        "Segment 2: planned minutes must be from 1 to 1440.",
        "Segment 3: planned minutes must be from 1 to 1440.",
    ]
    assert library() == []


def test_only_admins_edit_the_library(facilitator):
    with pytest.raises(PermissionDenied):
        templates_lib.template_save(
            actor=facilitator, name="Board day", segments=[SegmentSpec("opening", "Open", 5)]
        )


def test_duplicate_name_is_refused(admin):
    with pytest.raises(ValidationError) as error:
        templates_lib.template_save(
            actor=admin,
            name="Executive session (2 hours)",
            segments=[SegmentSpec("opening", "Open", 5)],
        )
    assert error.value.message_dict == {"name": ["Another template already has this name."]}


def formset_data(rows, *, initial=0, name="Board day"):
    data = {
        "name": name,
        "description": "",
        "segments-TOTAL_FORMS": str(len(rows)),
        "segments-INITIAL_FORMS": str(initial),
        "segments-MIN_NUM_FORMS": "0",
        "segments-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"segments-{i}-{key}"] = value
    return data


def test_editor_creates_a_template_in_the_given_order(client, admin):
    login(client, admin)
    response = client.post(
        reverse("template_create"),
        formset_data(
            [
                {"kind": "speaker", "title": "Guest", "planned_minutes": "45", "ORDER": "2"},
                {"kind": "opening", "title": "Open", "planned_minutes": "10", "ORDER": "1"},
                {"kind": "break", "title": "Gone", "planned_minutes": "5", "DELETE": "on"},
                {"kind": "", "title": "", "planned_minutes": "", "guidance": ""},
            ]
        ),
    )
    template = MeetingTemplate.objects.get(name="Board day")
    assert response["Location"] == reverse("template_detail", args=[template.pk])
    assert library() == [("Board day", [(1, "opening", "Open", 10), (2, "speaker", "Guest", 45)])]


def test_editor_refuses_zero_minutes_and_an_empty_template(client, admin):
    login(client, admin)
    zero = client.post(
        reverse("template_create"),
        formset_data([{"kind": "opening", "title": "Open", "planned_minutes": "0"}]),
    )
    empty = client.post(
        reverse("template_create"),
        formset_data([{"kind": "", "title": "", "planned_minutes": ""}]),
    )
    assert "Enter the planned minutes as a whole number from 1 to 1440." in zero.content.decode()
    assert "A template needs at least one segment: add one before saving." in empty.content.decode()
    assert library() == []


def test_editor_adds_a_blank_row_keeping_what_was_typed(client, admin):
    login(client, admin)
    response = client.post(
        reverse("template_create"),
        {
            **formset_data([{"kind": "opening", "title": "Open", "planned_minutes": "10"}]),
            "add_segment": "1",
        },
    )
    formset = response.context["formset"]
    assert len(formset.forms) == 2
    assert 'value="Open"' in response.content.decode()
    assert library() == []


def test_editor_shows_an_existing_template(client, admin):
    template = MeetingTemplate.objects.get(name="Virtual check-in (90 minutes)")
    login(client, admin)
    response = client.get(reverse("template_edit", args=[template.pk]))
    formset = response.context["formset"]
    assert [f.initial["title"] for f in formset.forms[:6]] == [
        "Welcome and confidentiality",
        "Member updates",
        "Parking lot",
        "Issue presentation",
        "Commitments",
        "Evaluation",
    ]
    assert len(formset.forms) == 7  # and one blank row to add


def test_library_lists_totals_in_one_query(client, facilitator, django_assert_num_queries):
    login(client, facilitator)
    # session, user, MFA, templates with their counts
    with django_assert_num_queries(4):
        response = client.get(reverse("template_list"))
    rows = [(t.name, t.segment_count, t.total_minutes) for t in response.context["templates"]]
    assert rows == [
        ("Executive session (2 hours)", 5, 120),
        ("In-person forum (4 hours)", 9, 240),
        ("Virtual check-in (90 minutes)", 6, 90),
    ]
    assert "New template" not in response.content.decode()


def test_facilitator_chooses_the_cohorts_and_a_series_template(client, cohort, facilitator):
    series = monthly_first_tuesday(cohort, facilitator, "America/New_York")
    virtual = MeetingTemplate.objects.get(name="Virtual check-in (90 minutes)")
    forum = MeetingTemplate.objects.get(name="In-person forum (4 hours)")
    login(client, facilitator)
    url = reverse("cohort_template", args=[cohort.slug])
    client.post(url, {"template": forum.pk})
    client.post(url, {"series": series.pk, "series_template": virtual.pk})
    page = " ".join(client.get(url).content.decode().split())
    assert CohortTemplate.objects.get(cohort=cohort).template == forum
    assert Series.objects.get(pk=series.pk).template == virtual
    assert f'<option value="{virtual.pk}" selected>Virtual check-in (90 minutes)</option>' in page
    meeting = series.meetings.order_by("starts_at").first()
    assert templates_lib.template_for_meeting(meeting) == virtual
    client.post(url, {"series": series.pk, "series_template": ""})
    assert templates_lib.template_for_meeting(meeting) == forum


def test_admin_dashboard_links_to_the_library(client, admin):
    page = login(client, admin).get(reverse("home")).content.decode()
    assert f'<a href="{reverse("template_list")}">Meeting templates</a>' in page
