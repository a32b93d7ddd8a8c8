import re

import pytest
from django.urls import reverse

from members import services
from members.models import Application, Role
from tests import factories
from tests.html import duplicate_ids, element_ids

S = Application.Status


@pytest.fixture
def reviewer(db):
    return factories.user_create(role=Role.ADMIN, email="reviewer@example.com", totp=True)


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    client.get("/")  # settle the session before counting queries
    return client


def make_applications(n: int, reviewer) -> list[Application]:
    apps = []
    for i in range(n):
        application = factories.application_complete(
            email=f"app{i}@example.com", company=f"Company {i:02d}", submit=True
        )
        services.application_score(
            application=application, reviewer=reviewer, fit=3, contribution=4, commitment=5
        )
        services.application_note_add(application=application, author=reviewer, text="n")
        apps.append(application)
    return apps


@pytest.mark.parametrize("n", [1, 50])
def test_queue_query_count_is_constant(reviewer_client, reviewer, django_assert_num_queries, n):
    make_applications(n, reviewer)
    # session, user, MFA check, count, page, status counts
    with django_assert_num_queries(6):
        response = reviewer_client.get(reverse("review_queue"))
    assert response.context["page"].paginator.count == n


@pytest.mark.parametrize("n", [1, 50])
def test_application_page_query_count_is_constant(
    reviewer_client, reviewer, django_assert_num_queries, n
):
    apps = make_applications(n, reviewer)
    # session, user, MFA check, application, then one each: challenges, conflicts,
    # references, scores, notes, audit events
    with django_assert_num_queries(10):
        response = reviewer_client.get(reverse("review_detail", args=[apps[-1].pk]))
    assert response.context["application"] == apps[-1]


def test_queue_filters_search_and_sort(reviewer_client, reviewer):
    _, b, c = make_applications(3, reviewer)
    services.application_decide(application=c, decision="waitlist", actor=reviewer)
    services.application_score(
        application=b, reviewer=reviewer, fit=5, contribution=5, commitment=5
    )

    def names(**params):
        response = reviewer_client.get(reverse("review_queue"), params)
        return [x.applicant.profile.company for x in response.context["page"]]

    assert names() == ["Company 00", "Company 01", "Company 02"]
    assert names(status="waitlisted") == ["Company 02"]
    assert names(q="company 01") == ["Company 01"]
    assert names(sort="score") == ["Company 01", "Company 00", "Company 02"]
    assert names(eligibility="not_eligible") == []
    assert names(waiting="30") == []
    counts = reviewer_client.get(reverse("review_queue")).context["counts"]
    assert [(part.status, part.count) for part in counts.all] == [
        ("submitted", 0),
        ("under_review", 2),
        ("info_requested", 0),
        ("waitlisted", 1),
        ("approved", 0),
        ("declined", 0),
        ("withdrawn", 0),
    ]
    assert counts.open_total == 3


def test_queue_counts_agree_with_the_rows_behind_each_link(reviewer_client, reviewer):
    _, b, c, d = make_applications(4, reviewer)
    services.application_decide(application=b, decision="waitlist", actor=reviewer)
    factories.references_answer(c)
    services.application_decide(application=c, decision="approve", actor=reviewer)
    services.application_decide(
        application=d, decision="request_info", actor=reviewer, message="Payroll, please."
    )
    html = reviewer_client.get(reverse("review_queue")).content.decode()
    counts = re.search(r'<ul class="counts"[^>]*>(.*?)</ul>', html, flags=re.S).group(1)
    shown = [
        (href, label, int(n))
        for href, label, n in re.findall(
            r'<a href="([^"]*)">([^<]+)</a>: <strong>(\d+)</strong>', counts
        )
    ]
    queue = reverse("review_queue")
    assert shown == [
        (queue, "Open (all undecided)", 3),
        ("?status=submitted", "Submitted", 0),
        ("?status=under_review", "Under review", 1),
        ("?status=info_requested", "More information requested", 1),
        ("?status=waitlisted", "Waitlisted", 1),
        ("?status=approved", "Approved", 1),
        ("?status=declined", "Declined", 0),
        ("?status=withdrawn", "Withdrawn", 0),
    ]
    for href, _, n in shown:
        rows = reviewer_client.get(queue + href.removeprefix(queue)).context["page"]
        assert rows.paginator.count == n, href


