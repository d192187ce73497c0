from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DEMO_ACCOUNTS
from demo.generator import generate


class Command(BaseCommand):
    help = "Create the demo accounts and demo records (development only, DEBUG on)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "La démo est refusée quand DEBUG est désactivé : elle crée des comptes "
                "au mot de passe connu."
            )
        generated = generate()
        users, created = generated.accounts, generated.persons
        if created:
            built = generated.years
            self.stdout.write(
                f"{len(users)} comptes de démonstration, {created} personnes et leur activité "
                f"{built[0]}-{built[-1]} (années construites : {', '.join(map(str, built))})."
            )
        else:
            self.stdout.write(
                f"{len(users)} comptes de démonstration ; des personnes existent déjà : rien d'autre créé."
            )
        self.stdout.write(f"Mot de passe commun : {settings.DEMO_PASSWORD}")
        for username, (_first, _last, roles) in DEMO_ACCOUNTS.items():
            self.stdout.write(f"  {username:20} {', '.join(roles)}")
