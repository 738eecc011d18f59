"""Forms of the release desk: the release itself, the confirmation pages, the exhibit upload."""

import base64
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.http import QueryDict
from django.utils import timezone

from irsite.forms import https_formfield
from irsite.plaintext import MultiLineFormField
from irsite.uploads import (
    ACCEPTED,
    IMAGE_FORMATS,
    CheckedFile,
    check_release_total,
    check_upload,
)

from .. import actions
from ..body_images import image_attachments, validate_body_images
from ..models import Attachment, Release, ReleaseContact, Revision
from .timefields import ZonedDateTimeField

# The change form's "Save and submit for approval" button (its name in the post).
SUBMIT_AFTER_SAVE = "_submit"


class ReleaseForm(forms.ModelForm):
    """The release's fields. Whether the edit may be saved is decided by
    `actions.check_save`, the check step of the save itself, once the edit is on the instance;
    a refusal is shown beside the field it concerns and nothing is saved."""

    # The version the editor started from; a save based on an older one is a conflict.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    correction_note = MultiLineFormField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        # The form says how long a revision's note may be, instead of failing.
        max_length=Revision._meta.get_field("note").max_length,
        help_text="This release is public: saving prepares a correction. Nothing public changes "
        "until someone else who may correct releases approves it; then the page shows "
        "“Corrected on [date and time]: [this note]”.",
    )
    # Set per request by ReleaseAdmin.get_form: whose edit this is.
    user = None

    class Meta:
        model = Release
        fields = [*Release.CONTENT_FIELDS, "categories"]
        # Also used when the admin rebuilds this form with some fields read-only.
        formfield_callback = https_formfield
        widgets = {
            "subheadline": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "summary": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "based_on_version" in self.fields:
            field = self.fields["based_on_version"]
            field.initial = self.instance.version
            # An edit of a saved release must say what it was based on, or it could silently
            # overwrite someone else's save.
            field.required = self.instance.pk is not None
            field.error_messages["required"] = (
                "This form did not say which version of the release it edits; open it again."
            )
        if "published_at" in self.fields:
            zone = timezone.get_current_timezone_name()
            # What is required, said where it is asked (the submit refuses without it).
            self.fields["published_at"].help_text = (
                "Required to submit for approval, and still ahead when submitted. To the "
                "second, in the company's time zone "
                f"({zone}), e.g. 16:05:00 or 4:05 PM. The release becomes public at exactly "
                "this time once an approver publishes it; until then nothing of it is public."
            )

    def clean_body(self) -> str:
        """Images in the body must be this release's own image attachments, with alt text;
        otherwise a form error (the body stays as typed), not a silent removal."""
        body = self.cleaned_data.get("body", "")
        saved = image_attachments(self.instance.attachments.all()) if self.instance.pk else {}
        changing = self._attachments_changing()
        own = {key: a for key, a in saved.items() if a.pk not in changing}
        leaving = {key: a for key, a in saved.items() if a.pk in changing}
        validate_body_images(body, own, leaving)
        return body

    def _attachments_changing(self) -> set[int]:
        """Ids of saved attachments the same post deletes or gives a new file (the attachments
        inline, prefix "attachments"): the body may not keep showing them."""
        total = str(self.data.get("attachments-TOTAL_FORMS", ""))
        changing = set()
        for i in range(min(int(total), 1000) if total.isdigit() else 0):
            pk = str(self.data.get(f"attachments-{i}-id", ""))
            deleted = self.data.get(f"attachments-{i}-DELETE")
            if pk.isdigit() and (deleted or self.files.get(f"attachments-{i}-upload")):
                changing.add(int(pk))
        return changing

    def _post_clean(self) -> None:
        # The edit is on self.instance from here on. (A Django hook; private, so its stubs
        # leave it out.)
        super()._post_clean()  # type: ignore[misc]
        if self.user is None or self.errors:
            return
        try:
            # Locks the row for the rest of the admin's transaction: no save slips in between.
            actions.check_save(
                self.instance,
                self.user,
                expected_version=self.cleaned_data.get("based_on_version"),
                correction_note=self.cleaned_data.get("correction_note", ""),
            )
        except actions.EditConflict as conflict:
            self.add_error(None, self.conflict_message(conflict.current, self.cleaned_data))
        except actions.TransitionRefused as refused:
            field = refused.field if refused.field in self.fields else None
            self.add_error(field, str(refused))
            return
        if SUBMIT_AFTER_SAVE in self.data:
            # "Save and submit for approval": the submit's own check, on the edit as typed, so
            # a missing or past publication time is refused here, beside the field, with
            # nothing saved and everything typed kept.
            submit = actions.TRANSITIONS["submit"]
            try:
                submit.check(self.instance, self.user)
            except actions.TransitionRefused as refused:
                field = refused.field if refused.field in self.fields else None
                self.add_error(field, str(refused))

    @staticmethod
    def conflict_message(stored: Release, cleaned: dict[str, Any]) -> str:
        changed = [
            # The release's own columns, not relations to it.
            f"{cast(Field, Release._meta.get_field(name)).verbose_name}: "
            f"now “{getattr(stored, name)}”"
            for name in ("headline", "subheadline", "slug", "dateline_city")
            if name in cleaned and getattr(stored, name) != cleaned[name]
        ]
        if "body" in cleaned and stored.body != cleaned["body"]:
            changed.append("body: changed")
        detail = "; ".join(changed) or "related contacts, texts or categories"
        return f"{actions.EditConflict(stored)} What changed: {detail}. Copy what you need, reload."


IMAGE_EXTENSIONS = tuple(IMAGE_FORMATS)


class AttachmentForm(forms.ModelForm):
    """One attachment row: a title, an order, and a file checked by its content
    (`attachments.check_upload`) before anything is stored."""

    upload = forms.FileField(
        label="file",
        required=False,
        help_text=f"{ACCEPTED}. Choosing a file replaces the current one.",
    )
    checked: CheckedFile | None = None

    class Meta:
        model = Attachment
        fields = ["position", "title", "is_release_image"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # a form's clean() returns its cleaned_data
        upload = cleaned.get("upload")
        if upload:
            try:
                self.checked = check_upload(upload)
            except ValidationError as error:
                self.add_error("upload", error)
        elif self.instance.pk is None:
            self.add_error("upload", "Choose a file to attach.")
        extension = self.checked.kind.extension if self.checked else self.instance.file.name
        if cleaned.get("is_release_image") and not str(extension).endswith(IMAGE_EXTENSIONS):
            self.add_error("is_release_image", "The release image must be a PNG, JPEG or WebP.")
        return cleaned

    @property
    def size(self) -> int:
        """Bytes the release's files will count for this row."""
        return self.checked.size if self.checked else (self.instance.size or 0)

    def save(self, commit: bool = True) -> Attachment:
        if self.checked:
            self.instance.take(self.checked)
        return super().save(commit)


class LabelledRowsFormSet(forms.BaseInlineFormSet):
    """A tabular inline's rows: their fields sit under column headings with no label of their
    own, so each is named for assistive technology: "Position, row 2" (axe: every form field
    has a name)."""

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            label = "Delete" if name == "DELETE" else str(field.label or name).capitalize()
            # The admin wraps a related field's select (add/change links): name the select.
            widget: forms.Widget = getattr(field.widget, "widget", None) or field.widget
            widget.attrs.setdefault("aria-label", f"{label}, {row}")


class AttachmentFormSet(LabelledRowsFormSet):
    """The attachments of one release; together within ``IRSITE_RELEASE_FILES_MAX_BYTES``."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            # Django's own test for a ticked "delete"; private, so the stubs leave it out.
            if not self._should_delete_form(form)  # type: ignore[attr-defined]
        ]
        # This formset is the attachments inline's: its forms are `AttachmentForm`s.
        check_release_total([cast(AttachmentForm, form).size for form in kept])
        if sum(1 for form in kept if form.cleaned_data.get("is_release_image")) > 1:
            raise ValidationError("Mark one attachment at most as the release image.")
        # Each file its own place in the order: a new row left at the default position (or any
        # row on a position already taken) goes after the last one (two files at 0 printed in
        # an order nobody chose).
        used: set[int] = set()
        for form in kept:
            if form.instance.position in used:
                form.instance.position = max(used) + 1
            used.add(form.instance.position)


class ReleaseContactForm(forms.ModelForm):
    """A contact row. Re-pointing it at another contact, or ticking "print current details",
    on an approved release makes the row take the contact's details as they are now, when the
    save is a correction (`Release.freeze_borrowed`); otherwise it keeps those approved."""

    print_current_details = forms.BooleanField(
        required=False,
        label="print current details",
        help_text="Correct the release to show this contact's details as they are now.",
    )

    class Meta:
        model = ReleaseContact
        fields = ["position", "contact"]

    def save(self, commit: bool = True) -> ReleaseContact:
        if "contact" in self.changed_data or self.cleaned_data.get("print_current_details"):
            self.instance.frozen_at = None  # frozen again, from the contact, by the correction
        return super().save(commit)


class ExhibitUploadForm(forms.Form):
    """An exhibit file; on the confirmation step the same bytes come back in ``payload``."""

    file = forms.FileField(
        required=False,
        help_text="A .txt or .htm Exhibit 99 as filed on EDGAR, or a whole submission .txt.",
    )
    date = forms.DateField(
        required=False, help_text="For a dateline without a date or a year (YYYY-MM-DD)."
    )
    headline = forms.CharField(
        required=False, max_length=300, help_text="For an exhibit that prints no headline."
    )
    company_profile = forms.BooleanField(
        required=False,
        label="Use the exhibit's company details as the company profile",
        help_text="The letterhead and site name; left as they are unless you tick this.",
    )
    payload = forms.CharField(widget=forms.HiddenInput, required=False)
    filename = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # a form's clean() returns its cleaned_data
        upload = cleaned.get("file")
        if upload:
            cleaned["payload"] = base64.b64encode(upload.read()).decode()
            cleaned["filename"] = upload.name
        elif not cleaned.get("payload"):
            raise ValidationError("Choose an exhibit file.")
        # The confirmation step posts the bytes back in the hidden field.
        data = cast(QueryDict, self.data).copy()  # a form bound to a request's POST
        data["payload"], data["filename"] = cleaned["payload"], cleaned["filename"]
        self.data = data
        return cleaned

    def exhibit(self) -> tuple[bytes, str, Any, str]:
        data = self.cleaned_data
        payload = base64.b64decode(data["payload"])
        return payload, data["filename"] or "upload", data["date"], data["headline"]


# --- what a transition's confirmation page asks (`actions.Transition.asks`) -----------------


class TransitionForm(forms.Form):
    """Every confirmation carries the version of the release the person saw, so a step bound to
    the content (approve, publish) is refused if the release changed since; a post without it
    is refused outright."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, release: Release, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = release.version

    def action_kwargs(self) -> dict[str, Any]:
        return {"version": self.cleaned_data["version"]}


class GoLiveForm(TransitionForm):
    """The go-live is the publication time submitted and approved: confirming publishes at it.
    "Publish now" records the second of the click instead; another time may be typed only to
    move it (the approver does not pick the time again)."""

    go_live = ZonedDateTimeField(
        label="Another go-live time",
        required=False,
        help_text="Leave empty to publish at the approved time. To the second, e.g. 16:05:00 or "
        "4:05 PM. The release becomes public exactly then; nothing else runs.",
    )

    def __init__(self, *args, release: Release, **kwargs) -> None:
        super().__init__(*args, release=release, **kwargs)
        self.approved_time = release.published_at
        self.fields["go_live"].help_text += f" Time zone: {timezone.get_current_timezone_name()}."

    @property
    def now(self) -> bool:
        """The "Publish now" button was used: the go-live time is the moment of confirming."""
        return "now" in self.data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # a form's clean() returns its cleaned_data
        chosen = cleaned.get("go_live") or self.approved_time
        if not self.now and not chosen and "go_live" not in self.errors:
            self.add_error("go_live", "Choose a go-live time, or publish now.")
        return cleaned

    def action_kwargs(self) -> dict[str, Any]:
        if self.now:
            return {**super().action_kwargs(), "now": True}
        return {**super().action_kwargs(), "at": self.cleaned_data["go_live"] or None}


class ReasonForm(TransitionForm):
    reason = MultiLineFormField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def action_kwargs(self) -> dict[str, Any]:
        return {**super().action_kwargs(), "reason": self.cleaned_data["reason"]}


TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "": TransitionForm,
    "go_live": GoLiveForm,
    "reason": ReasonForm,
}
