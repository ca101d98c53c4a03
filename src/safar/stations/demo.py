"""Demo stations for `make run`: one scanner station per border centre, so that the stations
dashboard has rows. No token is printed: `safar station token DU-1` issues one when wanted."""

from safar.core.demo import register_loader
from safar.core.models import Office

from .models import Station

DEMO_STATIONS = (("DU-1", "ICC-DU"), ("SU-1", "ICC-SU"), ("KT-1", "ICC-KT"), ("GB-1", "ICC-GB"))


def load_demo_stations(stdout) -> None:
    created = 0
    for name, centre in DEMO_STATIONS:
        _station, new = Station.objects.get_or_create(
            name=name, defaults={"centre": Office.objects.get(code=centre)}
        )
        created += new
    if created:
        stdout.write(f"Demo stations: {created} registered (tokens: safar station token NAME).")


register_loader(load_demo_stations, order=20)
