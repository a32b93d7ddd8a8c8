"""The pool's version (core.versions.POOL) changes with every row it is made of that is saved
or deleted: memberships, approved members' profiles, ranked challenges and conflicts, and the
user fields the pool filters on. Bulk writes send no signals; their services bump it
themselves (members.services, groups.formation_services.run_apply)."""

from django.db.models.signals import post_delete, post_save

from core.versions import POOL, version_bump
from groups.models import Membership
from members.models import ConflictDeclaration, Profile, RankedChallenge, User

# A user saved with only other fields (e.g. `last_login` at every sign-in) leaves the pool as
# it was.
POOL_USER_FIELDS = {"role", "first_name", "last_name", "email", "time_zone"}


def _changed(sender, **kwargs) -> None:
    version_bump(POOL)


def _user_saved(sender, update_fields=None, **kwargs) -> None:
    if update_fields is None or POOL_USER_FIELDS & set(update_fields):
        version_bump(POOL)


def connect() -> None:
    for model in (Membership, Profile, RankedChallenge, ConflictDeclaration, User):
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pool-{model.__name__}-del")
        if model is not User:
            post_save.connect(_changed, sender=model, dispatch_uid=f"pool-{model.__name__}")
    post_save.connect(_user_saved, sender=User, dispatch_uid="pool-User")
