import itertools

import pytest

from members import conflicts as conflicts_module
from members.choices import Relationship
from members.companies import company_keys
from members.conflicts import (
    ConflictReason,
    conflicts_among,
    conflicts_between,
    conflicts_of_changes,
)
from members.models import ConflictDeclaration, Profile, Role, User

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


def member(first: str, last: str, *, company: str = "", website: str = "") -> User:
    """A member with a profile whose company keys are filled as the services fill them."""
    user = User.objects.create(
        email=f"{first}.{last}.{next(_seq)}@example.com".lower(),
        first_name=first,
        last_name=last,
        password="!",
        role=Role.MEMBER,
    )
    Profile.objects.create(
        user=user,
        company=company,
        company_website=website,
        company_keys=company_keys(company, website),
    )
    return user


def declare(
    user: User,
    relationship: str,
    *,
    company: str = "",
    domain: str = "",
    person: User | None = None,
    email: str = "",
) -> ConflictDeclaration:
    return ConflictDeclaration.objects.create(
        profile=user.profile,
        relationship=relationship,
        company_name=company,
        company_domain=domain,
        company_keys=company_keys(company, domain),
        person_name=person.display_name if person else "",
        person_email=person.email if person else email,
        other_user=person,
    )


def summary(reasons: list[ConflictReason]) -> list[tuple[str, str, int | None]]:
    return [(reason.kind, reason.relationship, reason.declared_by) for reason in reasons]


PHRASES = {
    Relationship.COMPETITOR: "Ada Lovelace declared Bob Stone as a competitor",
    Relationship.CUSTOMER: "Ada Lovelace declared Bob Stone as a customer",
    Relationship.SUPPLIER: "Ada Lovelace declared Bob Stone as a supplier",
    Relationship.INVESTOR: "Ada Lovelace declared Bob Stone as an investor",
    Relationship.FAMILY: "Ada Lovelace declared Bob Stone as family",
    Relationship.BUSINESS_PARTNER: "Ada Lovelace declared Bob Stone as a business partner",
    Relationship.OTHER: "Ada Lovelace declared another relationship with Bob Stone",
}


@pytest.mark.parametrize("relationship", list(Relationship))
@pytest.mark.parametrize("declarer_first", [True, False])
def test_conflicts_among_declared_person_either_direction(
    relationship: Relationship, declarer_first: bool
) -> None:
    if declarer_first:
        ada = member("Ada", "Lovelace", company="Analytical Engines")
        bob = member("Bob", "Stone", company="Stone Works")
    else:
        bob = member("Bob", "Stone", company="Stone Works")
        ada = member("Ada", "Lovelace", company="Analytical Engines")
    declare(ada, relationship, person=bob)

    pair = (min(ada.pk, bob.pk), max(ada.pk, bob.pk))
    assert conflicts_among([ada.pk, bob.pk]) == {
        pair: [ConflictReason("declared_person", relationship.value, ada.pk, PHRASES[relationship])]
    }


def test_conflicts_among_declared_person_matched_by_email_without_account_link() -> None:
    ada = member("Ada", "Lovelace")
    bob = member("Bob", "Stone")
    declare(ada, Relationship.FAMILY, email=bob.email.upper())

    assert conflicts_among([ada.pk, bob.pk]) == {
        (ada.pk, bob.pk): [
            ConflictReason(
                "declared_person",
                "family",
                ada.pk,
                "Ada Lovelace declared Bob Stone as family",
            )
        ]
    }


def test_conflicts_among_declared_company_matches_employer_by_name() -> None:
    ada = member("Ada", "Lovelace", company="Analytical Engines")
    bob = member("Bob", "Stone", company="Acme, Inc.")
    declare(ada, Relationship.COMPETITOR, company="The Acme Company")

    assert conflicts_among([ada.pk, bob.pk]) == {
        (ada.pk, bob.pk): [
            ConflictReason(
                "declared_company",
                "competitor",
                ada.pk,
                "Ada Lovelace declared The Acme Company as a competitor; "
                "Bob Stone works at Acme, Inc.",
            )
        ]
    }


def test_conflicts_among_declared_company_matches_employer_by_domain() -> None:
    ada = member("Ada", "Lovelace", company="Analytical Engines")
    bob = member("Bob", "Stone", company="Roadrunner Supply", website="https://www.acme.co.uk/")
    declare(ada, Relationship.SUPPLIER, domain="mail.acme.co.uk")

    assert conflicts_among([ada.pk, bob.pk]) == {
        (ada.pk, bob.pk): [
            ConflictReason(
                "declared_company",
                "supplier",
                ada.pk,
                "Ada Lovelace declared mail.acme.co.uk as a supplier; "
                "Bob Stone works at Roadrunner Supply",
            )
        ]
    }


