"""One module per API group; each class is a thin list of typed calls."""

from .dataviews import DataViews
from .users import Users

__all__ = ["DataViews", "Users"]
