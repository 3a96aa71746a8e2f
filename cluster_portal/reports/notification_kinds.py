"""What the reports service tells the person who asked for a report."""

from functools import partial

from cluster_portal.notifications.kinds import NotificationKind

_kind = partial(NotificationKind, app="reports", group="Reports")

REPORT_READY = _kind("report_ready", "A report you asked for is ready",
                     "you asked for the report, or receive the monthly programme report")
REPORT_FAILED = _kind("report_failed", "A report you asked for could not be built",
                      "you asked for the report")

ALL = (REPORT_READY, REPORT_FAILED)
