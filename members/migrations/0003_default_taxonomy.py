from django.db import migrations

CHALLENGES = [
    ("Growth and scaling", "Growing revenue, entering markets, scaling operations"),
    ("Hiring and leadership team", "Building, changing and developing the senior team"),
    ("Culture and engagement", "Values, retention and morale as the company changes"),
    ("Cash flow and financing", "Working capital, debt, fundraising"),
    ("Strategy and focus", "Choosing what not to do; long-term direction"),
    ("Succession and exit", "Selling, passing on or stepping back from the business"),
    ("Board and investors", "Governance, board composition, investor relations"),
    ("Digital transformation", "Technology, data and AI in the business"),
    ("Operations and efficiency", "Margins, processes, supply chain"),
    ("Mergers and acquisitions", "Buying, merging and integrating companies"),
    ("Work-life balance", "Health, family and the person behind the role"),
    ("Crisis and risk", "Downturns, disputes, reputation and resilience"),
]

AGREEMENT = """What is said in forum stays in forum, forever.

1. I will not disclose what another member shares, nor that they shared it, to anyone outside my cohort, including colleagues, family and advisers.
2. I will not use what I learn in forum for my own or my company's commercial advantage.
3. I will declare at once any conflict of interest with another member: competitor, customer, supplier, investor, family or business partner.
4. I will keep meeting notes minimal and will not record meetings.
5. These obligations continue after I leave the network."""

# A copy of members.eligibility.DEFAULT_RULES as it stood when this migration was written.
DEFAULT_RULES = {
    "groups": [
        {
            "label": "Chief executive title",
            "any": [
                {
                    "fact": "title",
                    "op": "contains_any",
                    "value": [
                        "CEO",
                        "chief executive",
                        "president",
                        "founder",
                        "managing director",
                        "owner",
                    ],
                }
            ],
        },
        {
            "label": "Not a deputy or assistant title",
            "any": [
                {
                    "fact": "title",
                    "op": "contains_none",
                    "value": ["vice president", "deputy", "assistant", "product owner"],
                }
            ],
        },
        {
            "label": "Company size",
            "any": [
                {"fact": "employees", "op": "gte", "value": 50},
                {
                    "all": [
                        {"fact": "payroll_usd", "op": "gte", "value": 2_000_000},
                        {"fact": "employees", "op": "gte", "value": 15},
                    ]
                },
            ],
        },
        {
            "label": "Revenue",
            "any": [{"fact": "revenue_usd", "op": "gte", "value": 13_000_000}],
        },
    ]
}


def forwards(apps, schema_editor):
    Challenge = apps.get_model("members", "Challenge")
    for position, (name, description) in enumerate(CHALLENGES):
        Challenge.objects.get_or_create(
            name=name, defaults={"description": description, "position": position}
        )
    Agreement = apps.get_model("members", "ConfidentialityAgreement")
    Agreement.objects.get_or_create(version="2026-1", defaults={"text": AGREEMENT})
    Policy = apps.get_model("members", "EligibilityPolicy")
    if not Policy.objects.exists():
        Policy.objects.create(rules=DEFAULT_RULES, note="Initial policy")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_profiles_and_applications")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
