"""A member who leaves a cohort (removed by a facilitator or an admin's review decision) keeps
no open norm breach there. The roster lives in groups, which may not import meetings, so the
norms listen for the seat being saved.

Every meeting, attendance row and norm breach saved or deleted changes the HEALTH version
(core.versions) that the cohorts-by-risk figures are cached under; the services that write
these rows with update() or bulk_create() bump it themselves."""

from django.db.models.signals import post_delete, post_save

from core.versions import HEALTH, version_bump
from groups.models import Membership
from meetings import norm_services
from meetings.models import Attendance, Meeting, NormBreach


def _membership_saved(sender, instance: Membership, update_fields=None, **kwargs) -> None:
    if instance.status == Membership.Status.ACTIVE:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    norm_services.breaches_close_for_departed(
        cohort_id=instance.cohort_id, member_id=instance.member_id
    )


post_save.connect(_membership_saved, sender=Membership, dispatch_uid="norms_membership_left")


def _health_changed(sender, **kwargs) -> None:
    version_bump(HEALTH)


for _model in (Meeting, Attendance, NormBreach):
    post_save.connect(_health_changed, sender=_model, dispatch_uid=f"health-{_model.__name__}-save")
    post_delete.connect(
        _health_changed, sender=_model, dispatch_uid=f"health-{_model.__name__}-delete"
    )
