"""Sections of the home page that other apps contribute (the open courses of the talent app),
registered as `Section`s (cluster_portal.core.contributions)."""

from .contributions import Contribution, Contributions

Section = Contribution
_SECTIONS = Contributions()
register = _SECTIONS.register
sections_for = _SECTIONS.shown_to