def test_conflicts_among_declared_company_by_later_user_counts() -> None:
    ada = member("Ada", "Lovelace", company="Analytical Engines", website="https://ae.com")
    bob = member("Bob", "Stone", company="Stone Works")
    declare(bob, Relationship.OTHER, domain="ae.com")

    assert conflicts_among([bob.pk, ada.pk]) == {
        (ada.pk, bob.pk): [
            ConflictReason(
                "declared_company",
                "other",
                bob.pk,
                "Bob Stone declared another relationship with ae.com; "
                "Ada Lovelace works at Analytical Engines",
            )
        ]
    }


def test_conflicts_among_same_company_spelled_differently() -> None:
    ada = member("Ada", "Lovelace", company="Acme, Inc.")
    bob = member("Bob", "Stone", company="ACME inc")

    assert conflicts_among([ada.pk, bob.pk]) == {
        (ada.pk, bob.pk): [
            ConflictReason(
                "same_company",
                "same_company",
                None,
                "Ada Lovelace (Acme, Inc.) and Bob Stone (ACME inc) work at the same company",
            )
        ]
    }


def test_conflicts_among_same_company_by_website_only() -> None:
    ada = member("Ada", "Lovelace", company="Acme", website="https://acme.com")
    bob = member("Bob", "Stone", company="acme", website="https://shop.acme.com/x")

    assert conflicts_among([ada.pk, bob.pk]) == {
        (ada.pk, bob.pk): [
            ConflictReason(
                "same_company", "same_company", None, "Ada Lovelace and Bob Stone both work at Acme"
            )
        ]
    }


def test_conflicts_among_lists_every_reason_in_order() -> None:
    ada = member("Ada", "Lovelace", company="Acme Ltd")
    bob = member("Bob", "Stone", company="Acme")
    declare(bob, Relationship.FAMILY, person=ada)
    declare(ada, Relationship.CUSTOMER, person=bob)
    declare(ada, Relationship.COMPETITOR, company="ACME")

    assert conflicts_among([ada.pk, bob.pk]) == {
        (ada.pk, bob.pk): [
            ConflictReason(
                "declared_person", "family", bob.pk, "Bob Stone declared Ada Lovelace as family"
            ),
            ConflictReason(
                "declared_person",
                "customer",
                ada.pk,
                "Ada Lovelace declared Bob Stone as a customer",
            ),
            ConflictReason(
                "declared_company",
                "competitor",
                ada.pk,
                "Ada Lovelace declared ACME as a competitor; Bob Stone works at Acme",
            ),
            ConflictReason(
                "same_company",
                "same_company",
                None,
                "Ada Lovelace (Acme Ltd) and Bob Stone (Acme) work at the same company",
            ),
        ]
    }


def test_conflicts_among_declared_person_at_company_is_one_reason_each() -> None:
    ada = member("Ada", "Lovelace", company="Analytical Engines")
    bob = member("Bob", "Stone", company="Acme")
    cy = member("Cy", "Young", company="Acme")
    declaration = declare(ada, Relationship.INVESTOR, person=bob)
    declaration.company_name = "Acme"
    declaration.company_keys = company_keys("Acme")
    declaration.save()

    found = conflicts_among([ada.pk, bob.pk, cy.pk])

    assert {pair: summary(reasons) for pair, reasons in found.items()} == {
        (ada.pk, bob.pk): [("declared_person", "investor", ada.pk)],
        (ada.pk, cy.pk): [("declared_company", "investor", ada.pk)],
        (bob.pk, cy.pk): [("same_company", "same_company", None)],
    }


def test_conflicts_among_similar_names_are_no_conflict() -> None:
    ada = member("Ada", "Lovelace", company="Acme Foods", website="https://acmefoods.com")
    bob = member("Bob", "Stone", company="Acme", website="https://acme.com")
    cy = member("Cy", "Young", company="Acme Holdings")
    declare(ada, Relationship.COMPETITOR, company="Acme Group")
    declare(bob, Relationship.COMPETITOR, domain="acme.co")  # acme again, but Bob's own company
    declare(cy, Relationship.SUPPLIER, domain="https://www.linkedin.com/company/acme")

    assert conflicts_among([ada.pk, bob.pk, cy.pk]) == {}


def test_conflicts_among_ignores_people_outside_the_set() -> None:
    ada = member("Ada", "Lovelace", company="Acme")
    bob = member("Bob", "Stone", company="Stone Works")
    outsider = member("Olga", "Outside", company="Acme")
    declare(outsider, Relationship.COMPETITOR, person=bob)
    declare(bob, Relationship.COMPETITOR, person=outsider)

    assert conflicts_among([ada.pk, bob.pk]) == {}


