from django.http import HttpRequest

from .models import CompanyProfile


def company(request: HttpRequest) -> dict:
    """The letterhead every public page prints."""
    return {"company": CompanyProfile.for_request(request)}
