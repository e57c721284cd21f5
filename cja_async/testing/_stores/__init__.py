"""Typed per-org stores: the simulator's data, apart from the HTTP handlers (moto's models).

Every org has one store per resource (``sim.org(org_id).segments``...), each a
:class:`Store` of JSON objects by id that seeds itself on first use. Route modules
(``testing/_segments.py``...) only parse requests, call stores and render answers.
"""

from ._base import (
    JSON,
    HexIdStore,
    IntIdStore,
    ItemNotFound,
    Store,
    ims_owner,
    owner_id,
    user_owner,
)
from .annotations import Annotations
from .audit_logs import AuditLogs
from .calculated_metrics import CalculatedMetrics
from .components import Components
from .connections import Connections
from .dataviews import DataViews
from .date_ranges import DateRanges
from .projects import Projects
from .segments import Segments
from .shares import Shares
from .tags import Tags
from .users import Users

__all__ = [
    "JSON",
    "Annotations",
    "AuditLogs",
    "CalculatedMetrics",
    "Components",
    "Connections",
    "DataViews",
    "DateRanges",
    "HexIdStore",
    "IntIdStore",
    "ItemNotFound",
    "Projects",
    "Segments",
    "Shares",
    "Store",
    "Tags",
    "Users",
    "ims_owner",
    "owner_id",
    "user_owner",
]
