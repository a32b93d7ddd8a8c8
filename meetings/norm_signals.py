"""A member who leaves a cohort (removed by a facilitator or an admin's review decision) keeps
no open norm breach there. The roster lives in groups, which may not import meetings, so the
norms listen for the seat being saved."""

from django.db.models.signals import post_save

from groups.models import Membership
from meetings import norm_services


def _membership_saved(sender, instance: Membership, update_fields=None, **kwargs) -> None:
    if instance.status == Membership.Status.ACTIVE:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    norm_services.breaches_close_for_departed(
        cohort_id=instance.cohort_id, member_id=instance.member_id
    )


post_save.connect(_membership_saved, sender=Membership, dispatch_uid="norms_membership_left")
