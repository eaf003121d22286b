"""Clinic admin pages: consent form and education page versions, preview, approval."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.accounts.catalogue import ConsentPerm
from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.common.exceptions import Conflict, ValidationFailed
from keel.consent.forms import ApproveForm, DocumentForm
from keel.consent.models import (
    CONSENT_TOPICS,
    EDUCATION_TOPICS,
    ClinicDocument,
    ConsentTemplate,
    EducationPage,
    Topic,
)
from keel.consent.permissions import access_consent_template, access_document, access_documents
from keel.consent.selectors import document_latest, document_list
from keel.consent.services import (
    consent_template_preview_pdf,
    document_approve,
    document_create_version,
    document_submit,
    document_update,
)
from keel.consent.text import text_blocks
from keel.consent.views._common import form_errors_from, pdf_response

SUBMIT_FOR_APPROVAL = "send"


@dataclass(frozen=True)
class DocumentKind:
    """How the pages name and route one kind of clinic document."""

    model: type[ClinicDocument]
    slug: str
    plural: str
    topics: tuple[Topic, ...]

    def url(self, page: str, *args: int) -> str:
        """The URL of one of this kind's pages."""
        return reverse(self.route(page), args=args)

    def route(self, page: str) -> str:
        """The URL name of one of this kind's pages, for ``{% url %}``."""
        return f"consent:{self.slug}_{page}"

    @property
    def routes(self) -> dict[str, str]:
        """URL names by page, for templates: ``{% url kind.routes.detail pk %}``."""
        return {
            page: self.route(page)
            for page in ("list", "create", "detail", "edit", "submit", "approve")
        }


KINDS: dict[str, DocumentKind] = {
    "template": DocumentKind(ConsentTemplate, "template", "Consent forms", CONSENT_TOPICS),
    "education_page": DocumentKind(
        EducationPage, "education_page", "Patient education page", EDUCATION_TOPICS
    ),
}


@require_GET
@with_actor
def document_list_page(request: HttpRequest, actor: Actor, kind: str) -> HttpResponse:
    """Every version of the clinic's consent form or education page, newest first."""
    spec = KINDS[kind]
    clinic_id = access_documents(actor=actor, model=spec.model)
    documents = list(
        document_list(model=spec.model, clinic_id=clinic_id).select_related("approved_by")
    )
    open_version = next((d for d in documents if d.is_open), None)
    return render(
        request,
        "consent/document_list.html",
        {
            "kind": spec,
            "kinds": KINDS.values(),
            "documents": documents,
            "open_version": open_version,
            "can_manage": actor.has(ConsentPerm.MANAGE_TEMPLATES),
        },
    )


