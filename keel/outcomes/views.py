"""Worklist and life chart pages: thin adapters over the gates.

The worklist's sort and filter controls work as a plain GET form; with
htmx the table is swapped in place (and the URL updated) without a reload.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.outcomes.charts import life_chart_data, rating_table
from keel.outcomes.permissions import access_life_chart, access_worklist
from keel.outcomes.selectors import (
    INSTRUMENT_LABELS,
    SORT_LABELS,
    WORKLIST_INSTRUMENTS,
    Phase,
    Population,
    WorklistFilters,
    WorklistSort,
)

TRUE_VALUES = frozenset({"1", "on", "true"})


def filters_from(query: Mapping[str, str]) -> WorklistFilters:
    """Read the worklist's controls from a query string; unknown values fall back to defaults."""
    population = query.get("population", "")
    sort = query.get("sort", "")
    phase = query.get("phase", "")
    return WorklistFilters(
        population=Population(population)
        if population in Population.values()
        else Population.ACTIVE,
        sort=WorklistSort(sort) if sort in WorklistSort.values() else WorklistSort.URGENCY,
        has_open_alerts=query.get("alerts", "") in TRUE_VALUES,
        overdue_only=query.get("overdue", "") in TRUE_VALUES,
        phase=Phase(phase) if phase in Phase.values() else None,
    )


def page_number_from(query: Mapping[str, str]) -> int:
    try:
        return max(1, min(int(query.get("page", "1")), 1_000_000))
    except ValueError:
        return 1


def _query_string(filters: WorklistFilters, **extra: str) -> str:
    values: dict[str, str] = {"population": filters.population.value, "sort": filters.sort.value}
    if filters.has_open_alerts:
        values["alerts"] = "1"
    if filters.overdue_only:
        values["overdue"] = "1"
    if filters.phase is not None:
        values["phase"] = filters.phase.value
    values.update(extra)
    return urlencode(values)


def _alert_pages_exist() -> bool:
    """True once the alerts app routes its detail page (the worklist links to it)."""
    try:
        reverse("alerts:detail", args=[1])
    except NoReverseMatch:
        return False
    return True


@require_GET
@with_actor
def worklist_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The clinic's active patients: scores, alerts, check-ins and next session at a glance."""
    query = {key: request.GET.get(key, "")[:40] for key in request.GET}
    filters = filters_from(query)
    page = access_worklist(actor=actor, filters=filters, page_number=page_number_from(query))
    context = {
        "page": page,
        "filters": filters,
        "instrument_columns": [(i, INSTRUMENT_LABELS[i]) for i in WORKLIST_INSTRUMENTS],
        "sort_choices": [(s.value, label) for s, label in SORT_LABELS.items()],
        "phase_choices": [(p.value, p.label) for p in Phase],
        "previous_query": _query_string(filters, page=str(page.page_number - 1)),
        "next_query": _query_string(filters, page=str(page.page_number + 1)),
        "time_zone": actor.clinic.time_zone if actor.clinic else "UTC",
        "alert_links": _alert_pages_exist(),
    }
    if getattr(request, "htmx", False):
        return render(request, "outcomes/partials/_worklist_table.html", context)
    return render(request, "outcomes/worklist.html", context)


@require_GET
@with_actor
def life_chart_page(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """One patient's life chart, its outcome summary and the same data as tables."""
    patient, rows = access_life_chart(actor=actor, patient_id=patient_id)
    data = life_chart_data(patient=patient, rows=rows)
    return render(
        request,
        "outcomes/life_chart.html",
        {"patient": patient, "data": data, "ratings": rating_table(data)},
    )


@require_GET
@with_actor
def life_chart_json(request: HttpRequest, actor: Actor, patient_id: int) -> JsonResponse:
    """The life chart's series and markers (JSON; gated like the page)."""
    patient, rows = access_life_chart(actor=actor, patient_id=patient_id)
    return JsonResponse(life_chart_data(patient=patient, rows=rows))
