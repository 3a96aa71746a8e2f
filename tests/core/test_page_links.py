"""A list's page links: the first and last pages, two each side of the current one, and a gap
between; as many links for a list of 400 pages as for one of 10."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from cluster_portal.core.pages import paginate
from cluster_portal.core.templatetags.page_links import page_numbers


def _numbers(pages: int, current: int) -> list:
    return page_numbers(Paginator(range(pages * 10), 10).page(current))


def test_the_links_around_the_current_page_and_at_both_ends():
    assert _numbers(400, 1) == [1, 2, 3, None, 400]
    assert _numbers(400, 200) == [1, None, 198, 199, 200, 201, 202, None, 400]
    assert _numbers(400, 400) == [1, None, 398, 399, 400]
    assert _numbers(5, 3) == [1, 2, 3, 4, 5]


def test_a_long_list_shows_no_more_links_than_a_short_one():
    assert len(_numbers(4000, 2000)) == len(_numbers(10, 5)) == 9


def test_the_links_keep_the_other_parameters_and_mark_the_current_page():
    request = RequestFactory().get("/projects/", {"page": "200", "status": "active"})
    page = paginate(request, range(4000), per_page=10)
    html = render_to_string("includes/pagination.html", {"page": page, "label": "Pages"})
    assert '<span class="page-link">200</span>' in html
    assert 'href="?status=active&amp;page=199"' in html
    assert 'href="?status=active&amp;page=400"' in html
    assert html.count("…") == 2
    assert "page=300" not in html
