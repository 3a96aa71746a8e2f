"""The page links a paginated list shows: the first and last pages, two each side of the
current one, and a gap (None) between, worked out from the page's number alone. A template that
tested every page number instead would cost time in proportion to the list's length (hundreds
of pages at programme scale, on every visit)."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_numbers(page: Page) -> list[int | None]:
    return [None if number == page.paginator.ELLIPSIS else number
            for number in page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                               on_ends=1)]
