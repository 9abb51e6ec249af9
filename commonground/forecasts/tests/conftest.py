"""Forecast tests run on the real CAR GED file, imported once per module."""

from commonground.events.tests.conftest import ged_csv, ged_imported, ged_rows  # noqa: F401  # shared fixtures
