"""The taxonomy: a category's page and feed change with it, so saving one purges public pages."""

from django import forms
from django.contrib import admin, messages

from .. import actions
from ..models import Category


class CategoryForm(forms.ModelForm):
    """A refusal of `actions.check_category` (a slug another category had) shows beside the
    field, with what was typed kept."""

    user = None  # set per request by CategoryAdmin.get_form

    class Meta:
        model = Category
        fields = ["name", "slug"]

    def _post_clean(self) -> None:
        # A Django hook, once the instance is built; private, so its stubs leave it out.
        super()._post_clean()  # type: ignore[misc]
        if self.user is None or self.errors:
            return
        try:
            actions.check_category(self.instance, self.user)
        except actions.TransitionRefused as refused:
            self.add_error(refused.field if refused.field in self.fields else None, str(refused))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # a class made for this request by modelform_factory
        return form

    def save_model(self, request, obj, form, change):
        # Through the action: an old slug becomes a redirect, and public pages are purged.
        actions.save_category(obj, request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Not offered for a category a published release prints (`actions.delete_categories`
        # refuses it too, whatever path asks).
        printed = obj is not None and Category.objects.filter(pk=obj.pk).printed().exists()
        return super().has_delete_permission(request, obj) and not printed

    def delete_model(self, request, obj):
        actions.delete_categories([obj], request.user)

    def delete_queryset(self, request, queryset):
        try:
            actions.delete_categories(queryset, request.user)
        except actions.TransitionRefused as refused:
            self.message_user(request, str(refused), level=messages.ERROR)
