from django.utils.decorators import method_decorator
from django.views.generic import ListView

from releases.cache import cache_publicly

from .models import Contact


@method_decorator(cache_publicly, name="dispatch")
class ContactListView(ListView):
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
