"""What the organisation's pages show of a registration's progress beyond its own fields."""

from django import template

from ..review_time import registration_decision_expected_by

register = template.Library()


@register.simple_tag
def registration_expected_by(organisation):
    """The day a waiting registration should be decided by (None once it is decided)."""
    return registration_decision_expected_by(organisation)
