"""Pages of a list page: page links that keep the filters, for htmx and without JavaScript
(templates/components/pagination.html)."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, Subquery


def page_of(request, queryset, per_page: int, *, count: int | None = None) -> Page:
    """The requested page of ``queryset``; ``page.query`` is the query string without the page
    number, so page links keep the filters. ``count``: the number of rows, when the caller
    knows it without counting (e.g. from a cache)."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.query = query.urlencode()
    return page


@dataclass
class KeysetPage:
    """A page of a list too long to count on every request: its rows, and the ids of the rows
    that anchor the page just newer (``?newer=``) and just older (``?older=``), or None."""

    object_list: list = field(default_factory=list)
    newer: int | None = None
    older: int | None = None
    query: str = ""

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _anchor_id(value) -> int | None:
    try:
        return int(value) if value is not None and int(value) > 0 else None
    except ValueError:
        return None


def keyset_page_of(request, queryset, per_page: int, *, by: str) -> KeysetPage:
    """Newest first by (``by``, id), in pages read from an index: ``?older=<id>`` lists the
    rows after that row, ``?newer=<id>`` those before it. No COUNT and no OFFSET, so every page
    costs the same however long the list; the price is "newer/older" links instead of page
    numbers and a total."""
    query = request.GET.copy()
    query.pop("older", None)
    query.pop("newer", None)
    model = queryset.model
    older, newer = _anchor_id(request.GET.get("older")), _anchor_id(request.GET.get("newer"))
    if older or newer:
        anchor_id = older or newer
        anchor = Subquery(model._default_manager.filter(pk=anchor_id).values(by)[:1])
        if older:
            qs = queryset.filter(
                Q(**{f"{by}__lt": anchor}) | Q(**{by: anchor, "pk__lt": anchor_id}),
                **{f"{by}__lte": anchor},
            ).order_by(f"-{by}", "-pk")
        else:
            qs = queryset.filter(
                Q(**{f"{by}__gt": anchor}) | Q(**{by: anchor, "pk__gt": anchor_id}),
                **{f"{by}__gte": anchor},
            ).order_by(by, "pk")
    else:
        qs = queryset.order_by(f"-{by}", "-pk")
    rows = list(qs[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    page = KeysetPage(query=query.urlencode())
    if newer:
        rows.reverse()
        page.newer = rows[0].pk if more else None
        page.older = rows[-1].pk if rows else None
    else:
        page.newer = rows[0].pk if older and rows else None
        page.older = rows[-1].pk if more else None
    page.object_list = rows
    return page
