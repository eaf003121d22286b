"""Reads for alerts: scope, lists, session holds, the on-call rota and the report figures."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median
from zoneinfo import ZoneInfo

from django.db.models import Case, IntegerField, Max, Q, QuerySet, Value, When

from keel.accounts.models import Clinic, Membership, User
from keel.accounts.roles import AccountType, Role
from keel.accounts.selectors import Actor
from keel.alerts.models import (
    Alert,
    AlertCategory,
    AlertEvent,
    AlertEventKind,
    AlertLevel,
    AlertPriority,
    AlertStatus,
    DosingDecision,
    OnCallEntry,
    SessionHold,
    SuicideDosingAssessment,
)
from keel.clinical.instruments import INSTRUMENTS
from keel.monitoring.models import Assessment, DiaryEntry
from keel.patients.models import Patient

#: Severity order on lists: urgent first, then red, amber, then routine.
SEVERITY_ORDER = Case(
    When(priority=AlertPriority.URGENT, then=Value(0)),
    When(level=AlertLevel.RED, then=Value(1)),
    When(level=AlertLevel.AMBER, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
#: The report covers this many days up to today unless a range is given.
REPORT_DEFAULT_DAYS = 30


def alert_scope(*, actor: Actor) -> QuerySet[Alert]:
    """Alerts the actor may see at all; fails closed to an empty queryset.

    Staff see the alerts of their active clinic; a psychiatrist of record
    sees the alerts of the patients whose record names them, nothing else.
    """
    if actor.account_type == AccountType.STAFF and actor.clinic_id is not None:
        return Alert.objects.filter(clinic_id=actor.clinic_id)
    if actor.account_type == AccountType.PSYCHIATRIST_OF_RECORD:
        return Alert.objects.filter(patient__psychiatrist_of_record__user_id=actor.user_id)
    return Alert.objects.none()


def alert_search(
    *,
    actor: Actor,
    statuses: Iterable[str] = UNRESOLVED,
    category: str = "",
    priority: str = "",
    patient_id: int | None = None,
) -> QuerySet[Alert]:
    """The actor's alerts with these filters, most severe first, then oldest first."""
    alerts = alert_scope(actor=actor).filter(status__in=list(statuses))
    if category:
        alerts = alerts.filter(category=category)
    if priority:
        alerts = alerts.filter(priority=priority)
    if patient_id is not None:
        alerts = alerts.filter(patient_id=patient_id)
    return (
        alerts.select_related("patient", "clinic")
        .annotate(severity_rank=SEVERITY_ORDER)
        .order_by("severity_rank", "raised_at", "pk")
    )


def alert_events(*, alert: Alert) -> QuerySet[AlertEvent]:
    """The alert's timeline, oldest first."""
    return alert.events.select_related("by", "to_user").order_by("at", "pk")


@dataclass(frozen=True)
class AlertSource:
    """The stored record that fired an alert, summarised for the alert page."""

    kind: str
    record_id: int
    label: str
    at: dt.datetime | dt.date
    summary: str


def alert_source(*, alert: Alert) -> AlertSource | None:
    """The rating or diary entry named by ``alert.source_type`` / ``source_id``, if it exists."""
    if not alert.source_id.isdigit():
        return None
    pk = int(alert.source_id)
    if alert.source_type == "assessment":
        rating = Assessment.objects.filter(pk=pk, patient_id=alert.patient_id).first()
        if rating is None:
            return None
        instrument = INSTRUMENTS.get(rating.instrument_id)
        label = instrument.title if instrument is not None else rating.instrument_id
        total = "incomplete" if rating.total is None else f"total {rating.total}"
        band = f", {rating.band}" if rating.band else ""
        post_dose = ", acute post-dose" if rating.acute_post_dose else ""
        return AlertSource(
            kind="rating",
            record_id=pk,
            label=label,
            at=rating.taken_at,
            summary=f"{total}{band} ({rating.get_purpose_display().lower()}{post_dose})",
        )
    if alert.source_type == "diary":
        entry = DiaryEntry.objects.filter(pk=pk, patient_id=alert.patient_id).first()
        if entry is None:
            return None
        less_sleep = "yes" if entry.felt_less_need_for_sleep else "no"
        return AlertSource(
            kind="diary",
            record_id=pk,
            label="Daily diary",
            at=entry.entry_date,
            summary=(
                f"mood {entry.mood:+d}, slept {entry.sleep_hours} h, less need for sleep: "
                f"{less_sleep}, irritability {entry.irritability}"
            ),
        )
    return None


