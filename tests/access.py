"""The vocabulary of the access matrix (tests/test_access_matrix.py)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from tests.conftest import ROLES, World

LOGIN = "302 /accounts/login/"
HOME = "302 /"


@dataclass(frozen=True)
class Row:
    path: Callable[[World], str]
    expect: dict[str, str]
    method: str = "get"
    data: dict = field(default_factory=dict)


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: str, anonymous: str = LOGIN) -> dict[str, str]:
    return {**everyone(outcome), "anonymous": anonymous}


ADMIN_LOGIN = "302 /admin/login/"
REAUTH = "302 /accounts/reauthenticate/"
STAFF = ("facilitator_a", "facilitator_b", "admin")


def by_mfa(without: str, with_totp: str) -> dict[str, str]:
    """Admins and facilitators in the world have an authenticator app; others do not."""
    return {**signed_in(without), **dict.fromkeys(STAFF, with_totp)}


def url(name: str, **kwargs) -> Callable[[World], str]:
    return lambda world: reverse(name, kwargs=kwargs or None)


def nobody_but(role: str, outcome: str, others: str = "404") -> dict[str, str]:
    return {**signed_in(others), role: outcome}
