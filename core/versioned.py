"""Rows that change the versions of the cohorts and people they belong to (core.versions).

A model takes part by saying, as class attributes, where its cohorts and its people are:

    class Rsvp(models.Model):
        version_cohorts = ("meeting__cohort",)   # paths to a cohort, as in a filter
        version_people = ("member",)              # paths to a user
        objects = VersionedQuerySet.as_manager()

or ``version_org = True`` for what belongs to the whole organisation (and
``version_org_without_cohort = True`` for a row that holds the organisation's defaults when it
has no cohort). ``version_also = (NAME, ...)`` adds versions that every write of the model
changes besides (a list across the organisation, say: core.versions names them). Every way a row is
written then changes those versions:

- a row saved or deleted (also in a cascade): the signals connected by ``connect()``;
- ``QuerySet.update()``, ``bulk_create()``, ``bulk_update()`` (which send no signals):
  ``VersionedQuerySet``, which every such model's default manager must use (a test checks
  every model of the project's apps is either versioned this way or named in ``UNVERSIONED``).

The cohorts and people are looked up while the rows exist: after a save, before a delete, and
before and after an update that changes a field on a path. A version changes at once and
again on commit (core.versions), so a page cached under the old versions is never read again.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models.signals import m2m_changed, post_save, pre_delete

from core.versions import ORG, cohort_version, person_version, versions_bump

# Fields whose change alone shows on no page: saving only these changes no version.
QUIET_FIELDS = frozenset({"last_login"})
# Rows looked up at a time after a bulk write.
CHUNK = 5000


def _ids(model, pks: Iterable, path: str) -> set[int]:
    """The ids at the end of ``path`` from the rows ``pks`` of ``model``."""
    pks = [pk for pk in pks if pk is not None]
    if path == "pk":
        return set(pks)
    ids: set[int] = set()
    for start in range(0, len(pks), CHUNK):
        values = (
            model._base_manager.filter(pk__in=pks[start : start + CHUNK])
            .order_by()
            .values_list(path, flat=True)
            .distinct()
        )
        ids |= {value for value in values if value is not None}
    return ids


def _path_ids(instance, path: str, created: bool) -> set[int]:
    """The ids at the end of ``path`` from ``instance``: through the related objects already
    loaded on it where the path goes forward (a service that saves a row has usually loaded
    its parent), with a query otherwise. A row just inserted has nothing pointing at it yet,
    so a path that starts backwards (a user's seats) reaches nothing."""
    # __class__, not type(): a related object may be a lazy one (a request's user).
    model = instance.__class__
    if path == "pk":
        return {instance.pk}
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    if not (field.many_to_one or field.one_to_one) or not field.concrete:
        return set() if created else _ids(model, [instance.pk], path)
    value = getattr(instance, field.attname)
    if value is None:
        return set()
    if not rest:
        return {value}
    if field.is_cached(instance):
        return _path_ids(getattr(instance, field.name), rest, created=False)
    return _ids(field.related_model, [value], rest)


def _instance_ids(instance, paths: tuple[str, ...], created: bool = False) -> set[int]:
    ids: set[int] = set()
    for path in paths:
        ids |= _path_ids(instance, path, created)
    return ids


def names_for_instance(instance, created: bool = False) -> list[str]:
    model = type(instance)
    also = list(getattr(model, "version_also", ()))
    if getattr(model, "version_org", False):
        return [ORG, *also]
    cohorts = _instance_ids(instance, getattr(model, "version_cohorts", ()), created)
    people = _instance_ids(instance, getattr(model, "version_people", ()), created)
    return _names(model, cohorts, people) + also


def _names(model, cohorts: set[int], people: set[int]) -> list[str]:
    names = [cohort_version(pk) for pk in sorted(cohorts)]
    names += [person_version(pk) for pk in sorted(people)]
    if not cohorts and getattr(model, "version_org_without_cohort", False):
        names.append(ORG)  # the organisation's defaults, which every cohort without its own follows
    return names


def names_for_queryset(queryset) -> list[str]:
    model = queryset.model
    also = list(getattr(model, "version_also", ()))
    if getattr(model, "version_org", False):
        return [ORG, *also]
    pks = list(queryset.order_by().values_list("pk", flat=True))
    if not pks:
        return []
    cohorts: set[int] = set()
    people: set[int] = set()
    for path in getattr(model, "version_cohorts", ()):
        cohorts |= _ids(model, pks, path)
    for path in getattr(model, "version_people", ()):
        people |= _ids(model, pks, path)
    names = _names(model, cohorts, people)
    without_cohort = {f"{path}__isnull": True for path in getattr(model, "version_cohorts", ())}
    if (
        getattr(model, "version_org_without_cohort", False)
        and ORG not in names
        and model._base_manager.filter(pk__in=pks, **without_cohort).exists()
    ):
        names.append(ORG)
    return names + also


def _roots(model) -> set[str]:
    paths = (*getattr(model, "version_cohorts", ()), *getattr(model, "version_people", ()))
    return {path.split("__")[0] for path in paths}


class VersionedQuerySet(models.QuerySet):
    """Bulk writes change the versions of the rows' cohorts and people (see the module)."""

    def update(self, **kwargs):
        before = names_for_queryset(self)
        changed = super().update(**kwargs)
        after = []
        if _roots(self.model) & {name.split("__")[0] for name in kwargs}:
            after = names_for_queryset(self)
        versions_bump([*before, *after])
        return changed

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        pks = [obj.pk for obj in created]
        if None in pks:  # a backend that returns no ids, or ignored conflicts: the whole table
            versions_bump(names_for_queryset(self.model._base_manager.all()))
        elif pks:
            versions_bump(names_for_queryset(self.model._base_manager.filter(pk__in=pks)))
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        pks = [obj.pk for obj in objs]
        before = names_for_queryset(self.model._base_manager.filter(pk__in=pks))
        changed = super().bulk_update(objs, fields, *args, **kwargs)
        after = []
        if _roots(self.model) & set(fields):
            after = names_for_queryset(self.model._base_manager.filter(pk__in=pks))
        versions_bump([*before, *after])
        return changed

    bulk_update.alters_data = True


def is_versioned(model) -> bool:
    return any(
        getattr(model, attr, False)
        for attr in ("version_org", "version_cohorts", "version_people", "version_also")
    )


def _saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs) -> None:
    if raw:
        return
    if update_fields is not None and set(update_fields) <= QUIET_FIELDS:
        return
    versions_bump(names_for_instance(instance, created))