def _render_detail(
    request: HttpRequest,
    actor: Actor,
    spec: DocumentKind,
    document: ClinicDocument,
    *,
    approve_form: ApproveForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    can_approve = actor.has(ConsentPerm.APPROVE_TEMPLATES) and document.is_open
    if can_approve and approve_form is None:
        approve_form = ApproveForm(topics=spec.topics)
    return render(
        request,
        "consent/document_detail.html",
        {
            "kind": spec,
            "document": document,
            "blocks": text_blocks(document.body),
            "covered": [t for t in spec.topics if getattr(document, t.field)],
            "approve_form": approve_form if can_approve else None,
            "can_manage": actor.has(ConsentPerm.MANAGE_TEMPLATES),
            "error": error,
        },
        status=status,
    )


@require_GET
@with_actor
def document_detail_page(
    request: HttpRequest, actor: Actor, kind: str, document_id: int
) -> HttpResponse:
    """One version: its text as patients will see it, its status, and approval."""
    spec = KINDS[kind]
    document = access_document(actor=actor, model=spec.model, document_id=document_id)
    return _render_detail(request, actor, spec, document)


@require_http_methods(["GET", "POST"])
@with_actor
def document_create_page(request: HttpRequest, actor: Actor, kind: str) -> HttpResponse:
    """Write the next version, prefilled from the latest one."""
    spec = KINDS[kind]
    action = AuditAction.CREATE if request.method == "POST" else AuditAction.READ
    clinic_id = access_documents(
        actor=actor, model=spec.model, need=ConsentPerm.MANAGE_TEMPLATES, action=action
    )
    latest = document_latest(model=spec.model, clinic_id=clinic_id)
    if request.method == "GET" and latest is not None and latest.is_open:
        messages.info(request, f"Version {latest.version} is not approved yet: change it here.")
        return redirect(spec.url("edit", latest.pk))
    initial = {"title": latest.title, "body": latest.body} if latest is not None else {}
    form = DocumentForm(request.POST or None, initial=initial)
    error = ""
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                document = document_create_version(
                    actor=actor,
                    model=spec.model,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    submit=SUBMIT_FOR_APPROVAL in request.POST,
                )
            except ValidationFailed as exc:
                form_errors_from(form, exc)
            except Conflict as exc:
                error, status = exc.message, 409
            else:
                messages.success(request, f"Version {document.version} saved.")
                return redirect(spec.url("detail", document.pk))
    return render(
        request,
        "consent/document_form.html",
        {
            "kind": spec,
            "form": form,
            "document": None,
            "based_on": latest,
            "error": error,
            "preview_blocks": text_blocks(form["body"].value() or ""),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@with_actor
def document_edit_page(
    request: HttpRequest, actor: Actor, kind: str, document_id: int
) -> HttpResponse:
    """Change a version that was never approved."""
    spec = KINDS[kind]
    action = AuditAction.UPDATE if request.method == "POST" else AuditAction.READ
    document = access_document(
        actor=actor,
        model=spec.model,
        document_id=document_id,
        need=ConsentPerm.MANAGE_TEMPLATES,
        action=action,
    )
    if request.method == "GET" and not document.is_open:
        messages.info(request, "An approved version never changes: write a new version instead.")
        return redirect(spec.url("create"))
    form = DocumentForm(
        request.POST or None, initial={"title": document.title, "body": document.body}
    )
    error = ""
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                document = document_update(
                    actor=actor,
                    document=document,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    submit=SUBMIT_FOR_APPROVAL in request.POST,
                )
            except ValidationFailed as exc:
                form_errors_from(form, exc)
            except Conflict as exc:
                error, status = exc.message, 409
            else:
                messages.success(request, f"Version {document.version} saved.")
                return redirect(spec.url("detail", document.pk))
    return render(
        request,
        "consent/document_form.html",
        {
            "kind": spec,
            "form": form,
            "document": document,
            "based_on": None,
            "error": error,
            "preview_blocks": text_blocks(form["body"].value() or ""),
        },
        status=status,
    )


@require_POST
@with_actor
def document_submit_page(
    request: HttpRequest, actor: Actor, kind: str, document_id: int
) -> HttpResponse:
    """Send a draft for approval."""
    spec = KINDS[kind]
    document = access_document(
        actor=actor,
        model=spec.model,
        document_id=document_id,
        need=ConsentPerm.MANAGE_TEMPLATES,
        action=AuditAction.UPDATE,
    )
    try:
        document = document_submit(actor=actor, document=document)
    except Conflict as exc:
        return _render_detail(request, actor, spec, document, error=exc.message, status=409)
    messages.success(request, f"Version {document.version} is waiting for approval.")
    return redirect(spec.url("detail", document.pk))


@require_POST
@with_actor
def document_approve_page(
    request: HttpRequest, actor: Actor, kind: str, document_id: int
) -> HttpResponse:
    """Approve a version after confirming each required topic; the previous one retires."""
    spec = KINDS[kind]
    document = access_document(
        actor=actor,
        model=spec.model,
        document_id=document_id,
        need=ConsentPerm.APPROVE_TEMPLATES,
        action=AuditAction.UPDATE,
    )
    form = ApproveForm(request.POST, topics=spec.topics)
    topics: list[str] = form.cleaned_data["topics"] if form.is_valid() else []
    try:
        document = document_approve(actor=actor, document=document, topics=topics)
    except ValidationFailed as exc:
        form_errors_from(form, exc)
        return _render_detail(request, actor, spec, document, approve_form=form, status=422)
    except Conflict as exc:
        return _render_detail(request, actor, spec, document, error=exc.message, status=409)
    messages.success(
        request, f"Version {document.version} approved. Patients see this version from now on."
    )
    return redirect(spec.url("detail", document.pk))


@require_POST
@with_actor
def text_preview_partial(request: HttpRequest, actor: Actor) -> HttpResponse:
    """htmx: the text being typed, shown as patients will see it."""
    access_documents(actor=actor, model=ConsentTemplate, need=ConsentPerm.MANAGE_TEMPLATES)
    body = request.POST.get("body", "")[:50_000]
    return render(request, "consent/partials/_preview.html", {"blocks": text_blocks(body)})


@require_GET
@with_actor
def template_pdf_page(request: HttpRequest, actor: Actor, document_id: int) -> HttpResponse:
    """A printable blank copy of a consent form version (marked while not approved)."""
    template = access_consent_template(actor=actor, template_id=document_id)
    return pdf_response(
        consent_template_preview_pdf(template=template),
        f"consent-form-version-{template.version}.pdf",
    )
