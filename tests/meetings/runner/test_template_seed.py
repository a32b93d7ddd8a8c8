from meetings.models import MeetingTemplate


def test_template_library_seeded_on_a_fresh_install(db):
    library = [
        (t.name, [(s.kind, s.planned_minutes) for s in t.segments.order_by("position")])
        for t in MeetingTemplate.objects.order_by("name")
    ]
    assert library == [
        (
            "Executive session (2 hours)",
            [
                ("opening", 5),
                ("updates", 30),
                ("presentation", 60),
                ("commitments_review", 15),
                ("evaluation", 10),
            ],
        ),
        (
            "In-person forum (4 hours)",
            [
                ("opening", 10),
                ("updates", 60),
                ("parking_lot", 15),
                ("break", 15),
                ("presentation", 90),
                ("speaker", 20),
                ("commitments_review", 15),
                ("custom", 5),
                ("evaluation", 10),
            ],
        ),
        (
            "Virtual check-in (90 minutes)",
            [
                ("opening", 5),
                ("updates", 35),
                ("parking_lot", 10),
                ("presentation", 25),
                ("commitments_review", 10),
                ("evaluation", 5),
            ],
        ),
    ]
    totals = {
        t.name: sum(s.planned_minutes for s in t.segments.all())
        for t in MeetingTemplate.objects.all()
    }
    assert totals == {
        "Executive session (2 hours)": 120,
        "In-person forum (4 hours)": 240,
        "Virtual check-in (90 minutes)": 90,
    }
