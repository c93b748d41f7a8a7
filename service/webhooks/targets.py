"""Which URLs webhooks may be sent to: no server-side request forgery.

A subscriber chooses the URL, so without a check the service could be made
to post to itself, to the cloud's metadata address (169.254.169.254) or to
machines on its private network. A target is resolved, every address it
resolves to is checked, and the sender then connects to the checked address
itself (:mod:`.transport`), so a DNS answer that changes between check and
connection (DNS rebinding) gains nothing. ``WEBHOOK_ALLOW_PRIVATE_TARGETS``
lets a deployment (or a test) send to its own network.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

SCHEMES = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValueError):
    """The URL is not one webhooks may be sent to; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked target: where to connect, and what to call the host there."""

    scheme: str
    host: str  # as in the URL: the Host header and the TLS server name
    port: int
    path: str  # path and query
    address: str  # the checked IP address to connect to


@dataclass(frozen=True)
class ParsedURL:
    scheme: str
    host: str
    port: int
    path: str


def parse_url(url: str) -> ParsedURL:
    """Split a webhook URL, refusing what is not plain http(s) to a host.

    >>> parse_url("https://example.org/hooks?x=1")
    ParsedURL(scheme='https', host='example.org', port=443, path='/hooks?x=1')
    >>> parse_url("ftp://example.org/")
    Traceback (most recent call last):
    ...
    service.webhooks.targets.TargetRefused: The URL must start with http:// or https://.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"The URL is not valid: {error}.") from None
    if parts.scheme not in SCHEMES:
        raise TargetRefused("The URL must start with http:// or https://.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if parts.username or parts.password:
        raise TargetRefused("The URL must not carry a user name or password.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return ParsedURL(parts.scheme, parts.hostname, port or SCHEMES[parts.scheme], path)


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet (not private, loopback, link-local, ...).

    >>> is_public(ipaddress.ip_address("93.184.216.34")), is_public(ipaddress.ip_address("10.1.2.3"))
    (True, False)
    >>> is_public(ipaddress.ip_address("::ffff:127.0.0.1")), is_public(ipaddress.ip_address("169.254.169.254"))
    (False, False)
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(url: str, allow_private: bool = False) -> Target:
    """The URL checked and resolved to one address to connect to.

    Raises :class:`TargetRefused` when it does not resolve or when any
    address it resolves to is not public (unless ``allow_private``).
    """
    parsed = parse_url(url)
    try:
        infos = socket.getaddrinfo(parsed.host, parsed.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"The host {parsed.host!r} does not resolve ({error}).") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not allow_private:
        refused = [str(address) for address in addresses if not is_public(address)]
        if refused:
            raise TargetRefused(
                f"The host {parsed.host!r} resolves to {refused[0]}, a private, loopback or link-local "
                "address; webhooks are sent only to public addresses.")
    return Target(parsed.scheme, parsed.host, parsed.port, parsed.path, str(addresses[0]))


def check_literal(url: str, allow_private: bool = False) -> None:
    """Refuse a URL that is malformed or names a non-public IP address outright.

    For subscribing: host names are resolved again at every send, so a name
    that does not resolve yet is accepted here.

    >>> check_literal("http://127.0.0.1:8080/")
    Traceback (most recent call last):
    ...
    service.webhooks.targets.TargetRefused: 127.0.0.1 is a private, loopback or link-local address; webhooks are sent only to public addresses.
    """
    parsed = parse_url(url)
    try:
        address = ipaddress.ip_address(parsed.host)
    except ValueError:
        if parsed.host.lower() == "localhost" or parsed.host.lower().endswith(".localhost"):
            address = ipaddress.ip_address("127.0.0.1")
        else:
            return
    if not allow_private and not is_public(address):
        raise TargetRefused(f"{parsed.host} is a private, loopback or link-local address; "
                            "webhooks are sent only to public addresses.")
