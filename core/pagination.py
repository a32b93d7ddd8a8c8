"""Pages of a list page: page links that keep the filters, for htmx and without JavaScript
(templates/components/pagination.html)."""

from django.core.paginator import Page, Paginator


def page_of(request, queryset, per_page: int) -> Page:
    """The requested page of ``queryset``; ``page.query`` is the query string without the page
    number, so page links keep the filters."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.query = query.urlencode()
    return page
