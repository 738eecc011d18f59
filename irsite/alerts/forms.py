from django import forms
from django.db.models import Q, QuerySet

from releases.models import Category


class CategoryChoiceForm(forms.Form):
    """Which releases an address receives: all, or those of some public categories.

    Only `Category.objects.public()` is offered (a category named for an embargoed deal would
    leak it), worked out per form so a category appears at its first go-live; ``keep`` adds the
    categories a subscriber chose before, which stay ticked after a withdrawal empties them.
    """

    all_categories = forms.BooleanField(label="All press releases", required=False, initial=True)
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or only these categories",
    )

    def __init__(self, *args, keep: QuerySet[Category] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offered = Q(pk__in=Category.objects.public().values("pk"))
        if keep is not None:
            offered |= Q(pk__in=keep.values("pk"))
        self.fields["categories"].queryset = Category.objects.filter(offered)

    def clean(self):
        data = super().clean()
        # Nothing ticked means everything, never "subscribed to nothing".
        if not data.get("categories"):
            data["all_categories"] = True
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

    field_order = ["email", "all_categories", "categories", "website", "source"]

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
