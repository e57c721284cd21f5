"""One module per API group; each class is a thin list of typed calls."""

from .connections import Connections
from .dataviews import DataViews
from .users import Users
from .segments import Segments
from .projects import Projects
from .assets import Assets
from .annotations import Annotations
from .audit_logs import AuditLogs
from .calculated_metrics import CalculatedMetrics
from .date_ranges import DateRanges
from .shares import Shares
from .tags import Tags
from .reports import Reports

__all__ = [
    "Annotations",
    "AuditLogs",
    "CalculatedMetrics",
    "DateRanges",
    "Shares",
    "Tags",
    "Reports",
    "Assets", "Connections", "DataViews", "Projects", "Segments", "Users"]