def alert_unresolved(*, patient: Patient, rule_id: str) -> Alert | None:
    """The patient's unresolved alert of ``rule_id``, if any (there is at most one)."""
    return Alert.objects.filter(patient=patient, rule_id=rule_id, status__in=UNRESOLVED).first()


def evidence_keys_seen(*, patient: Patient) -> set[tuple[str, str]]:
    """Every (rule id, evidence key) already raised or re-fired for ``patient``."""
    seen: set[tuple[str, str]] = set()
    for rule_id, key in Alert.objects.filter(patient=patient).values_list(
        "rule_id", "evidence_key"
    ):
        seen.add((rule_id, key))
    refires = AlertEvent.objects.filter(
        alert__patient=patient, kind=AlertEventKind.REFIRED
    ).select_related("alert")
    for event in refires.only("detail", "alert__rule_id"):
        refired = event.detail.get("evidence_key") if isinstance(event.detail, dict) else None
        if isinstance(refired, str):
            seen.add((event.alert.rule_id, refired))
    return seen


def session_holds(patient: Patient) -> list[Alert]:
    """The patient's unresolved alerts whose session hold is not cleared, red first."""
    alerts = Alert.objects.filter(
        patient=patient,
        status__in=UNRESOLVED,
        hold_cleared_at__isnull=True,
    ).exclude(hold=SessionHold.NONE)
    return sorted(alerts, key=lambda a: (a.hold != SessionHold.RED, a.raised_at, a.pk))


def session_hold_level(patient: Patient) -> str:
    """``"red"``, ``"amber"`` or ``"none"``: the strongest uncleared hold (the precheck fact)."""
    holds = {alert.hold for alert in session_holds(patient)}
    if SessionHold.RED in holds:
        return "red"
    if SessionHold.AMBER in holds:
        return "amber"
    return "none"


# ---------------------------------------------------------------- suicidality and dosing

#: Suicidality rules whose alert is urgent whatever priority a clinic's protocol gives it:
#: tier 2 and tier 3 suicide items and a moderate or high C-SSRS (REFERENCE.md section 7).
URGENT_SUICIDE_RULE_ENDINGS = (".tier2", ".tier3", ".moderate", ".high")


def _urgent_suicide_q() -> Q:
    endings = Q()
    for ending in URGENT_SUICIDE_RULE_ENDINGS:
        endings |= Q(rule_id__endswith=ending)
    return Q(category=AlertCategory.SUICIDALITY) & (Q(priority=AlertPriority.URGENT) | endings)


def is_urgent_suicidality(alert: Alert) -> bool:
    """True for a tier 2 / tier 3 / C-SSRS moderate or high (or other urgent) suicidality alert."""
    return alert.category == AlertCategory.SUICIDALITY and (
        alert.priority == AlertPriority.URGENT
        or alert.rule_id.endswith(URGENT_SUICIDE_RULE_ENDINGS)
    )


def urgent_suicide_alerts(*, patient: Patient) -> list[Alert]:
    """The patient's open or acknowledged urgent suicidality alerts, oldest first."""
    return list(
        Alert.objects.filter(patient=patient, status__in=UNRESOLVED)
        .filter(_urgent_suicide_q())
        .order_by("raised_at", "pk")
    )