def test_conflicts_among_person_without_profile_or_name() -> None:
    ada = member("Ada", "Lovelace")
    guest = User.objects.create(email="guest@example.com", password="!")
    declare(ada, Relationship.BUSINESS_PARTNER, person=guest)

    assert conflicts_among([ada.pk, guest.pk]) == {
        (ada.pk, guest.pk): [
            ConflictReason(
                "declared_person",
                "business_partner",
                ada.pk,
                "Ada Lovelace declared guest@example.com as a business partner",
            )
        ]
    }


def test_conflicts_among_fewer_than_two_users_is_empty(django_assert_num_queries) -> None:
    ada = member("Ada", "Lovelace", company="Acme")
    with django_assert_num_queries(0):
        assert conflicts_among([]) == {}
        assert conflicts_among([ada.pk, ada.pk]) == {}


def test_conflicts_between_reports_candidate_pairs_only() -> None:
    candidate = member("Ada", "Lovelace", company="Acme")
    colleague = member("Bob", "Stone", company="ACME Inc.")
    declared = member("Cy", "Young", company="Young & Co")
    neutral = member("Di", "Prince", company="Themyscira")
    # Conflicts inside the roster are not the candidate's: they stay out of the answer.
    declare(declared, Relationship.COMPETITOR, person=neutral)
    declare(declared, Relationship.CUSTOMER, person=candidate)
    declare(candidate, Relationship.SUPPLIER, company="Young")

    found = conflicts_between(candidate.pk, [colleague.pk, declared.pk, neutral.pk, candidate.pk])

    assert found == {
        colleague.pk: [
            ConflictReason(
                "same_company",
                "same_company",
                None,
                "Ada Lovelace (Acme) and Bob Stone (ACME Inc.) work at the same company",
            )
        ],
        declared.pk: [
            ConflictReason(
                "declared_person",
                "customer",
                declared.pk,
                "Cy Young declared Ada Lovelace as a customer",
            ),
            ConflictReason(
                "declared_company",
                "supplier",
                candidate.pk,
                "Ada Lovelace declared Young as a supplier; Cy Young works at Young & Co",
            ),
        ],
    }


def test_conflicts_between_empty_roster_is_empty() -> None:
    candidate = member("Ada", "Lovelace", company="Acme")
    assert conflicts_between(candidate.pk, []) == {}


def test_conflicts_among_reads_whole_tables_when_ids_exceed_the_parameter_limit(
    monkeypatch, django_assert_num_queries
) -> None:
    ada = member("Ada", "Lovelace", company="Acme")
    bob = member("Bob", "Stone", company="Acme Inc")
    cy = member("Cy", "Young", company="Young Works")
    outsider = member("Olga", "Outside", company="Acme")
    declare(cy, Relationship.COMPETITOR, person=ada)
    declare(outsider, Relationship.COMPETITOR, person=cy)
    # As if the ids were more than the database accepts in one statement.
    monkeypatch.setattr(conflicts_module, "_fits_in_one_statement", lambda count: False)

    with django_assert_num_queries(2) as captured:
        found = conflicts_among([ada.pk, bob.pk, cy.pk])

    assert [" IN (" in query["sql"] for query in captured.captured_queries] == [False, False]
    assert {pair: summary(reasons) for pair, reasons in found.items()} == {
        (ada.pk, bob.pk): [("same_company", "same_company", None)],
        (ada.pk, cy.pk): [("declared_person", "competitor", cy.pk)],
    }


# --- Scale ---------------------------------------------------------------------------------

RELATIONSHIPS = list(Relationship.values)


