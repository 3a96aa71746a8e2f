"""Paging lists on HTML pages. A page may hold several lists, so each names its own query
parameter, and its links keep every other parameter (filters, the other lists' places)."""

from django.core.paginator import Page, Paginator


def paginate(request, items, *, per_page: int, parameter: str = "page") -> Page:
    page = Paginator(items, per_page).get_page(request.GET.get(parameter))
    others = request.GET.copy()
    others.pop(parameter, None)
    page.parameter, page.other_query = parameter, others.urlencode()
    return page
