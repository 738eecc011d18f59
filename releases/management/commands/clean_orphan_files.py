from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from irsite.storedfiles import orphans


class Command(BaseCommand):
    help = (
        "Delete stored files (every folder an app declares: attachments, PDF renditions, logos, "
        "event documents) that nothing refers to (left "
        "by a process that died mid-save, or a logo no published letterhead keeps). Files "
        "younger than --older-than-hours are kept: they may belong to a save in progress."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true", help="List them; delete nothing.")

    def handle(self, *args, older_than_hours: float, dry_run: bool, **options) -> None:
        if older_than_hours < 0:
            raise CommandError(f"--older-than-hours {older_than_hours:g}: must be 0 or more")
        found = orphans(timedelta(hours=older_than_hours))
        for name in found:
            if not dry_run:
                default_storage.delete(name)
            self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {name}")
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{len(found)} orphaned file(s) {verb}.")