def population(size: int) -> tuple[list[int], dict[tuple[int, int], list[tuple]]]:
    """``size`` members, each at their own company, with planted conflicts among them.

    Returns the member ids and the planted conflicts as {pair: [(kind, relationship, by)]}.
    Rows are bulk-created as the services would store them, to keep the setup fast.
    """
    users = User.objects.bulk_create(
        User(
            email=f"member{i:05d}@example.com",
            first_name="Member",
            last_name=f"{i:05d}",
            password="!",
            role=Role.MEMBER,
        )
        for i in range(size)
    )
    ids = [user.pk for user in users]
    company = {i: (f"Northwind {i} Ltd", f"https://www.nw{i}.com/") for i in range(size)}
    expected: dict[tuple[int, int], list[tuple]] = {}

    def plant(a: int, b: int, reason: tuple) -> None:
        expected.setdefault((min(ids[a], ids[b]), max(ids[a], ids[b])), []).append(reason)

    # Same company: the second of each pair writes the first one's name differently.
    same_pairs = [(i, i + 1) for i in range(0, min(size, 60) - 1, 2)]
    for a, b in same_pairs:
        company[b] = (f"The Northwind {a} Company", "")
        plant(a, b, ("same_company", "same_company", None))

    profiles = Profile.objects.bulk_create(
        Profile(
            user_id=ids[i],
            company=company[i][0],
            company_website=company[i][1],
            company_keys=company_keys(*company[i]),
        )
        for i in range(size)
    )
    declarations = []
    # Declared people, alternately by the first and by the second of each pair.
    for n, a in enumerate(range(100, min(size, 300) - 1, 2)):
        declarer, other = (a, a + 1) if n % 2 == 0 else (a + 1, a)
        relationship = RELATIONSHIPS[n % len(RELATIONSHIPS)]
        declarations.append(
            ConflictDeclaration(
                profile=profiles[declarer],
                relationship=relationship,
                person_name=f"Member {other:05d}",
                person_email=f"member{other:05d}@example.com",
                other_user_id=ids[other],
                company_keys=[],
            )
        )
        plant(declarer, other, ("declared_person", relationship, ids[declarer]))
    # Declared companies, alternately by name and by domain.
    for n, a in enumerate(range(400, min(size, 500) - 1, 2)):
        relationship = RELATIONSHIPS[n % len(RELATIONSHIPS)]
        name, domain = (f"Northwind {a + 1}", "") if n % 2 == 0 else ("", f"nw{a + 1}.com")
        declarations.append(
            ConflictDeclaration(
                profile=profiles[a],
                relationship=relationship,
                company_name=name,
                company_domain=domain,
                company_keys=company_keys(name, domain),
            )
        )
        plant(a, a + 1, ("declared_company", relationship, ids[a]))
    # Noise: declarations that name nobody in PeerNet.
    for i in range(1000, min(size, 2000)):
        declarations.append(
            ConflictDeclaration(
                profile=profiles[i],
                relationship=Relationship.COMPETITOR,
                company_name=f"Southwind {i}",
                company_keys=company_keys(f"Southwind {i}"),
                person_email=f"stranger{i}@example.org",
            )
        )
    ConflictDeclaration.objects.bulk_create(declarations)
    return ids, expected


def test_conflicts_among_five_thousand_members_finds_exactly_the_planted_pairs(
    django_assert_num_queries,
) -> None:
    ids, expected = population(5000)
    assert len(expected) == 30 + 100 + 50
    with django_assert_num_queries(2):
        found = conflicts_among(ids)

    assert {pair: summary(reasons) for pair, reasons in found.items()} == expected
    first_declared = ids[100], ids[101]
    assert found[first_declared][0].detail == ("Member 00100 declared Member 00101 as a competitor")
    first_company = ids[400], ids[401]
    assert found[first_company][0].detail == (
        "Member 00400 declared Northwind 401 as a competitor; "
        "Member 00401 works at Northwind 401 Ltd"
    )


def test_conflicts_among_ten_members_takes_the_same_queries(django_assert_num_queries) -> None:
    ids, expected = population(10)
    assert len(expected) == 5

    with django_assert_num_queries(2):
        found = conflicts_among(ids)

    assert {pair: summary(reasons) for pair, reasons in found.items()} == expected


def test_conflicts_between_candidate_and_large_roster_takes_two_queries(
    django_assert_num_queries,
) -> None:
    ids, _ = population(2000)

    with django_assert_num_queries(2):
        found = conflicts_between(ids[401], ids)

    assert {other: summary(reasons) for other, reasons in found.items()} == {
        ids[400]: [("declared_company", "competitor", ids[400])]
    }


def test_conflicts_of_changes_match_conflicts_between_row_by_row(django_assert_num_queries):
    """Each requested change is checked on its own, against its own roster: two requesters
    who both move are each compared with the other's company as it stands, and nobody outside
    a change's roster counts for it (Cy moving to Initech would meet Bob there, but Bob is not
    on his roster)."""
    ann = member("Ann", "Lee", company="Lee Holdings")
    bob = member("Bob", "Stone", company="Initech")
    cy = member("Cy", "Moss", company="Moss Ltd")
    zed = member("Zed", "Far", company="Far Co")
    declare(cy, Relationship.COMPETITOR, company="Initech")
    declare(zed, Relationship.SUPPLIER, company="Hooli")
    changes = [
        (ann.pk, [bob.pk, cy.pk], ("Initech", company_keys("Initech"))),
        (bob.pk, [ann.pk, zed.pk], ("Hooli", company_keys("Hooli"))),
        (cy.pk, [ann.pk], ("Initech", company_keys("Initech"))),
    ]
    with django_assert_num_queries(2):
        found = conflicts_of_changes(changes)
    assert found == [
        conflicts_between(user_id, others, company=company) for user_id, others, company in changes
    ]
    assert [
        {other: [r.detail for r in reasons] for other, reasons in row.items()} for row in found
    ] == [
        {
            bob.pk: ["Ann Lee and Bob Stone both work at Initech"],
            cy.pk: ["Cy Moss declared Initech as a competitor; Ann Lee works at Initech"],
        },
        {zed.pk: ["Zed Far declared Hooli as a supplier; Bob Stone works at Hooli"]},
        {},
    ]
