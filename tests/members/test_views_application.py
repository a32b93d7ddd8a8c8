import re

import pytest
from django.core import mail
from django.urls import reverse

from core import cities
from members import services
from members.models import Application, Challenge, Role
from tests import factories

S = Application.Status


def errors(response) -> dict:
    form = response.context["form"]
    return {k: list(v) for k, v in form.errors.items()}


@pytest.fixture
def applicant(db):
    return factories.user_create(role=Role.APPLICANT, email="apply@example.com", first="", last="")


def test_overview_creates_draft_and_lists_sections(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("application_overview"))
    assert Application.objects.get(applicant=applicant).status == S.DRAFT
    assert [(key, done) for key, _, done in response.context["sections"]] == [
        ("about", False),
        ("company", False),
        ("challenges", False),
        ("conflicts", False),
        ("references", False),
        ("agreement", False),
    ]


def test_about_section_saves_draft_and_moves_on(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("application_section", args=["about"]),
        {
            "first_name": "Ada",
            "last_name": "Okafor",
            "title": "CEO",
            "city": str(factories.LAGOS),
            "time_zone": "Africa/Lagos",
            "meeting_hours_start": "08:00",
            "meeting_hours_end": "18:30",
            "linkedin_url": "",
            "bio": "",
        },
    )
    assert response["Location"] == reverse("application_section", args=["company"])
    applicant.refresh_from_db()
    profile = applicant.profile
    assert (applicant.first_name, applicant.time_zone, profile.title) == (
        "Ada",
        "Africa/Lagos",
        "CEO",
    )
    assert (
        profile.city,
        profile.country.code,
        profile.city_geoname_id,
        profile.latitude,
        profile.longitude,
        str(profile.meeting_hours_start),
        str(profile.meeting_hours_end),
    ) == ("Lagos", "NG", factories.LAGOS, 6.45407, 3.39467, "08:00:00", "18:30:00")


def test_about_section_rejects_unknown_time_zone(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("application_section", args=["about"]),
        {
            "first_name": "Ada",
            "last_name": "Okafor",
            "title": "CEO",
            "city": str(factories.LAGOS),
            "time_zone": "Mars/Base",
            "meeting_hours_start": "07:00",
            "meeting_hours_end": "19:00",
            "linkedin_url": "not a url",
        },
    )
    assert response.status_code == 200
    assert errors(response) == {
        "time_zone": ["Choose a time zone from the list, e.g. Europe/London."],
        "linkedin_url": ["Enter a valid URL."],
    }


def test_company_section_rejects_negative_numbers(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("application_section", args=["company"]),
        {
            "company": "Acme",
            "industry": "42",
            "employees": "-3",
            "revenue_band": "13m-50m",
            "years_in_role": "abc",
            "preferred_format": "virtual",
        },
    )
    assert errors(response) == {
        "employees": ["Ensure this value is greater than or equal to 0."],
        "years_in_role": ["Enter a whole number."],
    }


def test_challenges_must_be_distinct(client, applicant):
    client.force_login(applicant)
    first, second = Challenge.objects.all()[:2]
    response = client.post(
        reverse("application_section", args=["challenges"]),
        {
            "rank_1": first.pk,
            "rank_2": first.pk,
            "rank_3": second.pk,
        },
    )
    assert errors(response) == {"rank_2": ["You chose this challenge already; pick another one."]}


def test_conflicts_need_a_company_or_person_and_confirmation(client, applicant):
    client.force_login(applicant)
    data = {
        "conflicts-TOTAL_FORMS": "2",
        "conflicts-INITIAL_FORMS": "0",
        "conflicts-MIN_NUM_FORMS": "0",
        "conflicts-MAX_NUM_FORMS": "30",
        "conflicts-0-relationship": "competitor",
    }
    response = client.post(reverse("application_section", args=["conflicts"]), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].non_field_errors() == [
        "Name the company (or its website), or give the person's email address."
    ]
    assert response.context["confirm_form"].errors["confirm"] == [
        "Confirm that your list is complete (it may be empty)."
    ]
    data.update({"conflicts-0-company_name": "Acme, Inc.", "confirm": "on"})
    response = client.post(reverse("application_section", args=["conflicts"]), data)
    assert response.status_code == 302
    declaration = applicant.profile.conflicts.get()
    assert (declaration.relationship, declaration.company_keys) == ("competitor", ["acme"])


