"""Corrections of a public kit: a document added or replaced, prepared by anyone who may edit
kits and public only when a second person approves it. The replaced document stays (row and
file) in the kit's history; its URL then answers 410 Gone, and the page says "Updated on …"."""

from django.db import transaction

from irsite import clock
from irsite.uploads import CheckedFile, removed_if_failed

from ..models import DocumentStatus, KitAuditEntry, KitDocument, ResultsKit
from .base import TransitionRefused, audit, four_eyes, kit_changed_publicly, lock, person, require


def prepare_document(
    kit: ResultsKit,
    user,
    *,
    checked: CheckedFile,
    title: str,
    category: str,
    note: str,
    replaces: KitDocument | None = None,
    position: int | None = None,
) -> KitDocument:
    """A new or replacement document for public ``kit``, waiting for a second person."""
    with transaction.atomic(), removed_if_failed():
        require(user, "change_resultskit", "correct results kits")
        lock(kit)
        if not kit.is_live:
            raise TransitionRefused("The kit is not public yet: edit it directly.")
        note, title = (note or "").strip(), (title or "").strip()
        if not note:
            raise TransitionRefused("Say what changes and why (readers see it).", field="note")
        if not title:
            raise TransitionRefused("Give the document a title.", field="title")
        if category not in KitDocument.Category.values:
            raise TransitionRefused("Choose a category.", field="category")
        if replaces is not None and (
            replaces.kit_id != kit.pk or replaces.status != DocumentStatus.CURRENT
        ):
            raise TransitionRefused("Only a current document of this kit can be replaced.")
        if position is None:
            position = replaces.position if replaces else kit.documents.current().count()
        document = KitDocument(
            kit=kit, category=category, title=title, position=position,
            status=DocumentStatus.PENDING, replaces=replaces, note=note,
            prepared_at=clock.now(), prepared_by=person(user),
        )  # fmt: skip
        document.take(checked)
        document.save()
        audit(user, KitAuditEntry.Action.CORRECTION_PREPARED, kit, f"{title}: {note}")
        return document


def _pending(document: KitDocument) -> ResultsKit:
    kit = document.kit
    lock(kit)
    document.refresh_from_db(from_queryset=KitDocument.objects.select_for_update())
    if document.status != DocumentStatus.PENDING:
        raise TransitionRefused(f"This correction is {document.get_status_display().lower()}.")
    return kit


@transaction.atomic
def approve_document(document: KitDocument, user) -> None:
    """A second person makes a prepared document public; the one it replaces is kept in the
    history as replaced."""
    require(user, "approve_resultskit", "approve corrections of results kits")
    kit = _pending(document)
    if not kit.is_live:
        raise TransitionRefused("The kit is not public.")
    four_eyes(user, document.prepared_by_id, "prepared this correction")
    now = clock.now()
    if document.replaces_id:
        old = KitDocument.objects.select_for_update().get(pk=document.replaces_id)
        if old.status != DocumentStatus.CURRENT:
            raise TransitionRefused("The document it replaces was replaced since: prepare again.")
        old.status, old.replaced_at = DocumentStatus.REPLACED, now
        old.save(update_fields=["status", "replaced_at"])
    document.status = DocumentStatus.CURRENT
    document.decided_at, document.decided_by = now, person(user)
    document.save(update_fields=["status", "decided_at", "decided_by"])
    kit.corrected_at, kit.version = now, kit.version + 1
    kit.save(update_fields=["corrected_at", "version"])
    kit_changed_publicly()
    audit(user, KitAuditEntry.Action.CORRECTION_APPROVED, kit, f"{document.title}: {document.note}")


@transaction.atomic
def reject_document(document: KitDocument, user, reason: str) -> None:
    require(user, "approve_resultskit", "reject corrections of results kits")
    kit = _pending(document)
    if not (reason or "").strip():
        raise TransitionRefused("Say why the correction is rejected.", field="reason")
    document.status = DocumentStatus.REJECTED
    document.decided_at, document.decided_by = clock.now(), person(user)
    document.save(update_fields=["status", "decided_at", "decided_by"])
    audit(user, KitAuditEntry.Action.CORRECTION_REJECTED, kit, reason.strip())
