"""The projects API: projects (the portfolio's filters, their lifecycle as an action),
milestones, deliverables with their files and acceptance, monthly status updates, and each
organisation's contributions with their totals.

Every viewset starts from a selector scoped to the caller, and shows a project at the caller's
access level (`permissions.project_access`): a project, milestone or deliverable the caller may
not see is a 404, exactly as one that does not exist. Writes call the same services as the
pages; the services decide and refuse in their own words (ApplicationError -> the common error
format): a move from the wrong state is a 409 naming the moves allowed, one the caller may not
make a 403 naming who may.
"""

from .plan import DeliverableViewSet, MilestoneViewSet
from .projects import ProjectViewSet
from .reporting import ContributionViewSet, StatusUpdateViewSet

__all__ = ["ContributionViewSet", "DeliverableViewSet", "MilestoneViewSet", "ProjectViewSet",
           "StatusUpdateViewSet"]
