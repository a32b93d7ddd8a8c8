"""The organisation library starts with three protocols; admins change them afterwards."""

from django.db import migrations

CONFIDENTIALITY = (
    "Welcome everyone and repeat the confidentiality agreement: what is said in forum stays "
    "in forum, forever. Ask who needs to leave early and confirm the time keeper."
)
UPDATES = (
    "Each member rates work, family and personal life from 1 to 10 and gives up to three "
    "headlines. Note who asks for time today; hold questions until everyone has spoken."
)
PARKING_LOT = (
    "Collect the issues that came up in the updates and place them: today, next meeting, or "
    "one-to-one. The most urgent and important one goes first."
)
PRESENTATION = (
    "The presenter states the issue in one sentence, the background and what they want from "
    "the group (about 5 min). Clarifying questions only (10 min), then the group shares "
    "experience, not advice (15 min). The presenter closes with what they will do."
)
COMMITMENTS = (
    "Review last meeting's commitments: done, in progress or dropped, and why. Record each "
    "new commitment with its owner and a date."
)
EVALUATION = (
    "Everyone rates the meeting from 1 to 10 and names its most valuable segment. Read the "
    "averages aloud at the next meeting."
)

TEMPLATES = [
    (
        "In-person forum (4 hours)",
        "The full monthly forum: updates for everyone, two deep dives and a speaker slot.",
        [
            ("opening", "Welcome and confidentiality", 10, CONFIDENTIALITY),
            ("updates", "Member updates", 60, UPDATES),
            ("parking_lot", "Parking lot", 15, PARKING_LOT),
            ("break", "Break", 15, "Keep it to fifteen minutes; restart on time."),
            ("presentation", "Issue presentations", 90, PRESENTATION),
            ("speaker", "Speaker or learning", 20, "A guest or a member shares expertise."),
            ("commitments_review", "Commitments", 15, COMMITMENTS),
            ("custom", "Housekeeping", 5, "Dates, retreats, new members, norms."),
            ("evaluation", "Evaluation", 10, EVALUATION),
        ],
    ),
    (
        "Executive session (2 hours)",
        "A focused session: short updates and one or two presentations.",
        [
            ("opening", "Welcome and confidentiality", 5, CONFIDENTIALITY),
            ("updates", "Member updates", 30, UPDATES),
            ("presentation", "Issue presentations", 60, PRESENTATION),
            ("commitments_review", "Commitments", 15, COMMITMENTS),
            ("evaluation", "Evaluation", 10, EVALUATION),
        ],
    ),
    (
        "Virtual check-in (90 minutes)",
        "Between in-person forums, on video: cameras on, one presentation at most.",
        [
            ("opening", "Welcome and confidentiality", 5, CONFIDENTIALITY),
            ("updates", "Member updates", 35, UPDATES),
            ("parking_lot", "Parking lot", 10, PARKING_LOT),
            ("presentation", "Issue presentation", 25, PRESENTATION),
            ("commitments_review", "Commitments", 10, COMMITMENTS),
            ("evaluation", "Evaluation", 5, EVALUATION),
        ],
    ),
]


def seed(apps, schema_editor):
    MeetingTemplate = apps.get_model("meetings", "MeetingTemplate")
    TemplateSegment = apps.get_model("meetings", "TemplateSegment")
    for name, description, segments in TEMPLATES:
        template, created = MeetingTemplate.objects.get_or_create(
            name=name, defaults={"description": description}
        )
        if not created:
            continue
        TemplateSegment.objects.bulk_create(
            TemplateSegment(
                template=template,
                position=position,
                kind=kind,
                title=title,
                planned_minutes=minutes,
                guidance=guidance,
            )
            for position, (kind, title, minutes, guidance) in enumerate(segments, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_meeting_templates_and_runner")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