def _deleting(sender, instance, **kwargs) -> None:
    versions_bump(names_for_instance(instance))


def _m2m(sender, instance, action, model, pk_set, **kwargs) -> None:
    """A cohort's facilitators or themes changed: the versions of both sides' rows (a theme
    is the organisation's, but adding it to a cohort changes only the cohort)."""
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if action == "pre_clear":
        fks = [f for f in sender._meta.fields if f.many_to_one]
        mine = next(f for f in fks if f.related_model is type(instance))
        other = next(f for f in fks if f is not mine)
        pk_set = set(
            sender._base_manager.filter(**{mine.attname: instance.pk}).values_list(
                other.attname, flat=True
            )
        )
    names = [name for name in names_for_instance(instance) if name != ORG]
    if pk_set:
        others = names_for_queryset(model._base_manager.filter(pk__in=pk_set))
        names += [name for name in others if name != ORG]
    versions_bump(names)


# The project's models no cached page shows, each with why.
UNVERSIONED = {
    "core.Heartbeat": "the worker's liveness mark",
    "core.Notification": "the delivery ledger, written by the sender for every message",
    "core.NotificationWatermark": "the dispatcher's own bookmark",
    "core.DemoAccount": "the demo's printed sign-ins",
    "groups.FormationRun": "the formation wizard's runs, read only by the wizard",
}
PROJECT_APPS = ("core", "members", "groups", "meetings")


def connect() -> None:
    """Connect the receivers for every versioned model of the project's apps, and for the
    many-to-many tables between two of them (a cohort's facilitators and themes)."""
    from django.apps import apps  # noqa: PLC0415  (the registry is ready when this runs)

    for config in (apps.get_app_config(label) for label in PROJECT_APPS):
        for model in config.get_models():
            if not is_versioned(model):
                continue
            label = model._meta.label
            post_save.connect(_saved, sender=model, dispatch_uid=f"versioned-save-{label}")
            pre_delete.connect(_deleting, sender=model, dispatch_uid=f"versioned-delete-{label}")
            for field in model._meta.local_many_to_many:
                if is_versioned(field.related_model):
                    through = field.remote_field.through
                    m2m_changed.connect(
                        _m2m, sender=through, dispatch_uid=f"versioned-m2m-{through._meta.label}"
                    )
