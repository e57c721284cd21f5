"""One module per API group; each class is a thin list of typed calls.

Every method also takes the per-call options ``extra_query``, ``extra_headers`` and
``timeout`` (:class:`cja_async.RequestOptions`, typed in its signature as ``**options``), and
every resource's ``with_options(...)`` binds them for every call made through it.
"""

from .annotations import Annotations
from .assets import Assets
from .audit_logs import AuditLogs
from .calculated_metrics import CalculatedMetrics
from .connections import Connections
from .dataviews import DataViews
from .date_ranges import DateRanges
from .projects import Projects
from .reports import Reports
from .segments import Segments
from .shares import Shares
from .tags import Tags
from .users import Users

__all__ = [
    "Annotations",
    "AuditLogs",
    "CalculatedMetrics",
    "DateRanges",
    "Shares",
    "Tags",
    "Reports",
    "Assets",
    "Connections",
    "DataViews",
    "Projects",
    "Segments",
    "Users",
]
