"""`python manage.py api_token create --user EMAIL --name NAME [--scope read|write]
[--expires-in-days N]` prints the new token alone on stdout; `api_token revoke --user EMAIL
--name NAME` revokes it (docs/api.md#tokens). Bad options exit 2 with one line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api import services
from api.models import ApiToken, Scope
from users.models import User, canonical_email


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Create or revoke an API token of a user."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="print a new token")
        revoke = actions.add_parser("revoke", help="revoke a token by its name")
        for action in (create, revoke):
            action.add_argument("--user", required=True, help="the user's email")
            action.add_argument("--name", required=True, help="the token's name, e.g. laptop")
        create.add_argument("--scope", choices=Scope.values, default=Scope.WRITE)
        create.add_argument("--expires-in-days", type=int, dest="expires_in_days")

    def handle(self, *args, action, **options):
        email = canonical_email(options["user"])
        user = User.objects.filter(email=email).first()
        if user is None:
            raise _usage(f"no user with the email {email}")
        if action == "create":
            try:
                new = services.token_create(
                    by=None,
                    user=user,
                    name=options["name"],
                    scope=options["scope"],
                    expires_in_days=options["expires_in_days"],
                )
            except ValidationError as error:
                raise _usage("; ".join(error.messages)) from None
            self.stdout.write(new.raw)
            return
        token = ApiToken.objects.filter(
            user=user, name=options["name"].strip(), revoked_at__isnull=True
        ).first()
        if token is None:
            raise _usage(f"{email} has no live token named “{options['name']}”")
        services.token_revoke(by=None, token=token)
        self.stderr.write(f"Revoked {token}.")
