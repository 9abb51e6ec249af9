"""The JSON API (``/api/v1/``): composition only, rules live in the domain apps."""

from commonground.api.routes import api

__all__ = ["api"]
