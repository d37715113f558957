from django.core.management.base import BaseCommand, CommandError

from selfcare.usage.models import IngestionClient
from selfcare.usage.services import ingestion_client_create


class Command(BaseCommand):
    help = "Register a system that delivers usage records through the API, and print its token (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        if IngestionClient.objects.filter(name=name).exists():
            raise CommandError(f"An ingestion client named {name!r} exists already.")
        client, token = ingestion_client_create(name=name)
        self.stdout.write(f"Ingestion client {client.name} created. Its token, shown only now:\n{token}")
