"""The demo organisation comes with templates in use and a meeting its facilitator can run at
once."""

from io import StringIO

from django.core.management import call_command

from meetings import runner
from meetings.demo import FORUM_TEMPLATE, LIVE_TITLE
from meetings.models import CohortTemplate, Meeting, MeetingRun, Series


def test_demo_series_use_a_template_and_a_meeting_can_be_run_at_once(db):
    call_command("seed_demo", "--password", "demo-password-1", stdout=StringIO())
    call_command("seed_demo", "--password", "demo-password-1", stdout=StringIO())
    assert set(Series.objects.values_list("template__name", flat=True)) == {FORUM_TEMPLATE}
    assert set(CohortTemplate.objects.values_list("template__name", flat=True)) == {FORUM_TEMPLATE}
    live = Meeting.objects.get(title=LIVE_TITLE)
    facilitator = live.cohort.facilitators.first()
    segments = runner.running_order_ensure(meeting=live)
    assert [s.kind for s in segments].count("presentation") == 2
    # Two topics of 45 minutes take the 90-minute presentation slot.
    assert sum(s.planned_minutes for s in segments) == 240
    runner.meeting_start(meeting=live, actor=facilitator)
    run = MeetingRun.objects.get(meeting=live)
    assert run.current_segment.title == "Welcome and confidentiality"
