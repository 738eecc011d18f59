import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from releases import actions, edgar
from releases.exhibits import ExhibitError

SUFFIXES = {".txt", ".htm", ".html"}


class Command(BaseCommand):
    help = (
        "Import press releases from SEC 8-K Exhibit 99 files (.txt, .htm, .html, or whole EDGAR "
        "submissions), each file in its own transaction. Re-importing a file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders of exhibits.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and print; write nothing."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Record the releases as published at their original date (they are public "
            "already); default: drafts.",
        )
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            help="YYYY-MM-DD for datelines without a date or a year.",
        )
        parser.add_argument(
            "--headline",
            default="",
            help="The headline for an exhibit that prints none (a wire continuation); without "
            "it such an exhibit is imported as a draft with an empty headline and a warning.",
        )
        parser.add_argument(
            "--company-profile",
            action="store_true",
            help="Confirm that the exhibit's company name, address and listing become the "
            "company profile (the letterhead and site name); default: the profile is left alone "
            "and a difference is reported.",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, paths: list[Path], dry_run: bool, publish: bool, **options) -> None:
        files = self.collect(paths)
        actor = actions.SystemActor("import_exhibit")
        counts = {"imported": 0, "unchanged": 0, "failed": 0}
        parsed = []
        # A bar for people at a terminal; logs and pipes get the result lines only.
        show_progress = len(files) > 1 and self.stderr.isatty()
        for n, path in enumerate(files, 1):
            if show_progress:
                self.progress(n, len(files), path)
            try:
                data = path.read_bytes()
                if dry_run:
                    for source, _raw, doc in edgar.parse_file(
                        data, str(path), options["date"], options["headline"]
                    ):
                        # JSON carries them in each document's "warnings".
                        for warning in doc.warnings if options["format"] == "text" else ():
                            self.stdout.write(f"warning: {source}: {warning}")
                        parsed.append({"source": source, **doc.to_dict()})
                    continue
                results = edgar.import_file(
                    data,
                    str(path),
                    actor=actor,
                    publish=publish,
                    default_date=options["date"],
                    default_headline=options["headline"],
                    company_profile=options["company_profile"],
                )
            except (ExhibitError, OSError, DatabaseError) as error:
                # Each file is its own transaction: a failed one leaves nothing behind, and the
                # next file is imported all the same.
                counts["failed"] += 1
                self.stderr.write(f"{chr(10) if show_progress else ''}{path}: {_one_line(error)}")
                continue
            for result in results:
                counts[result.status] += 1
                for warning in result.warnings:
                    self.stdout.write(f"warning: {path}: {warning}")
                if options["format"] == "text":
                    self.stdout.write(
                        f"{result.status}: {result.source} -> "
                        f"{result.release.headline or '(no headline)'} "
                        f"({result.release.state}, {result.release.get_absolute_url()})"
                    )
        if show_progress:
            self.stderr.write("")
        if dry_run:
            self.print_parsed(parsed, options["format"])
        else:
            self.stdout.write(
                f"{counts['imported']} imported, {counts['unchanged']} unchanged, "
                f"{counts['failed']} failed"
            )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} of {len(files)} files failed")

    def collect(self, paths: list[Path]) -> list[Path]:
        files = []
        for path in paths:
            if path.is_dir():
                files += sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                )
            elif path.exists():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder")
        if not files:
            raise CommandError("no .txt, .htm or .html files in the given paths")
        return files

    def progress(self, n: int, total: int, path: Path) -> None:
        width = 30
        done = width * n // total
        self.stderr.write(
            f"\r[{'#' * done}{'.' * (width - done)}] {n}/{total} {path.name[:40]:<40}", ending=""
        )
        self.stderr.flush()

    def print_parsed(self, parsed: list[dict], fmt: str) -> None:
        if fmt == "json":
            self.stdout.write(json.dumps(parsed, indent=2, ensure_ascii=False))
            return
        for doc in parsed:
            self.stdout.write(f"{doc['source']}:")
            for key in ["headline", "dateline_city", "date", "exchange", "ticker"]:
                self.stdout.write(f"  {key}: {doc[key]}")
            self.stdout.write(f"  contacts: {', '.join(c['name'] for c in doc['contacts'])}")
            self.stdout.write(f"  abouts: {', '.join(a['heading'] for a in doc['abouts'])}")
            self.stdout.write(f"  safe harbor: {'yes' if doc['safe_harbor'] else 'no'}")


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
