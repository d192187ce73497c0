"""Benchmark: all figures of a year and the PDF, at 1x and 10x the 2023 volume.

Generates synthetic records inside a transaction that is rolled back at the end, so the
database is left as it was. Run it on PostgreSQL: DATABASE_URL=postgres://... make bench-report
"""

import datetime
import random
import time
import zoneinfo

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from contacts.models import Channel, Contact, ContactMaterial, Material, Person, Session
from entractes.models import User
from health.models import Consultation, ServiceLine
from minors.models import MinorFile
from reporting import document, figures

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
YEAR = 2023


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time all figures of a year and the PDF at 1x and 10x the 2023 volume (synthetic data, rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--scales", default="1,10")
        parser.add_argument("--no-pdf", action="store_true")

    def handle(self, *args, **options):
        lines = [f"database: {connection.vendor}"]
        for scale in [int(s) for s in options["scales"].split(",")]:
            try:
                with transaction.atomic():
                    counts = self.generate(scale)
                    if connection.vendor == "postgresql":
                        with connection.cursor() as cursor:  # as autovacuum would have done
                            cursor.execute("ANALYZE")
                    start = time.perf_counter()
                    with CaptureQueriesContext(connection) as queries:
                        values = figures.all_figures(YEAR)
                    elapsed = time.perf_counter() - start
                    line = (
                        f"{scale:>3}x: {counts} -> all figures in {elapsed:.3f} s, "
                        f"{len(queries.captured_queries)} queries"
                    )
                    if not options["no_pdf"]:
                        start = time.perf_counter()
                        pdf = document.render_pdf(YEAR, values, [])
                        line += (
                            f"; PDF {len(pdf) // 1024} KiB in {time.perf_counter() - start:.1f} s"
                        )
                    lines.append(line)
                    self.stdout.write(line)
                    raise Rollback
            except Rollback:
                pass
        with open("var/bench-report.txt", "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        self.stdout.write("written to var/bench-report.txt")

    def generate(self, scale: int) -> str:
        rng = random.Random(scale)
        author, _ = User.objects.get_or_create(username="bench-author")
        channels = list(Channel.objects.all())
        materials = list(Material.objects.all())
        nurse = ServiceLine.objects.get(slug="nurse")
        years = [rng.randint(1960, 2008) for _ in range(700 * scale)]
        persons = Person.objects.bulk_create(
            Person(
                code=f"B{scale}-{i:05d}",
                nickname=f"P{i}",
                nickname_key=f"p{i}",
                nickname_sound=f"p{i}",
                gender=rng.choice(["female", "female", "male", "trans_woman"]),
                birth_year=year,
                turns_18_on=datetime.date(year + 18, 1, 1),
                turns_21_on=datetime.date(year + 21, 1, 1),
                uses_drugs=rng.random() < 0.58,
                sex_work=True,
            )
            for i, year in enumerate(years)
        )
        sessions = Session.objects.bulk_create(
            Session(
                kind="night_round",
                date=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=d % 365),
                created_by=author,
            )
            for d in range(150 * scale)
        )
        contacts = []
        for i in range(8000 * scale):
            moment = datetime.datetime(YEAR, 1, 1, 15, tzinfo=PARIS) + datetime.timedelta(
                hours=rng.randint(0, 8700)
            )
            session = rng.choice(sessions) if i % 3 == 0 else None
            contacts.append(
                Contact(
                    occurred_at=moment,
                    day=session.date if session else moment.astimezone(PARIS).date(),
                    session=session,
                    channel=rng.choice(channels),
                    author=author,
                    caarud=rng.random() < 0.68,
                    person=rng.choice(persons) if rng.random() < 0.8 else None,
                )
            )
        contacts = Contact.objects.bulk_create(contacts, batch_size=5000)
        ContactMaterial.objects.bulk_create(
            (
                ContactMaterial(
                    contact=c, material=rng.choice(materials), quantity=rng.randint(1, 20)
                )
                for c in contacts
            ),
            batch_size=5000,
        )
        consultations = []
        for _ in range(2400 * scale):
            moment = datetime.datetime(YEAR, 1, 1, 10, tzinfo=PARIS) + datetime.timedelta(
                hours=rng.randint(0, 8700)
            )
            consultations.append(
                Consultation(
                    person=rng.choice(persons),
                    at=moment,
                    day=moment.astimezone(PARIS).date(),
                    line=nurse,
                    author=author,
                )
            )
        Consultation.objects.bulk_create(consultations, batch_size=5000)
        MinorFile.objects.bulk_create(
            MinorFile(
                person=p,
                opened_on=datetime.date(YEAR, 2, 1),
                worker=author,
                created_by=author,
                first_meeting_place="outreach",
            )
            for p in persons[: 110 * scale]
        )
        return (
            f"{len(persons)} persons, {len(contacts)} contacts, {len(consultations)} consultations"
        )