def test_queue_bad_filter_values_are_ignored_not_500(reviewer_client, reviewer):
    make_applications(1, reviewer)
    response = reviewer_client.get(reverse("review_queue"), {"status": "bogus", "page": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == [
        "Select a valid choice. bogus is not one of the available choices."
    ]


def test_queue_htmx_gets_only_results_fragment(reviewer_client, reviewer):
    make_applications(1, reviewer)
    full = reviewer_client.get(reverse("review_queue"))
    part = reviewer_client.get(reverse("review_queue"), headers={"HX-Request": "true"})
    assert "<html" in full.content.decode()
    body = part.content.decode().strip()
    assert body.startswith('<section id="queue-results"') and "<html" not in body


def test_score_form_htmx_and_plain(reviewer_client, reviewer):
    (application,) = make_applications(1, reviewer)
    url = reverse("review_score", args=[application.pk])
    bad = reviewer_client.post(
        url, {"fit": "9", "contribution": "1", "commitment": "1"}, headers={"HX-Request": "true"}
    )
    assert bad.status_code == 200
    assert bad.content.decode().strip().startswith('<section class="card" id="scores"')
    assert "Select a valid choice. 9 is not one of the available choices." in bad.content.decode()
    ok = reviewer_client.post(
        url, {"fit": "2", "contribution": "2", "commitment": "2"}, headers={"HX-Request": "true"}
    )
    assert "average 2.00" in ok.content.decode()
    plain = reviewer_client.post(url, {"fit": "4", "contribution": "4", "commitment": "4"})
    assert plain["Location"] == reverse("review_detail", args=[application.pk])


def test_note_is_added_via_htmx(reviewer_client, reviewer):
    (application,) = make_applications(1, reviewer)
    response = reviewer_client.post(
        reverse("review_note", args=[application.pk]),
        {"text": "Called the referee"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.strip().startswith('<section class="card" id="notes"')
    assert "Called the referee" in html


def test_decision_form_requires_message_for_info_request(reviewer_client, reviewer):
    (application,) = make_applications(1, reviewer)
    response = reviewer_client.post(
        reverse("review_decide", args=[application.pk]), {"decision": "request_info", "message": ""}
    )
    assert response.context["decision_form"].errors == {
        "message": ["Tell the applicant what information you need."]
    }
    factories.references_answer(application)
    response = reviewer_client.post(
        reverse("review_decide", args=[application.pk]),
        {"decision": "approve", "reason": "Unanimous"},
    )
    assert response["Location"] == reverse("review_detail", args=[application.pk])
    application.refresh_from_db()
    assert application.status == S.APPROVED
    # Deciding again is refused with the state machine's message, not a 500.
    again = reviewer_client.post(
        reverse("review_decide", args=[application.pk]), {"decision": "decline"}
    )
    assert again.context["decision_form"].non_field_errors() == [
        "This application is approved; it cannot be declined."
    ]


def test_policy_editor_reports_invalid_json_and_rules(reviewer_client):
    url = reverse("review_policy")
    response = reviewer_client.post(url, {"rules": "{not json"})
    assert response.context["form"].errors["rules"] == [
        "This is not valid JSON: Expecting property name enclosed in double quotes at line 1, "
        "column 2."
    ]
    response = reviewer_client.post(url, {"rules": '{"groups": []}'})
    assert response.status_code == 200 and response.context["form"].errors["rules"]


def test_drafts_are_invisible_to_reviewers(reviewer_client):
    draft = factories.application_complete()
    assert reviewer_client.get(reverse("review_detail", args=[draft.pk])).status_code == 404


def test_review_page_ids_are_unique_with_every_form_shown(reviewer_client, reviewer):
    # Not eligible (so the waiver form shows), undecided (so the decision form shows).
    application = factories.application_complete(
        email="small@example.com", employees=3, revenue_band="lt1m", submit=True
    )
    html = reviewer_client.get(reverse("review_detail", args=[application.pk])).content.decode()
    assert duplicate_ids(html) == []
    ids = set(element_ids(html))
    assert {"waiver_reason", "decision_reason", "decision_message", "score_fit"} <= ids
    assert "note_text" in ids
    # Every label still points at its own field.
    labels = re.findall(r'<label for="([^"]+)"', html)
    assert labels and set(labels) <= set(ids)


def _select(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, text, selected) of each option of the select named `name`."""
    body = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, flags=re.S).group(1)
    return [
        (value, text.strip(), "selected" in attrs)
        for value, attrs, text in re.findall(
            r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', body
        )
    ]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_score_form_starts_empty_and_requires_every_score(reviewer_client, reviewer):
    application = factories.application_complete(email="new@example.com", submit=True)
    url = reverse("review_detail", args=[application.pk])
    html = reviewer_client.get(url).content.decode()
    for name in ["fit", "contribution", "commitment"]:
        assert _select(html, name) == [
            ("", "Choose 1–5", True),
            *[(str(i), str(i), False) for i in range(1, 6)],
        ], name
        assert re.search(rf'<select name="{name}"[^>]*\brequired\b', html), name
    response = reviewer_client.post(
        reverse("review_score", args=[application.pk]),
        {"fit": "", "contribution": "4", "commitment": ""},
    )
    assert response.context["score_form"].errors == {
        "fit": ["Choose a fit score from 1 (weak) to 5 (strong)."],
        "commitment": ["Choose a commitment score from 1 (weak) to 5 (strong)."],
    }
    assert not application.scores.exists()
    # Once scored, the reviewer's own score comes back preselected.
    services.application_score(
        application=application, reviewer=reviewer, fit=2, contribution=4, commitment=5
    )
    html = reviewer_client.get(url).content.decode()
    assert [v for v, _, chosen in _select(html, "fit") if chosen] == ["2"]
    assert [v for v, _, chosen in _select(html, "commitment") if chosen] == ["5"]


def _decision_card(html: str) -> str:
    return re.search(
        r'<section class="card" aria-labelledby="decision-heading">(.*?)</section>', html, re.S
    ).group(1)


def test_approving_with_outstanding_references_warns_and_needs_confirmation_and_reason(
    reviewer_client, reviewer
):
    application = factories.application_complete(email="early@example.com", submit=True)
    factories.references_answer(application, positions=[1])
    url = reverse("review_detail", args=[application.pk])
    card = _text(_decision_card(reviewer_client.get(url).content.decode()))
    assert (
        "Reference outstanding: Sam Ref (Co-founder) has not answered yet. "
        "To approve now, tick the confirmation and say why; both go in the audit log."
    ) in card

    decide = reverse("review_decide", args=[application.pk])
    response = reviewer_client.post(decide, {"decision": "approve", "reason": "Strong panel"})
    assert response.status_code == 200
    assert response.context["decision_form"].errors == {
        "outstanding_confirmed": ["Tick this box to approve before Sam Ref answers."],
        "outstanding_reason": ["Say why you approve before Sam Ref answers."],
    }
    application.refresh_from_db()
    assert application.status == S.SUBMITTED

    response = reviewer_client.post(
        decide,
        {
            "decision": "approve",
            "reason": "Strong panel",
            "outstanding_confirmed": "on",
            "outstanding_reason": "Sam is travelling for a month; Rita's answer is enough.",
        },
    )
    assert response["Location"] == url
    application.refresh_from_db()
    assert application.status == S.APPROVED
    event = application.events.filter(kind="transition").last()
    assert (event.to_status, event.actor, event.reason) == (
        S.APPROVED,
        reviewer,
        "Strong panel\nApproved before Sam Ref answered: "
        "Sam is travelling for a month; Rita's answer is enough.",
    )


def test_other_decisions_and_answered_references_need_no_confirmation(reviewer_client):
    waiting = factories.application_complete(email="waiting@example.com", submit=True)
    response = reviewer_client.post(
        reverse("review_decide", args=[waiting.pk]), {"decision": "waitlist"}
    )
    assert response["Location"] == reverse("review_detail", args=[waiting.pk])

    answered = factories.application_complete(email="answered@example.com", submit=True)
    factories.references_answer(answered)
    url = reverse("review_detail", args=[answered.pk])
    card = _text(_decision_card(reviewer_client.get(url).content.decode()))
    assert "outstanding" not in card
    response = reviewer_client.post(
        reverse("review_decide", args=[answered.pk]), {"decision": "approve"}
    )
    assert response["Location"] == url
    answered.refresh_from_db()
    assert answered.status == S.APPROVED


@pytest.mark.parametrize(
    ("payroll", "shown"),
    [(9_500_000, "$9,500,000"), (2_000_000_000, "$2,000,000,000"), (850, "$850"), (0, "$0")],
)
def test_review_page_shows_money_with_separators(reviewer_client, payroll, shown):
    application = factories.application_complete(email="money@example.com", submit=True)
    services.profile_update(profile=application.applicant.profile, payroll_usd=payroll)
    html = reviewer_client.get(reverse("review_detail", args=[application.pk])).content.decode()
    facts = _text(re.search(r'<dl class="facts">(.*?)</dl>', html, re.S).group(1))
    assert f"Payroll {shown} Revenue $13M – $50M" in facts


def test_approval_welcomes_the_applicant_once(client, reviewer):
    for message in ["", "Welcome to PeerNet, Jordan! We are glad to have you."]:
        application = factories.application_complete(submit=True)
        factories.references_answer(application)
        services.application_decide(
            application=application, decision="approve", actor=reviewer, message=message
        )
        client.force_login(application.applicant)
        page = _text(client.get(reverse("application_overview")).content.decode())
        assert page.count("Welcome to PeerNet") == 1, message
        assert "We will place you in a cohort of peers" in page


def test_queue_pages_keep_filters(reviewer_client, reviewer):
    apps = make_applications(27, reviewer)
    params = {"q": "company", "sort": "waiting"}
    response = reviewer_client.get(reverse("review_queue"), {**params, "page": "2"})
    assert [a.pk for a in response.context["page"]] == [a.pk for a in apps[25:]]
    text = " ".join(response.content.decode().split())
    assert "26–27 of 27" in text
    assert '<a href="?q=company&amp;sort=waiting&amp;page=1"' in text
    assert "Next page" not in text
    first = reviewer_client.get(reverse("review_queue"), params)
    text = " ".join(first.content.decode().split())
    assert "1–25 of 27" in text and '<a href="?q=company&amp;sort=waiting&amp;page=2"' in text