@dataclass(frozen=True)
class SuicideDosingGate:
    """What the go / no-go needs to know about suicidality alerts on one clinic day.

    ``urgent_open``: an open or acknowledged urgent suicidality alert (tier 2 or 3, C-SSRS
    moderate or high). ``assessed_today``: a physician recorded a same-day assessment on
    that day, after the latest firing of every such alert, whose decision is "dose today"
    (a "do not dose" decision leaves it False: the session stays no-go). ``decision`` is
    the latest same-day decision ("" when none) and ``assessment_id`` its row.
    """

    urgent_open: bool
    assessed_today: bool
    decision: str = ""
    assessment_id: int | None = None
    alert_ids: tuple[int, ...] = ()

    @property
    def blocks_dosing(self) -> bool:
        return self.urgent_open and not self.assessed_today


def _last_fired(alerts: Sequence[Alert]) -> dt.datetime | None:
    """The latest time any of ``alerts`` was raised or fired again."""
    if not alerts:
        return None
    latest = max(alert.raised_at for alert in alerts)
    refired = AlertEvent.objects.filter(
        alert__in=list(alerts), kind=AlertEventKind.REFIRED
    ).aggregate(latest=Max("at"))["latest"]
    return max(latest, refired) if refired is not None else latest


def latest_dosing_assessment(*, patient: Patient, on: dt.date) -> SuicideDosingAssessment | None:
    """The patient's latest same-day assessment recorded on the clinic date ``on``."""
    return (
        SuicideDosingAssessment.objects.filter(patient=patient, assessed_on=on)
        .order_by("-recorded_at", "-pk")
        .first()
    )


def suicide_dosing_gate(*, patient: Patient, on: dt.date) -> SuicideDosingGate:
    """Whether urgent suicidality alerts hold today's dose (the precheck facts read this)."""
    alerts = urgent_suicide_alerts(patient=patient)
    latest = latest_dosing_assessment(patient=patient, on=on)
    decision = latest.decision if latest is not None else ""
    assessed = False
    if alerts and latest is not None and latest.decision == DosingDecision.DOSE:
        last_fired = _last_fired(alerts)
        assessed = last_fired is None or latest.recorded_at >= last_fired
    return SuicideDosingGate(
        urgent_open=bool(alerts),
        assessed_today=assessed,
        decision=decision,
        assessment_id=latest.pk if latest is not None else None,
        alert_ids=tuple(alert.pk for alert in alerts),
    )


CSSRS_FORMS = ("cssrs_screen", "cssrs_since_last_visit")


def cssrs_after(*, patient: Patient, since: dt.datetime) -> list[Assessment]:
    """The patient's C-SSRS ratings (either form) taken at or after ``since``, newest first."""
    return list(
        Assessment.objects.filter(
            patient=patient, instrument_id__in=CSSRS_FORMS, taken_at__gte=since
        ).order_by("-taken_at", "-pk")[:20]
    )


def cssrs_since_last_visit_on(*, patient: Patient, on: dt.date) -> list[Assessment]:
    """The patient's C-SSRS "since last visit" ratings taken on the clinic date ``on``."""
    tz = ZoneInfo(patient.clinic.time_zone)
    start = dt.datetime.combine(on, dt.time.min, tzinfo=tz)
    return list(
        Assessment.objects.filter(
            patient=patient,
            instrument_id="cssrs_since_last_visit",
            taken_at__gte=start,
            taken_at__lt=start + dt.timedelta(days=1),
        ).order_by("-taken_at", "-pk")
    )


# ---------------------------------------------------------------- on-call rota


def on_call_entries(*, clinic: Clinic) -> QuerySet[OnCallEntry]:
    """Every entry of the clinic's rota (current, past and future), by rank."""
    return OnCallEntry.objects.filter(clinic=clinic).select_related("user").order_by("rank", "pk")


