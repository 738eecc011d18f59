"""Reading the public API as its clients do, for the API's test modules (releases, events,
filings, results, reports): a GET at a fixed moment, its JSON, the OpenAPI document, and an
answer checked against what the document says."""

import json

import time_machine
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .conftest import at

DOCUMENT = "/api/v1/openapi.json"
NOW = at(2026, 11, 30, 12, 0, 0)


def read(client, url: str, params: dict | None = None, **headers):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, params or {}, headers=headers)


def data(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def document(client) -> dict:
    response = read(client, DOCUMENT)
    assert response.status_code == 200
    return data(response)


def conforms(doc: dict, path: str, status: int, body: dict) -> None:
    """``body`` is what the document says ``path`` answers with ``status``."""
    registry = Registry().with_resource(
        "urn:irsite-api", Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    schema = doc["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"]
    ref = schema["schema"]["$ref"].replace("#", "urn:irsite-api#", 1)
    OAS31Validator({"$ref": ref}, registry=registry).validate(body)
