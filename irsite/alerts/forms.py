from collections.abc import Iterable
from typing import cast

from django import forms
from django.db.models import Q, QuerySet

from irsite import alert_topics
from releases.models import Category


class CategoryChoiceForm(forms.Form):
    """Which releases an address receives: every release, or only the ticked categories.

    One radio choice rather than an "all" box beside the category boxes: a reader who ticked one
    category once silently kept receiving everything. A choice that contradicts itself (all, with
    categories ticked; or chosen, with none) is refused with a message, never guessed. The cleaned
    data adds ``all_categories`` (bool) for `actions`.

    Only `Category.objects.public()` is offered (a category named for an embargoed deal would
    leak it), worked out per form so a category appears at its first go-live; ``keep`` adds the
    categories a subscriber chose before, which stay ticked after a withdrawal empties them.
    """

    ALL, CHOSEN, NONE = "all", "chosen", "none"
    scope = forms.ChoiceField(
        label="Which releases?",
        choices=[
            (ALL, "All press releases"),
            (CHOSEN, "Only these categories:"),
            (NONE, "No press releases"),
        ],
        widget=forms.RadioSelect,
        initial=ALL,
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Categories",
    )

    # The topics besides releases that apps registered (`irsite.alert_topics`): events, filings.
    topics = forms.MultipleChoiceField(
        label="Also send me",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args,
        keep: QuerySet[Category] | None = None,
        keep_topics: Iterable[str] = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        offered = Q(pk__in=Category.objects.public().values("pk"))
        if keep is not None:
            offered |= Q(pk__in=keep.values("pk"))
        field = cast(forms.ModelMultipleChoiceField, self.fields["categories"])
        field.queryset = Category.objects.filter(offered)
        topics = cast(forms.MultipleChoiceField, self.fields["topics"])
        topics.choices = [
            (t.slug, f"{t.label}: {t.description}" if t.description else t.label)
            for t in alert_topics.topics()
            if t.slug in keep_topics or t.offered()
        ]

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # a form's clean() returns its cleaned_data
        scope, chosen = data.get("scope"), data.get("categories")
        if scope == self.NONE and not data.get("topics"):
            self.add_error(
                "scope",
                "You chose no press releases and nothing else: choose press releases, or tick "
                "what else to receive.",
            )
        elif scope == self.NONE and chosen:
            self.add_error(
                "scope",
                "You ticked categories but chose no press releases: choose “Only these "
                "categories” to receive just those, or untick them.",
            )
        elif scope == self.ALL and chosen:
            self.add_error(
                "scope",
                "You ticked categories but chose all press releases: choose “Only these "
                "categories” to receive just those, or untick them.",
            )
        elif scope == self.CHOSEN and not chosen:
            self.add_error(
                "categories", "Tick at least one category, or choose all press releases."
            )
        data["all_categories"] = scope == self.ALL
        data["releases"] = scope != self.NONE
        data["topics"] = data.get("topics") or []
        return data


class SubscribeForm(CategoryChoiceForm):
    email = forms.EmailField(label="Email address", max_length=254)
    # A honeypot: hidden from people by the stylesheet, filled in by form-filling bots.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    source = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    field_order = ["email", "scope", "categories", "topics", "website", "source"]

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
