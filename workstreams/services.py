"""Writes of programmes and workstreams. Every state change goes through a function here."""

from django.db import transaction
from django.utils.text import slugify

from .models import Programme, ProgrammePhase, Workstream


@transaction.atomic
def programme_create(
    *, name: str, short_name: str, tagline: str = "", description: str = "",
    website: str = "", is_featured: bool = False,
) -> Programme:
    if is_featured:
        # Only one programme is presented on the home page; featuring this one unfeatures the rest.
        Programme.objects.filter(is_featured=True).update(is_featured=False)
    programme = Programme(
        name=name, short_name=short_name, slug=slugify(short_name), tagline=tagline,
        description=description, website=website, is_featured=is_featured,
    )
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_phase_add(*, programme: Programme, number: int, name: str, starts_on,
                        ends_on=None, summary: str = "") -> ProgrammePhase:
    phase = ProgrammePhase(programme=programme, number=number, name=name, starts_on=starts_on,
                           ends_on=ends_on, summary=summary)
    phase.full_clean()
    phase.save()
    return phase


@transaction.atomic
def workstream_create(
    *, programme: Programme, name: str, code: str, summary: str,
    kind: str = Workstream.Kind.WORKSTREAM, status: str = Workstream.Status.PLANNED,
    description: str = "", parent: Workstream | None = None, lead=None, display_order: int = 100,
) -> Workstream:
    workstream = Workstream(
        programme=programme, name=name, slug=slugify(name), code=code.upper(), summary=summary,
        kind=kind, status=status, description=description, parent=parent, lead=lead,
        display_order=display_order,
    )
    workstream.full_clean()
    workstream.save()
    return workstream
