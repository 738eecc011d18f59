from django import forms

from releases.models import Category


class CategoryChoiceForm(forms.Form):
    all_categories = forms.BooleanField(label="All press releases", required=False, initial=True)
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or only these categories",
    )

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
