"""Conflicts of interest: which members must not sit in one cohort, and why.

Three reasons make two members conflict, and every one found is reported:

- ``declared_person``: one declared a relationship with the other person (resolved to their
  account, or matching their email address when the declaration was made before they joined);
- ``declared_company``: one declared a relationship with a company the other works at;
- ``same_company``: both work at the same company.

Declarations count whichever of the two made them. Companies are compared by the keys of
``members.companies`` stored on profiles and declarations, so "Acme, Inc." and acme.com meet.

Cohort formation asks about thousands of members at once, so the work is two queries (people
with their profiles, then their declarations) and dictionary look-ups from company key and
email address to people: the cost follows the conflicts that exist, not the pairs that could.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import combinations

from django.db import connection

from members.choices import Relationship
from members.models import ConflictDeclaration, User

__all__ = [
    "DECLARED_COMPANY",
    "DECLARED_PERSON",
    "SAME_COMPANY",
    "ConflictReason",
    "conflicts_among",
    "conflicts_between",
    "conflicts_of_changes",
]

DECLARED_PERSON = "declared_person"
DECLARED_COMPANY = "declared_company"
SAME_COMPANY = "same_company"

# Reasons are listed in this order: what someone told us first, what we inferred last.
_KIND_ORDER = {DECLARED_PERSON: 0, DECLARED_COMPANY: 1, SAME_COMPANY: 2}

# Completes "Ada Lovelace declared Acme as …".
_AS = {
    Relationship.COMPETITOR: "a competitor",
    Relationship.CUSTOMER: "a customer",
    Relationship.SUPPLIER: "a supplier",
    Relationship.INVESTOR: "an investor",
    Relationship.FAMILY: "family",
    Relationship.BUSINESS_PARTNER: "a business partner",
}


@dataclass(frozen=True)
class ConflictReason:
    kind: str  # DECLARED_PERSON, DECLARED_COMPANY or SAME_COMPANY
    relationship: str  # a Relationship value, or "same_company"
    declared_by: int | None  # user id of the declarer; None for same_company
    detail: str  # plain text for reviewers and facilitators


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    email: str  # casefolded, to match declarations naming a person by email
    company: str  # as the member wrote it, for the detail text
    keys: tuple[str, ...]


@dataclass(frozen=True)
class _Declaration:
    id: int
    declarer: int
    relationship: str
    company: str
    keys: tuple[str, ...]
    other_user: int | None
    person_email: str


def conflicts_among(user_ids: Iterable[int]) -> dict[tuple[int, int], list[ConflictReason]]:
    """Every conflicting pair ``(a, b)`` with ``a < b`` among these users, with all reasons."""
    return _conflicts({int(user_id) for user_id in user_ids}, focus=None)


def conflicts_between(
    user_id: int, other_ids: Iterable[int], *, company: tuple[str, list[str]] | None = None
) -> dict[int, list[ConflictReason]]:
    """The conflicts of one user (a candidate) with each of ``other_ids`` (a roster), by id.

    ``company`` (name, company keys) checks the user as if they worked there: a requested
    company change, before an admin approves it."""
    ids = {int(other_id) for other_id in other_ids} | {user_id}
    override = {user_id: company} if company is not None else None
    return {
        b if a == user_id else a: reasons
        for (a, b), reasons in _conflicts(ids, focus=user_id, override=override).items()
    }


def conflicts_of_changes(
    changes: list[tuple[int, Iterable[int], tuple[str, list[str]]]],
) -> list[dict[int, list[ConflictReason]]]:
    """``conflicts_between(user_id, other_ids, company=company)`` for each ``(user_id,
    other_ids, company)`` of a list of requested company changes, in the same order, from one
    load of people and declarations: a page of requests costs two queries, not two a row."""
    wanted = [
        ({int(i) for i in other_ids} | {user_id}, user_id, company)
        for user_id, other_ids, company in changes
    ]
    every = set().union(*(ids for ids, _, _ in wanted)) if wanted else set()
    if len(every) < 2:
        return [{} for _ in wanted]
    people, declarations = _load(every)
    found = []
    for ids, user_id, company in wanted:
        if len(ids) < 2:
            found.append({})
            continue
        some_people = {pk: person for pk, person in people.items() if pk in ids}
        some_declarations = [d for d in declarations if d.declarer in some_people]
        pairs = _find(some_people, some_declarations, focus=user_id, override={user_id: company})
        found.append({b if a == user_id else a: reasons for (a, b), reasons in pairs.items()})
    return found


def _conflicts(
    ids: set[int],
    *,
    focus: int | None,
    override: dict[int, tuple[str, list[str]]] | None = None,
) -> dict[tuple[int, int], list[ConflictReason]]:
    """Conflicts among ``ids``; with ``focus``, only the pairs that include that user."""
    if len(ids) < 2:
        return {}
    people, declarations = _load(ids)
    return _find(people, declarations, focus=focus, override=override)


def _find(
    people: dict[int, _Person],
    declarations: list[_Declaration],
    *,
    focus: int | None,
    override: dict[int, tuple[str, list[str]]] | None = None,
) -> dict[tuple[int, int], list[ConflictReason]]:
    """The conflicts among loaded people and their declarations."""
    for person_id, (company, keys) in (override or {}).items():
        if person_id in people:
            people[person_id] = replace(people[person_id], company=company, keys=tuple(keys))
    by_key: dict[str, list[int]] = defaultdict(list)
    for person in people.values():
        for key in person.keys:
            by_key[key].append(person.id)
    by_email = {person.email: person.id for person in people.values() if person.email}

    # Per pair: (kind order, declaration id, reason), sorted on the first two when returned.
    found: dict[tuple[int, int], list[tuple[int, int, ConflictReason]]] = defaultdict(list)

    def add(a: int, b: int, order: int, reason: ConflictReason) -> None:
        if a != b and (focus is None or focus in (a, b)):
            found[(a, b) if a < b else (b, a)].append((_KIND_ORDER[reason.kind], order, reason))

    for declaration in declarations:
        declarer = people[declaration.declarer]
        target = declaration.other_user
        if target is None and declaration.person_email:
            target = by_email.get(declaration.person_email)
        if target is not None and target in people:
            reason = _declared_person(declaration, declarer, people[target])
            add(declarer.id, target, declaration.id, reason)
        else:
            target = None
        employees = {other for key in declaration.keys for other in by_key.get(key, ())}
        # A declared person at a declared company is one reason with them, not two.
        employees.discard(target)
        for other in employees:
            reason = _declared_company(declaration, declarer, people[other])
            add(declarer.id, other, declaration.id, reason)

    for a, b in _colleagues(by_key, people, focus):
        add(a, b, 0, _same_company(people[a], people[b]))

    return {
        pair: [reason for *_, reason in sorted(found[pair], key=lambda item: item[:2])]
        for pair in sorted(found)
    }


def _colleagues(
    by_key: dict[str, list[int]], people: dict[int, _Person], focus: int | None
) -> set[tuple[int, int]]:
    """Pairs ``(a, b)``, ``a < b``, sharing a company key; with ``focus``, only theirs."""
    if focus is None:
        return {pair for group in by_key.values() for pair in combinations(sorted(set(group)), 2)}
    focus_keys = people[focus].keys if focus in people else ()
    colleagues = {other for key in focus_keys for other in by_key[key]} - {focus}
    return {(min(focus, other), max(focus, other)) for other in colleagues}


def _load(ids: set[int]) -> tuple[dict[int, _Person], list[_Declaration]]:
    users = User.objects.order_by()
    declarations = ConflictDeclaration.objects.order_by("id")
    # One query per table whatever the size: filter in the database while the ids fit in one
    # statement, else read the tables whole and filter here (still two queries).
    if _fits_in_one_statement(len(ids)):
        users = users.filter(id__in=ids)
        declarations = declarations.filter(profile__user_id__in=ids)
    people = {
        user_id: _Person(
            id=user_id,
            name=f"{first} {last}".strip() or email,
            email=email.casefold(),
            company=company or website or (keys[0] if keys else ""),
            keys=tuple(keys or ()),
        )
        for user_id, first, last, email, company, website, keys in users.values_list(
            "id",
            "first_name",
            "last_name",
            "email",
            "profile__company",
            "profile__company_website",
            "profile__company_keys",
        )
        if user_id in ids
    }
    rows = declarations.values_list(
        "id",
        "profile__user_id",
        "relationship",
        "company_name",
        "company_domain",
        "company_keys",
        "other_user_id",
        "person_email",
    )
    return people, [
        _Declaration(
            id=declaration_id,
            declarer=declarer,
            relationship=relationship,
            company=company_name or company_domain,
            keys=tuple(keys or ()),
            other_user=other_user,
            person_email=person_email.casefold(),
        )
        for (
            declaration_id,
            declarer,
            relationship,
            company_name,
            company_domain,
            keys,
            other_user,
            person_email,
        ) in rows
        if declarer in people
    ]


def _fits_in_one_statement(count: int) -> bool:
    limit = connection.features.max_query_params
    return limit is None or count < limit - 100


def _declared_person(
    declaration: _Declaration, declarer: _Person, other: _Person
) -> ConflictReason:
    phrase = _AS.get(declaration.relationship)
    detail = (
        f"{declarer.name} declared {other.name} as {phrase}"
        if phrase
        else f"{declarer.name} declared another relationship with {other.name}"
    )
    return ConflictReason(DECLARED_PERSON, declaration.relationship, declarer.id, detail)


def _declared_company(
    declaration: _Declaration, declarer: _Person, employee: _Person
) -> ConflictReason:
    phrase = _AS.get(declaration.relationship)
    declared = (
        f"{declarer.name} declared {declaration.company} as {phrase}"
        if phrase
        else f"{declarer.name} declared another relationship with {declaration.company}"
    )
    detail = f"{declared}; {employee.name} works at {employee.company}"
    return ConflictReason(DECLARED_COMPANY, declaration.relationship, declarer.id, detail)


def _same_company(a: _Person, b: _Person) -> ConflictReason:
    if a.company.casefold() == b.company.casefold():
        detail = f"{a.name} and {b.name} both work at {a.company}"
    else:
        detail = f"{a.name} ({a.company}) and {b.name} ({b.company}) work at the same company"
    return ConflictReason(SAME_COMPANY, SAME_COMPANY, None, detail)
