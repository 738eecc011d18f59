from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from . import actions
from .forms import CompanyProfileForm
from .models import CompanyProfile, Contact


@admin.register(CompanyProfile)
class CompanyProfileAdmin(admin.ModelAdmin):
    form = CompanyProfileForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["current_logo"]

    @admin.display(description="current logo")
    def current_logo(self, profile: CompanyProfile) -> str:
        url = profile.get_logo_url()
        return format_html('<img src="{}" alt="" style="max-height:48px">', url) if url else "—"

    list_display = ["legal_name", "short_name", "exchange", "ticker", "telephone"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not CompanyProfile.objects.exists()

    def save_model(self, request, obj, form, change):
        actions.save_company_profile(obj, request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # One row: go straight to it.
        profile = CompanyProfile.objects.first()
        if profile:
            return HttpResponseRedirect(
                reverse("admin:contacts_companyprofile_change", args=[profile.pk])
            )
        return super().changelist_view(request, extra_context)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organization", "audience", "telephone", "email", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["audience", "is_active"]
    search_fields = ["name", "title", "organization", "email"]

    # Every write goes through an action, which makes every public page show it.
    def save_model(self, request, obj, form, change):
        actions.save_contact(obj, request.user)

    def delete_model(self, request, obj):
        actions.delete_contacts([obj], request.user)

    def delete_queryset(self, request, queryset):
        actions.delete_contacts(queryset, request.user)
