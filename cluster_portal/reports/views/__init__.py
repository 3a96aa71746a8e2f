"""The reports pages (asking for a report, following it, downloading it) and the dashboard."""

from .dashboard import dashboard, dashboard_csv
from .jobs import report_detail, report_download, report_list

__all__ = ["dashboard", "dashboard_csv", "report_detail", "report_download", "report_list"]
