"""What projects report: monthly status updates, each organisation's contributions, and the
weekly reminder of overdue work."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import SYSTEM, is_system
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed, refuse_if_any
from cluster_portal.core.validators import validate_multiline_text
from cluster_portal.notifications.services import notify

from .. import notification_kinds as kinds
from ..models import (
    OPEN_DELIVERABLE_STATES,
    TRL_MAX,
    TRL_MIN,
    Contribution,
    Project,
    Rag,
    StatusUpdate,
)
from ..permissions import (
    OPEN_STATES,
    REPORTING_STATES,
    may_post_status_update,
    may_record_contributions,
)

NARRATIVE_MAX_LENGTH = 5000
# The weekly reminder goes at most once in this many days per project.
REMINDER_EVERY_DAYS = 6


def _month(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


@transaction.atomic
def status_update_post(*, actor, project: Project, period: datetime.date, overall: str,
                       schedule: str, budget: str, narrative: str,
                       trl: int | None = None) -> StatusUpdate:
    """The team's report for a month (any day of it names the month): one per month, not for a
    month still to come nor before the project started. The latest month's overall rating is
    the project's; a TRL reached becomes the project's TRL now."""
    if not (is_system(actor) or may_post_status_update(actor, project)):
        if project.status not in REPORTING_STATES:
            raise ApplicationError(
                f"{project.code} is {project.get_status_display().lower()}; status updates are "
                "posted once it is approved and until it ends.", code="not_reporting")
        raise NotAllowed("Only programme staff and the project's team post its status updates.")
    errors = {}
    for name, value in (("overall", overall), ("schedule", schedule), ("budget", budget)):
        if value not in Rag.values:
            errors[name] = "Choose red, amber or green."
    narrative = (narrative or "").strip()
    if not narrative:
        errors["narrative"] = "Say how the month went: progress, issues, next steps."
    elif len(narrative) > NARRATIVE_MAX_LENGTH:
        errors["narrative"] = f"Keep the narrative to {NARRATIVE_MAX_LENGTH:,} characters."
    else:
        try:
            validate_multiline_text(narrative)
        except ValidationError as error:
            errors["narrative"] = " ".join(error.messages)
    if trl is not None and not TRL_MIN <= trl <= TRL_MAX:
        errors["trl"] = f"The TRL is from {TRL_MIN} to {TRL_MAX}."
    if period is None:
        errors["period"] = "Give the month reported on."
    else:
        period = _month(period)
        if period > _month(timezone.localdate()):
            errors["period"] = "Report on this month or an earlier one."
        elif period < _month(project.starts_on):
            errors["period"] = (f"The project starts in {date_format(project.starts_on, 'F Y')};"
                                " report on that month or a later one.")
    refuse_if_any(errors)
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    taken = Conflict(f"{project.code} already has a status update for "
                     f"{date_format(period, 'F Y')}.", code="already_reported")
    if project.status_updates.filter(period=period).exists():
        raise taken
    try:
        with transaction.atomic():
            update = StatusUpdate.objects.create(
                project=project, period=period, overall=overall, schedule=schedule,
                budget=budget, narrative=narrative, trl=trl,
                posted_by=None if is_system(actor) else actor)
    except IntegrityError as error:
        raise taken from error
    changed = []
    if project.latest_update_on is None or period >= project.latest_update_on:
        project.latest_rag, project.latest_update_on = overall, period
        changed += ["latest_rag", "latest_update_on"]
        if trl is not None:
            project.trl_current = trl
            changed.append("trl_current")
    if changed:
        project.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="status_update.post", target=update, scope=project,
                 changes={"period": period, "overall": overall, "schedule": schedule,
                          "budget": budget, "trl": trl})
    notify(recipients=[project.officer], kind=kinds.STATUS_UPDATE_POSTED, actor=actor,
           message=f"{project.code} reported on {date_format(period, 'F Y')}: "
                   f"{Rag(overall).label.lower()}.",
           url=project.get_absolute_url(),
           context={"code": project.code, "title": project.title,
                    "period": date_format(period, "F Y"),
                    "overall": Rag(overall).label.lower(),
                    "schedule": Rag(schedule).label.lower(),
                    "budget": Rag(budget).label.lower()})
    return update


def _amount(value, *, name: str, errors: dict) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors[name] = "Give an amount in Singapore dollars, such as 25000 or 25000.50."
        return Decimal("0")
    if not amount.is_finite():
        errors[name] = "Give an amount in Singapore dollars, such as 25000 or 25000.50."
    elif amount < 0:
        errors[name] = "An amount is zero or more."
    elif amount >= Decimal("1e12"):
        errors[name] = "Give an amount under one trillion dollars."
    return amount


@transaction.atomic
def contribution_record(*, actor, project: Project, organisation, year: int, kind: str,
                        committed_sgd=0, actual_sgd=0, currency: str = "SGD") -> Contribution:
    """Set what a participating organisation commits to the project for a year, in cash or in
    kind, and what it has actually given, in Singapore dollars (a row per organisation, year
    and kind; recording it again changes it)."""
    if not (is_system(actor) or may_record_contributions(actor, project)):
        raise NotAllowed("Only programme staff record contributions.")
    if project.status not in OPEN_STATES and not is_system(actor):
        raise ApplicationError(f"{project.code} is {project.get_status_display().lower()}; its "
                               "contributions no longer change.", code="project_closed")
    errors = {}
    if (currency or "").strip().upper() != Contribution.CURRENCY:
        errors["currency"] = "Contributions are recorded in Singapore dollars (SGD); convert " \
                             "the amount first."
    committed = _amount(committed_sgd, name="committed_sgd", errors=errors)
    actual = _amount(actual_sgd, name="actual_sgd", errors=errors)
    if kind not in Contribution.Kind.values:
        errors["kind"] = "Choose cash or in kind."
    if not project.participations.filter(organisation=organisation).exists():
        errors["organisation"] = f"{organisation.name} does not take part in {project.code}."
    years = range(project.starts_on.year, project.ends_on.year + 1)
    if year not in years:
        errors["year"] = f"Give a year of the project, {years[0]} to {years[-1]}."
    refuse_if_any(errors)
    contribution, created = Contribution.objects.select_for_update().get_or_create(
        project=project, organisation=organisation, year=year, kind=kind,
        defaults={"committed_sgd": committed, "actual_sgd": actual})
    before = None if created else [str(contribution.committed_sgd), str(contribution.actual_sgd)]
    if not created:
        contribution.committed_sgd, contribution.actual_sgd = committed, actual
        contribution.save(update_fields=["committed_sgd", "actual_sgd", "updated_at"])
    audit_record(actor=actor, action="contribution.record", target=contribution, scope=project,
                 changes={"organisation": organisation.name, "year": year, "kind": kind,
                          "before": before, "after": [str(committed), str(actual)]})
    return contribution


@transaction.atomic
def contribution_remove(*, actor, contribution: Contribution) -> None:
    project = contribution.project
    if not (is_system(actor) or may_record_contributions(actor, project)):
        raise NotAllowed("Only programme staff record contributions.")
    audit_record(actor=actor, action="contribution.remove", target=contribution, scope=project,
                 changes={"organisation": contribution.organisation.name,
                          "year": contribution.year, "kind": contribution.kind,
                          "committed_sgd": contribution.committed_sgd,
                          "actual_sgd": contribution.actual_sgd})
    contribution.delete()


def _overdue_lines(project: Project, today: datetime.date) -> tuple[int, int, list[str]]:
    milestones = list(project.milestones.filter(completed_on__isnull=True, due_on__lt=today))
    deliverables = list(project.deliverables.filter(status__in=OPEN_DELIVERABLE_STATES,
                                                    due_on__lt=today))
    lines = [f"milestone “{m.title}”, due {date_format(m.due_on, 'j M Y')}" for m in milestones]
    lines += [f"deliverable “{d.title}”, due {date_format(d.due_on, 'j M Y')}"
              for d in deliverables]
    return len(milestones), len(deliverables), lines


def project_overdue_reminders_send(*, today: datetime.date | None = None) -> int:
    """Tell the principal investigator of each running project with overdue milestones or
    deliverables, once a week at most (a project is marked in the same transaction as its
    notice, so a second run the same week sends nothing). Returns how many were told."""
    today = today or timezone.localdate()
    overdue = (Q(milestones__completed_on__isnull=True, milestones__due_on__lt=today)
               | Q(deliverables__status__in=OPEN_DELIVERABLE_STATES,
                   deliverables__due_on__lt=today))
    not_lately = Q(overdue_reminded_on__isnull=True) | Q(
        overdue_reminded_on__lte=today - datetime.timedelta(days=REMINDER_EVERY_DAYS))
    due = (Project.objects.filter(status__in=(Project.Status.ACTIVE, Project.Status.ON_HOLD))
           .filter(not_lately).filter(overdue).values_list("pk", flat=True).distinct())
    told = 0
    for pk in list(due):
        with transaction.atomic():
            project = (Project.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("principal_investigator").filter(pk=pk)
                       .filter(not_lately).first())
            if project is None:
                continue
            milestones, deliverables, lines = _overdue_lines(project, today)
            project.overdue_reminded_on = today
            project.save(update_fields=["overdue_reminded_on"])
            if not lines:
                continue
            notify(recipients=[project.principal_investigator], kind=kinds.PROJECT_WORK_OVERDUE,
                   actor=SYSTEM,
                   message=f"{project.code} has {len(lines)} overdue item"
                           f"{'s' if len(lines) != 1 else ''}.",
                   url=project.get_absolute_url(),
                   context={"code": project.code, "title": project.title,
                            "milestones": milestones, "deliverables": deliverables,
                            "overdue": lines})
            told += 1
    return told