def test_references_cannot_be_yourself_or_twice_the_same(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("application_section", args=["references"]),
        {
            "ref1_name": "Me",
            "ref1_email": "apply@example.com",
            "ref1_relationship": "Self",
            "ref2_name": "Me",
            "ref2_email": "APPLY@example.com",
            "ref2_relationship": "Self",
        },
    )
    assert errors(response) == {
        "ref1_email": ["A referee must be someone other than you."],
        "ref2_email": [
            "A referee must be someone other than you.",
            "Your two referees need different email addresses.",
        ],
    }


def test_agreement_must_be_accepted(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("application_section", args=["agreement"]), {"motivation": "short"}
    )
    assert errors(response) == {
        "motivation": ["Tell us a little more: at least 40 characters."],
        "accept": ["You need to accept the confidentiality agreement to apply."],
    }


def test_submitted_application_cannot_be_edited(client, db):
    application = factories.application_complete(submit=True)
    client.force_login(application.applicant)
    response = client.get(reverse("application_section", args=["about"]))
    assert response["Location"] == reverse("application_overview")


def test_submit_view_lists_missing_sections(client, applicant):
    client.force_login(applicant)
    client.get(reverse("application_overview"))
    response = client.post(reverse("application_submit"), follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert texts[0] == "Complete these sections before you submit:"
    assert len(texts) == 7


def test_unknown_section_is_404(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("application_section", args=["nope"])).status_code == 404


def test_referee_answers_once_without_account(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = factories.application_complete(submit=True)
    message = next(m for m in mail.outbox if m.to == [application.references.first().email])
    path = re.search(r"https?://[^/\s]+(/references/\S+/)", message.body).group(1)
    page = client.get(path)
    assert page.status_code == 200
    bad = client.post(path, {"years_known": "-1", "recommendation": "maybe", "comments": ""})
    assert set(bad.context["form"].errors) == {"years_known", "recommendation", "comments"}
    done = client.post(
        path,
        {"years_known": "9", "recommendation": "strong", "comments": "Candid, generous, prepared."},
    )
    assert done.templates[0].name == "members/reference_thanks.html"
    again = client.get(path)
    assert again.status_code == 404
    assert "may have been used already" in again.content.decode()


def test_applicant_status_page_never_shows_internal_data(client, db):
    application = factories.application_complete(submit=True)
    reviewer = factories.user_create(role=Role.ADMIN, first="Rita", last="Reviewer", totp=True)

    services.application_note_add(application=application, author=reviewer, text="NOTE-XYZ")
    services.application_score(
        application=application,
        reviewer=reviewer,
        fit=2,
        contribution=3,
        commitment=4,
        comment="SCORE-XYZ",
    )
    client.force_login(application.applicant)
    html = client.get(reverse("application_overview")).content.decode()
    for secret in ["NOTE-XYZ", "SCORE-XYZ", "Rita", "Reviewer", "reviewer"]:
        assert secret not in html
    assert "Review started" in html


def test_applicant_cannot_open_any_review_page(client, db):
    application = factories.application_complete(submit=True)
    client.force_login(application.applicant)
    for path in [
        reverse("review_queue"),
        reverse("review_detail", args=[application.pk]),
        reverse("review_policy"),
    ]:
        assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_section_pages_show_progress_across_sections(client):
    applicant = factories.user_create(role=Role.APPLICANT)
    client.force_login(applicant)
    response = client.get("/application/company/")
    assert response.context["sections_done"] == 0
    assert [done for _, _, done in response.context["sections"]] == [False] * 6
    html = response.content.decode()
    assert '<progress id="application-progress" max="6" value="0">' in html
    assert "0 of 6 sections complete" in html


def test_about_section_without_a_chosen_city_lists_the_matches(client, applicant):
    """Without JavaScript: the name typed, the form comes back with the cities to pick from."""
    client.force_login(applicant)
    response = client.post(
        reverse("application_section", args=["about"]),
        {
            "first_name": "Ada",
            "last_name": "Okafor",
            "title": "CEO",
            "city_search": "Lagos",
            "time_zone": "Africa/Lagos",
            "meeting_hours_start": "09:00",
            "meeting_hours_end": "08:00",
        },
    )
    assert errors(response) == {
        "city": ["Choose one of the cities listed below (or type another name)."],
        "meeting_hours_end": ["The end of your hours must come after the start."],
    }
    html = re.sub(r"\s+", " ", response.content.decode())
    assert f'name="city" id="id_city_{factories.LAGOS}" value="{factories.LAGOS}"' in html
    assert "Lagos, Nigeria" in html


def test_about_section_shows_the_chosen_city_checked(client, applicant):
    client.force_login(applicant)
    profile = services.profile_get_or_create(user=applicant)
    services.profile_update(profile=profile, **services.city_fields(cities.get(factories.PARIS)))
    response = client.get(reverse("application_section", args=["about"]))
    html = response.content.decode()
    assert (
        f'<input type="radio" name="city" id="id_city_chosen" value="{factories.PARIS}" checked>'
        in re.sub(r"\s+", " ", html)
    )
    assert "Paris, France" in html


def _main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


CONFLICT_MANAGEMENT = {
    "conflicts-INITIAL_FORMS": "0",
    "conflicts-MIN_NUM_FORMS": "0",
    "conflicts-MAX_NUM_FORMS": "30",
}


def test_conflicts_page_has_a_template_row_for_add_another(client, applicant):
    client.force_login(applicant)
    html = client.get(reverse("application_section", args=["conflicts"])).content.decode()
    template = html[
        html.index('<template id="conflicts-row-template">') : html.index("</template>")
    ]
    assert re.findall(r'name="([^"]+)"', template) == [
        "conflicts-__prefix__-relationship",
        "conflicts-__prefix__-company_name",
        "conflicts-__prefix__-company_domain",
        "conflicts-__prefix__-person_name",
        "conflicts-__prefix__-person_email",
        "conflicts-__prefix__-note",
        "conflicts-__prefix__-DELETE",
    ]
    assert "<legend>Declaration __number__</legend>" in template
    assert re.findall(r"<button[^>]*>([^<]*)</button>", html[html.index("<main") :]) == [
        "Add another",
        "Save and continue",
        "Add another row",
    ]
    assert '<script src="/static/js/formset.js" defer></script>' in html


def test_conflicts_add_row_without_javascript_adds_a_row_and_saves_nothing(client, applicant):
    client.force_login(applicant)
    data = {
        **CONFLICT_MANAGEMENT,
        "conflicts-TOTAL_FORMS": "2",
        "conflicts-0-relationship": "competitor",
        "conflicts-0-company_name": "Acme, Inc.",
        "conflicts-1-relationship": "supplier",
        "add_row": "1",
    }
    response = client.post(reverse("application_section", args=["conflicts"]), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 3
    assert [form["relationship"].value() for form in formset.forms] == [
        "competitor",
        "supplier",
        None,
    ]
    html = response.content.decode()
    assert 'name="conflicts-TOTAL_FORMS" value="3"' in html
    assert 'value="Acme, Inc."' in html
    # The half-typed second row is not an error until the applicant saves.
    assert "Name the company" not in html
    assert "Confirm that your list is complete" not in html
    assert list(applicant.profile.conflicts.all()) == []
    assert Application.objects.get(applicant=applicant).conflicts_reviewed is False


def test_conflicts_saved_before_survive_a_save_without_changes(client, applicant):
    client.force_login(applicant)
    data = {
        **CONFLICT_MANAGEMENT,
        "conflicts-TOTAL_FORMS": "1",
        "conflicts-0-relationship": "competitor",
        "conflicts-0-company_name": "Acme, Inc.",
        "confirm": "on",
    }
    client.post(reverse("application_section", args=["conflicts"]), data)
    again = {**data, "conflicts-INITIAL_FORMS": "1", "conflicts-TOTAL_FORMS": "3"}
    response = client.post(reverse("application_section", args=["conflicts"]), again)
    assert response.status_code == 302
    assert [(c.relationship, c.company_name) for c in applicant.profile.conflicts.all()] == [
        ("competitor", "Acme, Inc.")
    ]


def test_last_section_leads_to_the_review(client, db):
    application = factories.application_complete()
    client.force_login(application.applicant)
    response = client.post(
        reverse("application_section", args=["agreement"]),
        {"motivation": "I want a room of peers to think with, " * 2, "accept": "on"},
    )
    assert response["Location"] == reverse("application_review")


def test_review_shows_every_answer_with_change_links_and_submit(client, db):
    application = factories.application_complete()
    services.conflicts_replace(
        profile=application.applicant.profile,
        declarations=[
            {
                "relationship": "competitor",
                "company_name": "Acme",
                "company_domain": "",
                "person_name": "",
                "person_email": "",
                "note": "",
            }
        ],
    )
    client.force_login(application.applicant)
    response = client.get(reverse("application_review"))
    pk = application.applicant.pk
    assert _main_text(response) == (
        "Your application › Review Review your application Check your answers. Change any "
        "section, then submit when everything is right. "
        "About you Name Jordan Applicant Job title Chief Executive Officer "
        "City Boston, United States of America Time zone UTC Hours for meetings 07:00–19:00 "
        "LinkedIn profile — Short bio — Change About you "
        "Your company Company name Northwind Traders Company website "
        "https://northwindtraders.test Industry Wholesale trade Number of employees 120 "
        "Annual payroll (USD) — Annual revenue $13M – $50M Years in this role 6 "
        "Preferred meeting format Hybrid Change Your company "
        "Challenges Growth and scaling Hiring and leadership team Culture and engagement "
        "Change Challenges "
        "Conflicts of interest Competitor: Acme Change Conflicts of interest "
        f"References Riley Ref (riley.{pk}@example.org): Board chair "
        f"Sam Ref (sam.{pk}@example.org): Co-founder Change References "
        "Motivation and agreement Why you want to join "
        + "I want a room of peers to think with, "
        * 3
        + "Confidentiality agreement Accepted (version 2026-1) Change Motivation and agreement "
        "By submitting you confirm that your answers are true and complete, and that you "
        "accept the confidentiality agreement. Submit application"
    )
    html = response.content.decode()
    assert re.findall(r'<a href="(/application/[^"]*)">Change', html) == [
        f"/application/{key}/"
        for key in ["about", "company", "challenges", "conflicts", "references", "agreement"]
    ]
    assert f'<form method="post" action="{reverse("application_submit")}"' in html


def test_review_of_an_empty_draft_says_what_is_missing(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("application_review"))
    text = _main_text(response)
    assert text.count("Complete every section to submit.") == 1
    assert "Challenges: rank at least three challenges." in text
    assert "No challenges ranked yet." in text
    assert "Not confirmed yet." in text
    assert "No referees named yet." in text
    assert "Not accepted yet" in text


def test_submitting_from_the_review_goes_through_the_checks(client, applicant):
    client.force_login(applicant)
    client.get(reverse("application_review"))
    response = client.post(reverse("application_submit"), follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert (texts[0], len(texts)) == ("Complete these sections before you submit:", 7)
    assert Application.objects.get(applicant=applicant).status == S.DRAFT


def test_submitted_application_is_shown_read_only_without_internal_data(client, db):
    application = factories.application_complete(submit=True)
    reviewer = factories.user_create(role=Role.ADMIN, first="Rita", last="Reviewer", totp=True)
    services.application_note_add(application=application, author=reviewer, text="NOTE-XYZ")
    services.application_score(
        application=application,
        reviewer=reviewer,
        fit=2,
        contribution=3,
        commitment=4,
        comment="SCORE-XYZ",
    )
    client.force_login(application.applicant)
    overview = client.get(reverse("application_overview")).content.decode()
    assert f'<a href="{reverse("application_review")}">See what you submitted</a>' in overview
    response = client.get(reverse("application_review"))
    text = _main_text(response)
    submitted = application.submitted_at.strftime("%-d %b %Y")
    assert text.startswith(
        "Your application › What you submitted What you submitted "
        f"Submitted on {submitted} . Status: Under review . About you Name Jordan Applicant"
    )
    assert text.endswith("Confidentiality agreement Accepted (version 2026-1)")
    html = response.content.decode()
    for absent in ["NOTE-XYZ", "SCORE-XYZ", "Rita", "Reviewer", "Change", "Submit application"]:
        assert absent not in html
    assert "<form" not in html[html.index("<main") : html.index("</main>")]


def test_review_page_queries_do_not_grow_with_answers(client, db, django_assert_num_queries):
    application = factories.application_complete()
    profile = application.applicant.profile
    client.force_login(application.applicant)
    row = {"company_domain": "", "person_name": "", "person_email": "", "note": ""}
    counts = []
    for n in (1, 12):
        services.conflicts_replace(
            profile=profile,
            declarations=[
                {**row, "relationship": "competitor", "company_name": f"Rival {i}"}
                for i in range(n)
            ],
        )
        with django_assert_num_queries(QUERIES_REVIEW) as captured:
            response = client.get(reverse("application_review"))
        counts.append(len(captured))
        assert _main_text(response).count("Competitor: Rival") == n
    assert counts == [QUERIES_REVIEW, QUERIES_REVIEW]


QUERIES_REVIEW = 14
