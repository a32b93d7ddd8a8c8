"""Versions of what groups caches (core.versions), changed by every row saved or deleted that
the cached reads are made of. Bulk writes send no signals; their services bump the versions
themselves (members.services, groups.formation_services.run_apply).

- POOL: memberships, approved members' profiles, ranked challenges and conflicts, and the user
  fields the pool filters on;
- COHORTS: cohorts, memberships, facilitators and themes of cohorts, the names of users and
  challenges.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from core.versions import COHORTS, POOL, version_bump
from groups.models import Cohort, Membership
from members.models import Challenge, ConflictDeclaration, Profile, RankedChallenge, User

# A user saved with only other fields (e.g. `last_login` at every sign-in) changes neither.
POOL_USER_FIELDS = {"role", "first_name", "last_name", "email", "time_zone"}
NAME_FIELDS = {"first_name", "last_name", "email"}


def _bumps(*names):
    def receiver(sender, **kwargs) -> None:
        for name in names:
            version_bump(name)

    return receiver


_pool = _bumps(POOL)
_cohorts = _bumps(COHORTS)
_both = _bumps(POOL, COHORTS)


def _user_saved(sender, update_fields=None, **kwargs) -> None:
    fields = set(update_fields) if update_fields is not None else POOL_USER_FIELDS
    if POOL_USER_FIELDS & fields:
        version_bump(POOL)
    if NAME_FIELDS & fields:
        version_bump(COHORTS)


def connect() -> None:
    receivers = {
        Membership: _both,
        User: _both,
        Profile: _pool,
        RankedChallenge: _pool,
        ConflictDeclaration: _pool,
        Cohort: _cohorts,
        Challenge: _cohorts,
    }
    for model, receiver in receivers.items():
        name = model.__name__
        post_delete.connect(receiver, sender=model, dispatch_uid=f"versions-{name}-delete")
        if model is not User:
            post_save.connect(receiver, sender=model, dispatch_uid=f"versions-{name}-save")
    post_save.connect(_user_saved, sender=User, dispatch_uid="versions-User-save")
    for through in (Cohort.facilitators.through, Cohort.themes.through):
        m2m_changed.connect(_cohorts, sender=through, dispatch_uid=f"versions-{through.__name__}")
