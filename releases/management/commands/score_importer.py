from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from releases.management import importer_score


class Command(BaseCommand):
    help = (
        "Score the exhibit importer field by field, as parsed and as saved+published, on folders "
        "of exhibits with expectations (FOLDER/expected.json, else bench/importer/<FOLDER "
        "name>.json). Each case is imported in a transaction that is rolled back: run it on an "
        "empty database so that every case starts from a fresh site."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folders", nargs="+", type=Path)
        parser.add_argument("--output", type=Path, help="Also write the Markdown tables here.")

    def handle(self, *args, folders: list[Path], output: Path | None, **options) -> None:
        tables = []
        for folder in folders:
            expected = folder / "expected.json"
            if not expected.exists():
                expected = Path(settings.BASE_DIR) / "bench" / "importer" / f"{folder.name}.json"
            if not expected.exists():
                raise CommandError(f"{folder}: no expected.json there nor {expected}")
            rows = importer_score.score(folder, expected)
            tables.append(importer_score.markdown(str(folder), rows))
        text = "\n\n".join(tables)
        self.stdout.write(text)
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text + "\n", encoding="utf-8")
