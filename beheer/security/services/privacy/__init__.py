"""Privacy (AVG): the register of processing activities (`register`), retention and the
anonymisation job (`retention`), requests of the people concerned (`people`)."""

from .people import erase_person, export_person, find_people, meldingen_count, person_data, person_pdf
from .register import ActivityData, create_activity, set_activity_active, update_activity
from .retention import (
    DEFAULT_MONTHS,
    INCIDENT_MIN_MONTHS,
    months_before,
    retention_periods,
    run_retention,
    scheduled_retention,
    set_retention,
    settings_rows,
)

__all__ = [
    "DEFAULT_MONTHS",
    "INCIDENT_MIN_MONTHS",
    "ActivityData",
    "create_activity",
    "erase_person",
    "export_person",
    "find_people",
    "meldingen_count",
    "months_before",
    "person_data",
    "person_pdf",
    "retention_periods",
    "run_retention",
    "scheduled_retention",
    "set_activity_active",
    "set_retention",
    "settings_rows",
    "update_activity",
]
