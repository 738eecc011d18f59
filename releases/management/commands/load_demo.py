import os
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from irsite.contacts import actions as company_actions
from irsite.contacts.models import CompanyProfile, Contact
from irsite.disclaimers import actions as standard_texts
from irsite.disclaimers.models import Disclaimer
from releases import actions, demo
from releases.models import Category, Release


class Command(BaseCommand):
    help = "Load the demo company and its seed release (idempotent); optionally demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            action="store_true",
            help="Also create an admin superuser and one Editors and one Approvers user "
            "(passwords from ADMIN_PASSWORD / DEMO_PASSWORD, printed).",
        )

    @transaction.atomic
    def handle(self, *args, users: bool = False, **options) -> None:
        # Through the same actions as the admin (audited, every page purged), for this command.
        actor = actions.SystemActor("load_demo")
        profile = CompanyProfile.load()
        for name, value in demo.COMPANY.items():
            setattr(profile, name, value)
        company_actions.save_company_profile(profile, actor)
        contacts = []
        for fields in demo.CONTACTS:
            contact = Contact.objects.filter(name=fields["name"]).first() or Contact()
            for name, value in fields.items():
                setattr(contact, name, value)
            company_actions.save_contact(contact, actor)
            contacts.append(contact)
        versions = []
        for kind, standard in [
            (Disclaimer.Kind.ABOUT, demo.ABOUT),
            (Disclaimer.Kind.SAFE_HARBOR, demo.SAFE_HARBOR),
        ]:
            disclaimer = Disclaimer.objects.filter(kind=kind, name=standard["name"]).first()
            disclaimer = disclaimer or Disclaimer(kind=kind, name=standard["name"], is_default=True)
            versions.append(
                standard_texts.save_standard_text(
                    disclaimer, standard["heading"], standard["text"], actor
                )
            )
        categories = {}
        for name, slug in demo.CATEGORIES:
            if (category := Category.objects.filter(slug=slug).first()) is None:
                category = Category(name=name, slug=slug)
                actions.save_category(category, actor)
            categories[slug] = category
        if users:
            self.ensure_users()
        # Other apps' demo content, by their commands' names: releases imports none of them.
        if apps.is_installed("filings"):
            call_command("load_filings_demo", stdout=self.stdout)
        if apps.is_installed("reports"):
            call_command("load_reports_demo", stdout=self.stdout)

        spec = demo.RELEASE
        if Release.objects.filter(slug=spec["slug"]).exists():
            self.stdout.write("Demo release already loaded.")
        else:
            self.load_release(spec, contacts, versions, categories)
        # Results kits link the demo release, so they come after it.
        if apps.is_installed("results"):
            call_command("load_results_demo", stdout=self.stdout)

    def load_release(self, spec, contacts, versions, categories) -> None:
        release = Release(
            **{k: v for k, v in spec.items() if k not in {"categories", "published_at"}},
            published_at=timezone.make_aware(datetime.fromisoformat(spec["published_at"])),
        )

        def write_related() -> None:
            for position, contact in enumerate(contacts):
                release.releasecontact_set.create(contact=contact, position=position)
            for position, version in enumerate(versions):
                release.releasedisclaimer_set.create(version=version, position=position)
            release.categories.set([categories[s] for s in spec["categories"]])

        # The seed is history: it goes through the same actions, attributed to this command.
        actor = actions.SystemActor("load_demo")
        actions.save_release(release, actor, write_related=write_related, note="demo content")
        actions.record_past_publication(release, actor, "demo content (Form 8-K, Exhibit 99.1)")
        self.stdout.write(self.style.SUCCESS(f"Loaded demo release: {release.headline}"))

    def ensure_users(self):
        User = get_user_model()
        admin_name = os.environ.get("ADMIN_USERNAME", "admin")
        admin_password = os.environ.get("ADMIN_PASSWORD", "admin")
        demo_password = os.environ.get("DEMO_PASSWORD", "irsite-demo")
        admin, created = User.objects.get_or_create(
            username=admin_name, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(admin_password)
            admin.save()
        for username, group in [("editor", "Editors"), ("approver", "Approvers")]:
            user, made = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            if made:
                user.set_password(demo_password)
                user.save()
            user.groups.add(Group.objects.get(name=group))
        self.stdout.write(
            f"Admin user: {admin_name} / {admin_password if created else '(unchanged)'}\n"
            f"Demo users: editor and approver / {demo_password} (Editors and Approvers groups)"
        )
