from django.core.management.base import BaseCommand

from releases.actions import render_stale_records


class Command(BaseCommand):
    help = (
        "Store, now, the rendered record of every published release whose stored one is missing "
        "or was made by other templates (releases/record/rendering.py). The worker does the same "
        "in the background at its start; this is for a deployment without one."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=100, help="releases per transaction")

    def handle(self, *args, batch: int, **options) -> None:
        done = render_stale_records(batch=batch)
        self.stdout.write(f"rendered {done} release record(s)")
