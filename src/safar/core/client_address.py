"""The address of the client behind the documented reverse proxy (nginx → gunicorn).

Behind nginx every request comes from 127.0.0.1; the client's address is in X-Forwarded-For,
which anyone can also send themselves. So the header is believed only when the direct peer is one
of SAFAR_TRUSTED_PROXIES, and only as far back as the first address that is not a trusted
proxy: each trusted proxy appends the address it saw, everything further left is the client's
own say.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str], setting: str = "SAFAR_TRUSTED_PROXIES") -> list[Network]:
    """Addresses and CIDR ranges ("127.0.0.1", "10.0.0.0/8", "::1"); a bad entry is named."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{setting}: {entry!r} is not an IP address or CIDR range"
            ) from None
    return networks


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(parse_networks(list(entries)))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    """Whether `address` is one of SAFAR_TRUSTED_PROXIES."""
    ip = _address(address)
    networks = _trusted_networks(tuple(getattr(settings, "SAFAR_TRUSTED_PROXIES", ())))
    return ip is not None and any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's IP address: the peer, or, from a trusted proxy, the right-most address in
    X-Forwarded-For that is not itself a trusted proxy.

    Used by the rate limits and by django-axes (AXES_CLIENT_IP_CALLABLE).
    """
    peer = request.META.get("REMOTE_ADDR", "") or ""
    if not is_trusted_proxy(peer):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if _address(hop) is None:
            # Not written by a trusted proxy (they write addresses): stop believing here.
            return peer
        if not is_trusted_proxy(hop):
            return str(_address(hop))
    # Only trusted proxies in the chain (or no header): the request started among them.
    return peer
