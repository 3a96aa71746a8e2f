"""Sections of a workstream's public page that upper apps contribute (talent: the skills the
workstream needs), read for the person asking and the workstream (cluster_portal.core.
contributions); workstreams imports none of those apps."""

from cluster_portal.core.contributions import Contribution, Contributions

Section = Contribution
_SECTIONS = Contributions()
register = _SECTIONS.register
sections_for = _SECTIONS.shown_to
