"""The attrs models of every API group (structured and unstructured by cattrs)."""

from ._base import Model
from ._common import DeleteResult, Owner, ValidationResult
from .dataviews import ContainerNames, DataView, ExternalData, SessionDefinition
from .users import LicenseGroup, OrgUser, Role, User

__all__ = [
    "ContainerNames",
    "DataView",
    "DeleteResult",
    "ExternalData",
    "LicenseGroup",
    "Model",
    "OrgUser",
    "Owner",
    "Role",
    "SessionDefinition",
    "User",
    "ValidationResult",
]
