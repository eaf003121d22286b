"""Reads for the clinician worklist and the life chart (a package: see its modules)."""

from keel.outcomes.selectors.common import (
    DEPRESSION_INSTRUMENTS,
    DIARY,
    INSTRUMENT_LABELS,
    MANIA_INSTRUMENTS,
    WORKLIST_INSTRUMENTS,
    Severity,
    alert_severity,
)
from keel.outcomes.selectors.life_chart import LifeChartRows, antimanic_label, life_chart_rows
from keel.outcomes.selectors.worklist import (
    PAGE_SIZE,
    AlertBrief,
    AlertSummary,
    CheckInState,
    ScoreCell,
    WorklistPage,
    WorklistRow,
    worklist_page,
)
from keel.outcomes.selectors.worklist_query import (
    SORT_LABELS,
    Phase,
    Population,
    WorklistFilters,
    WorklistSort,
    overdue_assignments,
    worklist_queryset,
)

__all__ = [
    "DEPRESSION_INSTRUMENTS",
    "DIARY",
    "INSTRUMENT_LABELS",
    "MANIA_INSTRUMENTS",
    "PAGE_SIZE",
    "SORT_LABELS",
    "WORKLIST_INSTRUMENTS",
    "AlertBrief",
    "AlertSummary",
    "CheckInState",
    "LifeChartRows",
    "Phase",
    "Population",
    "ScoreCell",
    "Severity",
    "WorklistFilters",
    "WorklistPage",
    "WorklistRow",
    "WorklistSort",
    "alert_severity",
    "antimanic_label",
    "life_chart_rows",
    "overdue_assignments",
    "worklist_page",
    "worklist_queryset",
]
