"""`safar station add|list|token|revoke|watch`: register border stations and run their agent."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safar.stations import agent
from safar.stations.models import Station
from safar.stations.services import issue_station_token, register_station, revoke_tokens


class Command(BaseCommand):
    help = (
        "Border stations: add NAME --centre CODE, list, token NAME, revoke NAME|PREFIX, watch DIR."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = commands.add_parser("add", help="register a station; its token is the last line")
        add.add_argument("name")
        add.add_argument("--centre", required=True, help="border centre code, e.g. ICC-DU")
        commands.add_parser("list", help="stations, their centres, tokens and last contact")
        token = commands.add_parser("token", help="issue another token for a station")
        token.add_argument("name")
        revoke = commands.add_parser("revoke", help="revoke a station's tokens, or one token")
        revoke.add_argument("key", metavar="NAME|TOKEN-PREFIX")
        commands.add_parser(
            "watch",
            parents=[agent.build_parser(add_help=False)],
            help="run the station agent on a scanner folder",
        )

    def handle(self, *args, action, **options):
        if action == "watch":
            # Usually reached through safar.cli, which runs the agent without Django at all.
            code = agent.run_agent(_agent_args(options))
            if code:
                raise SystemExit(code)
            return
        getattr(self, f"do_{action}")(**options)

    def do_add(self, *, name, centre, **_):
        try:
            station, raw = register_station(name=name.strip(), centre_code=centre)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Station {station.name} registered at {station.centre.code}.")
        self.stdout.write("Its token (shown once; give it to the station's agent):")
        self.stdout.write(raw)

    def do_token(self, *, name, **_):
        station = Station.objects.filter(name=name).first()
        if station is None:
            raise CommandError(f"no station named {name!r}")
        raw = issue_station_token(station=station)
        self.stdout.write(
            f"New token for {station.name} (earlier tokens stay valid until revoked):"
        )
        self.stdout.write(raw)

    def do_revoke(self, *, key, **_):
        try:
            prefixes = revoke_tokens(key=key)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not prefixes:
            raise CommandError(
                f"no active token of a station named {key!r} or starting with {key!r}"
            )
        self.stdout.write(
            f"Revoked {len(prefixes)} token(s): " + ", ".join(f"{p}…" for p in prefixes)
        )

    def do_list(self, **_):
        stations = Station.objects.select_related("centre").prefetch_related("tokens")
        self.stdout.write(f"{'STATION':<16} {'CENTRE':<8} {'LAST CONTACT':<17} TOKENS")
        for station in stations.order_by("centre__code", "name"):
            contact = (
                timezone.localtime(station.last_contact_at).strftime("%Y-%m-%d %H:%M")
                if station.last_contact_at
                else "never"
            )
            tokens = (
                ", ".join(
                    f"{t.prefix}…"
                    + (
                        ""
                        if t.is_active
                        else f" (revoked {timezone.localtime(t.revoked_at):%Y-%m-%d})"
                    )
                    for t in station.tokens.all()
                )
                or "none"
            )
            self.stdout.write(f"{station.name:<16} {station.centre.code:<8} {contact:<17} {tokens}")


def _agent_args(options: dict):
    from argparse import Namespace

    names = vars(agent.build_parser().parse_args(["x", "--server", "s", "--token", "t"]))
    return Namespace(**{key: options[key] for key in names})
