"""Data migrations carry frozen copies of the code they run.

A migration runs on every later install (a new server, a restored backup, a test database): if
it called live app code, editing that code would silently change what an old migration does.
So the functions a `RunPython` calls are copied into the migration file, frozen as of it, and
these tests keep it so: no migration's code reaches app code, and each frozen copy still gives
what the live function gives today (when the live function changes on purpose, the comparison
here is what changes, never the frozen copy).
"""

import ast
import importlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from irsite import plaintext
from irsite.contacts.models import Contact
from releases import text
from releases.models.fields import weighted_vector

REPO = Path(__file__).resolve().parents[1]
APP_PACKAGES = {"releases", "irsite", "events", "filings", "results", "reports"}
MIGRATIONS = sorted(
    path
    for pattern in (
        "releases/migrations/*.py",
        "irsite/*/migrations/*.py",
        "events/migrations/*.py",
        "filings/migrations/*.py",
        "results/migrations/*.py",
        "reports/migrations/*.py",
    )
    for path in REPO.glob(pattern)
    if path.name != "__init__.py"
)

TEXT_MIGRATIONS = [
    "releases.migrations.0014_text_is_normalised",
    "irsite.contacts.migrations.0006_text_is_normalised",
    "irsite.disclaimers.migrations.0003_text_is_normalised",
]
SEARCH_MIGRATION = "releases.migrations.0004_search_document"


def _is_app(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in APP_PACKAGES


def app_code_reached(source: str) -> list[str]:
    """What a migration's source takes from app code, beyond the dotted paths of its schema.

    `import releases.models.fields` at the top of the file is what makemigrations writes for a
    field's class, a validator or an `upload_to`: Django needs those importable by path, and
    they are part of the schema, not code that runs. What is refused: a name imported from an
    app (`from releases.text import plain_text`), an import of an app inside a function, and a
    function (what RunPython runs) using an app module imported at the top.
    """
    tree = ast.parse(source)
    found = []
    top_level_apps = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names = [a.asname or a.name.split(".")[0] for a in node.names if _is_app(a.name)]
            top_level_apps.update(names)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _is_app(node.module):
            found.append(f"line {node.lineno}: from {node.module} import …")
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(function):
            if isinstance(node, ast.Import) and any(_is_app(a.name) for a in node.names):
                found.append(f"line {node.lineno}: import in {function.name}()")
            elif isinstance(node, ast.Name) and node.id in top_level_apps:
                found.append(f"line {node.lineno}: {function.name}() uses {node.id}")
    return found


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_migration_runs_app_code(path):
    assert app_code_reached(path.read_text()) == []


def test_a_migration_calling_a_live_helper_is_caught():
    """The check sees the imports the data migrations had before their copies were frozen."""
    imported = "from releases.text import plain_text\n"
    used = "import irsite.plaintext\ndef clean(apps, editor):\n    irsite.plaintext.markup('')\n"
    inside = "def clean(apps, editor):\n    import releases.text\n"
    schema_only = "import irsite.plaintext\nFIELD = irsite.plaintext.SingleLineCharField\n"
    assert app_code_reached(imported) and app_code_reached(used) and app_code_reached(inside)
    assert app_code_reached(schema_only) == []


# Text as editors paste it: line breaks of every kind, controls, bidi and invisible characters,
# lone surrogates and non-characters, among ordinary letters and combining marks.
AWKWARD = (
    "\r\n\x0b\x0c\x85\u2028\u2029\t \x00\x7f\x9f"
    "\u202e\u2066\u200b\u2060\ufeff\ufffe\ud800e\u0301\u00a0"
)
texts = st.text(alphabet=st.one_of(st.characters(exclude_categories=()), st.sampled_from(AWKWARD)))
html_texts = st.lists(
    st.one_of(
        texts,
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<br>",
                "<td class='x'>",
                "</td>",
                "<b>",
                "</b>",
                "<li>",
                "<h2 id=a>",
                "&amp;",
                "&lt;b&gt;",
                "&#0;",
                "&nbsp;",
                "<",
                ">",
            ]
        ),
    )
).map("".join)


def frozen(module: str):
    return importlib.import_module(module)


@pytest.mark.parametrize("module", TEXT_MIGRATIONS)
@given(value=texts)
def test_frozen_text_rules_give_what_the_live_rules_give(module, value):
    migration = frozen(module)
    assert migration.single_line(value) == plaintext.single_line(value)
    assert migration.multi_line(value) == plaintext.multi_line(value)
    assert migration.markup(value) == plaintext.markup(value)


@given(html=html_texts)
def test_frozen_plain_text_gives_what_the_live_one_gives(html):
    assert frozen(SEARCH_MIGRATION).plain_text(html) == text.plain_text(html)


@given(headline=texts, subheadline=texts, body=html_texts)
def test_frozen_search_vector_is_the_live_one(headline, subheadline, body):
    migration = frozen(SEARCH_MIGRATION)
    assert migration.weighted_vector(headline, subheadline, body, "english") == weighted_vector(
        headline, subheadline, body, "english"
    )


# Stored values the rules change (no NUL: PostgreSQL refuses it in text, so none is stored).
DIRTY = {
    "name": "  Jane\u202e  Doe\r\n",
    "title": "Head of\x0binvestor relations\u200b",
    "organization": "Line one  \r\nLine two\u2028three\x01",
    "telephone": "<p>+1\u00a0617\ufeff</p>",
}


@pytest.mark.parametrize("module", TEXT_MIGRATIONS)
def test_frozen_normalise_rows_writes_what_the_live_one_writes(db, module):
    """Stored rows cleaned by the frozen copy end as the live function leaves them (single-line,
    multi-line and HTML rules, and clean rows left alone)."""
    fields = {"single": ("name", "title"), "multi": ("organization",), "html": ("telephone",)}

    def cleaned_by(normalise_rows) -> list[dict]:
        Contact.objects.all().delete()
        dirty = Contact.objects.create(name="x")
        clean = Contact.objects.create(name="Already clean", title="CFO")
        # update() writes the values as they are: the fields' own cleaning would run on save().
        Contact.objects.filter(pk=dirty.pk).update(**DIRTY)
        normalise_rows(Contact, **fields)
        rows = Contact.objects.filter(pk__in=[dirty.pk, clean.pk]).order_by("pk")
        return list(rows.values(*DIRTY))

    assert cleaned_by(frozen(module).normalise_rows) == cleaned_by(plaintext.normalise_rows)
