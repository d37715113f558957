"""Placeholder until the spreadsheet writer lands (being written)."""

from selfcare.core.errors import ApplicationError


def traffic_export(line, date_from, date_to):
    raise ApplicationError("not available yet")
