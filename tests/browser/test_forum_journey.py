"""The forum meeting end to end, with a facilitator and two members in three browsers at once:
updates submitted, the meeting started, the members' pages following every advance within
2 seconds without a reload, a presentation's fields shown, a commitment recorded, the meeting
ended, evaluations submitted and the average shown. On a phone and on a laptop."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Cohort, Membership
from meetings import forum_services, services, templates_lib
from meetings.models import Commitment, Evaluation, MeetingTemplate, MemberUpdate
from members.models import Role
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

FOLLOW_MS = 2000
SIZES = {"phone": (390, 844), "laptop": (1280, 800)}


def forum_setup():
    """A cohort on the two-hour executive template, a meeting starting in 20 minutes, and
    Ann's published topic with its presentation."""
    chair = factories.user_create(
        role=Role.FACILITATOR, email="chair@example.com", first="Fay", last="Chair"
    )
    secret = factories.totp_enable(chair)
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[chair])
    Cohort.objects.filter(pk=cohort.pk).update(home_time_zone="Europe/London")
    ann = factories.pool_member_create(first="Ann", last="Lee", email="ann@example.com")
    bo = factories.pool_member_create(first="Bo", last="Park", email="bo@example.com")
    for person in (ann, bo):
        Membership.objects.create(cohort=cohort, member=person)
    templates_lib.cohort_template_choose(
        cohort=cohort,
        actor=chair,
        template=MeetingTemplate.objects.get(name="Executive session (2 hours)"),
    )
    start = timezone.localtime(
        timezone.now() + timedelta(minutes=20), timezone.get_fixed_timezone(0)
    )
    meeting = services.meeting_create(
        cohort=cohort,
        actor=chair,
        title="Harbor forum",
        local_date=start.date(),
        local_time=start.time().replace(second=0, microsecond=0),
        duration_minutes=120,
        time_zone="UTC",
    )
    topic = services.topic_save(
        owner=ann, title="Pricing", kind="issue", importance=8, urgency=8, estimated_minutes=30
    )
    forum_services.presentation_save(
        topic=topic,
        owner=ann,
        statement="Should we raise prices by 20% this spring?",
        background="Costs rose 15% last year.",
        tried="A pilot in one region.",
        wants="experience",
        decision_by=None,
    )
    services.topic_post(topic=topic, meeting=meeting, actor=ann, minutes=30)
    services.agenda_publish(meeting=meeting, actor=chair)
    return meeting, chair, secret, ann, bo


def write_update(page, meeting, work, family, personal, headlines, needs_time=""):
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Write your update").click()
    assert axe_violations(page) == []
    page.get_by_label("Work (1–10)").fill(str(work))
    page.get_by_label("Family (1–10)").fill(str(family))
    page.get_by_label("Personal (1–10)").fill(str(personal))
    page.get_by_label("Headlines").fill("\n".join(headlines))
    if needs_time:
        page.get_by_label("I need time today").check()
        page.get_by_label("What about").fill(needs_time)
    page.get_by_role("button", name="Submit my update").click()
    expect(page.get_by_text("Your update is saved; your cohort will read it.")).to_be_visible()


def follows(driver, members, text: str) -> float:
    """Once the facilitator's own page shows `text` (the change is saved), every member's
    runner heading shows it within FOLLOW_MS, without a reload; returns the slowest."""
    expect(driver.locator("#runner-heading")).to_have_text(text)
    saved = time.monotonic()
    for page in members:
        left = max(FOLLOW_MS - (time.monotonic() - saved) * 1000, 1)
        expect(page.locator("#runner-heading")).to_have_text(text, timeout=left)
    return time.monotonic() - saved


def evaluate(page, meeting, rating, segment, comment):
    page.get_by_role("link", name="Evaluate the meeting").click()
    page.get_by_label("How valuable was this meeting?").fill(str(rating))
    page.get_by_label("The most valuable segment").select_option(label=segment)
    page.get_by_label("Comment").fill(comment)
    page.get_by_role("button", name="Submit my evaluation").click()
    expect(page.get_by_text(f"Thank you: you rated this meeting {rating} of 10.")).to_be_visible()


