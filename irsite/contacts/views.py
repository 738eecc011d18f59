from django.views.generic import ListView

from releases.views import PublicCacheMixin

from .models import Contact


class ContactListView(PublicCacheMixin, ListView):
    template_name = "contacts/contact_list.html"
    context_object_name = "contacts"

    def get_queryset(self):
        return Contact.objects.filter(is_active=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["by_audience"] = [
            (label, [c for c in context["contacts"] if c.audience == value])
            for value, label in Contact.Audience.choices
        ]
        return context
