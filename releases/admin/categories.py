"""The taxonomy: a category's page and feed change with it, so saving one purges public pages."""

from django.contrib import admin

from ..cache import InvalidatesPublicPagesAdmin
from ..models import Category


@admin.register(Category)
class CategoryAdmin(InvalidatesPublicPagesAdmin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