@pytest.mark.parametrize("size", list(SIZES))
def test_forum_meeting_with_three_browsers(open_page, size):
    meeting, _chair, secret, _ann, _bo = forum_setup()
    width, height = SIZES[size]
    fay_page, ann_page, bo_page = open_page(), open_page(), open_page()
    for page in (fay_page, ann_page, bo_page):
        page.set_viewport_size({"width": width, "height": height})
    sign_in(fay_page, "chair@example.com", secret=secret)
    sign_in(ann_page, "ann@example.com")
    sign_in(bo_page, "bo@example.com")

    # Before the meeting: both members write their update; the facilitator prepares.
    write_update(ann_page, meeting, 8, 9, 7, ["Closed the Series B", "New COO starts"])
    write_update(bo_page, meeting, 3, 8, 6, ["Lost our biggest client"], needs_time="Cash flow")
    fay_page.goto(f"/meetings/{meeting.pk}/prep/")
    expect(fay_page.get_by_text("2 of 2 written.")).to_be_visible()
    expect(fay_page.get_by_text("Should we raise prices by 20% this spring?")).to_be_visible()
    ann_page.goto(f"/meetings/{meeting.pk}/updates/")
    expect(ann_page.get_by_text("Lost our biggest client")).to_be_visible()
    for page in (fay_page, ann_page):
        assert axe_violations(page) == []
        assert no_horizontal_scroll(page)

    # Everyone opens the live runner; the facilitator starts the meeting.
    fay_page.goto(f"/meetings/{meeting.pk}/run/")
    for page in (ann_page, bo_page):
        page.goto(f"/meetings/{meeting.pk}/run/")
        expect(page.locator("#runner-heading")).to_have_text("Not started yet")
    fay_page.get_by_role("button", name="Start the meeting").click()
    members = [ann_page, bo_page]
    slowest = [follows(fay_page, members, "Now: Welcome and confidentiality")]

    # Member updates: who is low and who asked for time, on every page.
    fay_page.get_by_role("button", name="Next: Member updates").click()
    slowest.append(follows(fay_page, members, "Now: Member updates"))
    for page in members:
        expect(page.locator(".runner-updates")).to_contain_text(
            "Low: Bo Park (work 3, family 8, personal 6)"
        )
        expect(page.locator(".runner-updates")).to_contain_text(
            "Asked for time: Bo Park (Cash flow)"
        )

    # The presentation, with the presenter's fields.
    fay_page.get_by_role("button", name="Next: Pricing (Ann Lee)").click()
    slowest.append(follows(fay_page, members, "Now: Pricing (Ann Lee)"))
    for page in members:
        presentation = page.locator(".runner-presentation")
        expect(presentation).to_contain_text("Should we raise prices by 20% this spring?")
        expect(presentation).to_contain_text("Costs rose 15% last year.")
        expect(presentation).to_contain_text("A pilot in one region.")
        expect(presentation).to_contain_text("Your experience")

    # Commitments: the facilitator records Bo's; every page lists it.
    fay_page.get_by_role("button", name="Next: Commitments").click()
    slowest.append(follows(fay_page, members, "Now: Commitments"))
    fay_page.get_by_label("Whose commitment").select_option(label="Bo Park")
    fay_page.get_by_label("Commitment", exact=True).fill("Call the bank by Friday")
    fay_page.get_by_role("button", name="Record commitment").click()
    expect(fay_page.get_by_text("Commitment recorded.")).to_be_visible()
    for page in members:
        expect(page.locator(".runner-commitments")).to_contain_text(
            "Bo Park: Call the bank by Friday", timeout=FOLLOW_MS
        )

    # The facilitator ends the meeting; the members evaluate it.
    fay_page.get_by_role("button", name="End the meeting now").click()
    slowest.append(follows(fay_page, members, "The meeting has ended"))
    evaluate(ann_page, meeting, 9, "3. Pricing (Ann Lee)", "The pricing discussion")
    evaluate(bo_page, meeting, 8, "2. Member updates", "Good to share")
    expect(bo_page.get_by_text("Cohort average: 8.5 from 2 evaluations.")).to_be_visible()

    # The cohort sees the average only; the facilitator sees each answer.
    ann_page.goto(f"/meetings/{meeting.pk}/")
    expect(ann_page.locator(".evaluation-average")).to_contain_text(
        "Evaluation: average 8.5 of 10 from 2 members."
    )
    expect(ann_page.get_by_text("Good to share")).to_have_count(0)
    fay_page.goto(f"/meetings/{meeting.pk}/evaluations/")
    expect(fay_page.get_by_text("Good to share")).to_be_visible()
    expect(fay_page.get_by_text("The pricing discussion")).to_be_visible()
    assert axe_violations(fay_page) == []

    assert max(slowest) < FOLLOW_MS / 1000
    assert sorted(MemberUpdate.objects.values_list("member__first_name", "work")) == [
        ("Ann", 8),
        ("Bo", 3),
    ]
    assert list(Commitment.objects.values_list("owner__first_name", "text")) == [
        ("Bo", "Call the bank by Friday")
    ]
    assert sorted(Evaluation.objects.values_list("member__first_name", "rating")) == [
        ("Ann", 9),
        ("Bo", 8),
    ]
