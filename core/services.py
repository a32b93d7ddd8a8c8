from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import Heartbeat


def heartbeat_record(*, name: str) -> Heartbeat:
    with transaction.atomic():
        beat, created = Heartbeat.objects.select_for_update().get_or_create(
            name=name, defaults={"beat_at": timezone.now(), "count": 1}
        )
        if not created:
            Heartbeat.objects.filter(pk=beat.pk).update(
                beat_at=timezone.now(), count=F("count") + 1
            )
            beat.refresh_from_db()
    return beat