def on_call_active(*, clinic: Clinic, day: dt.date) -> list[OnCallEntry]:
    """The rota that applies on ``day`` (a date in the clinic's time zone), by rank."""
    entries = on_call_entries(clinic=clinic).filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=day),
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        user__is_active=True,
    )
    return list(entries)


def clinic_today(clinic: Clinic, now: dt.datetime) -> dt.date:
    """The date in the clinic's time zone at ``now``."""
    return now.astimezone(ZoneInfo(clinic.time_zone)).date()


#: How far ahead the empty-rota warning looks (the deploy check and the admin banner).
ROTA_LOOKAHEAD = dt.timedelta(hours=24)
#: Who is told about an urgent alert when nobody is on the rota.
FALLBACK_ROLES = (Role.PHYSICIAN, Role.CLINIC_ADMIN)


def clinic_fallback_recipients(*, clinic: Clinic) -> list[User]:
    """Every active physician and clinic admin of ``clinic`` (told when the rota is empty)."""
    user_ids = Membership.objects.filter(
        clinic=clinic, is_active=True, role__in=FALLBACK_ROLES, user__is_active=True
    ).values("user_id")
    return list(User.objects.filter(pk__in=user_ids).order_by("last_name", "username", "pk"))


def on_call_gaps(*, clinic: Clinic, now: dt.datetime) -> list[dt.date]:
    """The clinic dates in the coming 24 h on which nobody is on the rota (empty: covered)."""
    first = clinic_today(clinic, now)
    last = clinic_today(clinic, now + ROTA_LOOKAHEAD)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if not on_call_active(clinic=clinic, day=day)]


# ---------------------------------------------------------------- report


@dataclass(frozen=True)
class ReportRow:
    """Time to acknowledge for one priority and category over the report's range."""

    priority: str
    category: str
    count: int
    acknowledged: int
    median_minutes: float | None
    p90_minutes: float | None
    escalated: int

    @property
    def priority_label(self) -> str:
        return str(AlertPriority(self.priority).label)

    @property
    def category_label(self) -> str:
        return str(AlertCategory(self.category).label)


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The nearest-rank percentile of ``values`` (None when empty): p90 of 10 values is the 9th."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ack_report(*, clinic: Clinic, start: dt.datetime, end: dt.datetime) -> list[ReportRow]:
    """Per priority and category: alerts raised in [start, end), time to acknowledge, escalated.

    Time to acknowledge runs from ``raised_at`` to ``acknowledged_at`` in
    minutes; alerts not (yet) acknowledged count in ``count`` only.
    """
    alerts = Alert.objects.filter(clinic=clinic, raised_at__gte=start, raised_at__lt=end).only(
        "priority", "category", "raised_at", "acknowledged_at", "escalation_level"
    )
    groups: dict[tuple[str, str], list[Alert]] = {}
    for alert in alerts:
        groups.setdefault((alert.priority, alert.category), []).append(alert)
    priority_order = [p.value for p in AlertPriority]
    category_order = [c.value for c in AlertCategory]
    rows = []
    for (priority, category), members in sorted(
        groups.items(),
        key=lambda item: (priority_order.index(item[0][0]), category_order.index(item[0][1])),
    ):
        minutes = [
            (a.acknowledged_at - a.raised_at).total_seconds() / 60
            for a in members
            if a.acknowledged_at is not None
        ]
        rows.append(
            ReportRow(
                priority=priority,
                category=category,
                count=len(members),
                acknowledged=len(minutes),
                median_minutes=round(median(minutes), 1) if minutes else None,
                p90_minutes=_round(percentile(minutes, 90)),
                escalated=sum(1 for a in members if a.escalation_level > 0),
            )
        )
    return rows


def report_range(
    start: dt.date | None, end: dt.date | None, tz: ZoneInfo, today: dt.date
) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    """Dates (inclusive) and the matching [start, end) instants in the clinic's time zone."""
    end = end or today
    start = start or end - dt.timedelta(days=REPORT_DEFAULT_DAYS - 1)
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end, lower, upper


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
