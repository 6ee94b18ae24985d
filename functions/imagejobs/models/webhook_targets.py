"""Where a webhook may point: the rules checked at submit (the URL) and at send time (the
addresses its host resolves to), so that a webhook cannot reach inside the deployment's network.

Both use one rule for addresses: only globally reachable unicast addresses are allowed. That
refuses private (10/8, 172.16/12, 192.168/16, fc00::/7 with fd00::/8), loopback, link-local
(169.254/16 with the metadata service 169.254.169.254, fe80::/10), shared (100.64/10),
unspecified, reserved, documentation and multicast ranges, also when an IPv6 address carries an
IPv4 one (::ffff:10.0.0.1, 64:ff9b::a9fe:a9fe).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from imagejobs.exceptions import InvalidParameterError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# What inet_aton reads as an IPv4 address besides dotted quads: 2130706433, 0x7f.1, 0177.0.0.1.
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)
FIELD = "webhook"


def is_forbidden_address(address: Address) -> bool:
    """Whether a webhook must not be sent to this address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_forbidden_address(address.ipv4_mapped)
        if address in _NAT64:
            return is_forbidden_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return not address.is_global or address.is_multicast


def ip_literal(host: str) -> Address | None:
    """The address a URL's host names literally (in any form a resolver accepts), or None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def check_webhook_url(url: str, *, allow_private: bool) -> None:
    """Raises `InvalidParameterError` naming `webhook` for a URL no webhook may have.

    `allow_private` (the deployment's WebhookAllowPrivateTargets) admits plain http and
    private targets, for receivers on a developer's machine."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number in range
    except ValueError as error:
        raise InvalidParameterError(FIELD, "must be an absolute http(s) URL") from error
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in schemes:
        raise InvalidParameterError(
            FIELD, "must be an https URL" if not allow_private else "must be an http(s) URL"
        )
    if "@" in parts.netloc:
        raise InvalidParameterError(FIELD, "must not contain user info")
    host = parts.hostname
    if not host:
        raise InvalidParameterError(FIELD, "must name a host")
    if any(character.isspace() or ord(character) < 0x20 for character in url):
        raise InvalidParameterError(FIELD, "must not contain spaces or control characters")
    address = ip_literal(host)
    if address is not None and not allow_private and is_forbidden_address(address):
        raise InvalidParameterError(FIELD, "must not point to a private or reserved address")
