"""Which network addresses a fetch by URL may reach: the SSRF rules, and their allowlist.

A URL comes from a caller, so its host may name askdocs' own network: a database on 10.x, the
cloud's metadata service, a port on loopback. Such addresses are refused unless an operator
allows them. Judging happens on addresses, after DNS resolution, because a name proves nothing
about where it points.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence

from askdocs.application.errors import ForbiddenDestination, InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

Resolver = Callable[[str], Awaitable[Sequence[IPAddress]]]
"""Resolves a host name to its addresses; raises OSError (socket.gaierror) when it cannot."""

# Most of these fall in ranges the ipaddress properties already refuse; they are listed so the
# rule survives a change in those properties, and because two of them are public addresses.
METADATA_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "169.254.169.254/32",  # AWS, GCP, Azure, OpenStack instance metadata
        "169.254.170.2/32",  # AWS ECS task metadata
        "fd00:ec2::254/128",  # AWS instance metadata over IPv6
        "100.100.100.200/32",  # Alibaba Cloud metadata
        "168.63.129.16/32",  # Azure WireServer: a public address
        "192.0.0.0/24",  # IETF protocol assignments; 192.0.0.192 is Oracle Cloud metadata
    )
)

# The well-known NAT64 prefix: a gateway forwards 64:ff9b::a.b.c.d to the IPv4 a.b.c.d.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


async def resolve_with_getaddrinfo(host: str) -> list[IPAddress]:
    """The addresses `host` resolves to, in the system resolver's preferred order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


def destination(address: IPAddress) -> IPAddress:
    """The address a packet really goes to: IPv4-mapped and NAT64 forms as their IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_forbidden(address: IPAddress) -> bool:
    """Whether `address` is internal, special-purpose or a metadata service."""
    address = destination(address)
    if _is_special(address) or any(address in net for net in METADATA_NETWORKS):
        return True
    # 6to4 and Teredo addresses tunnel to an IPv4 address that is judged as well.
    if isinstance(address, ipaddress.IPv6Address):
        tunnelled = [address.sixtofour, *(address.teredo or ())]
        return any(v4 is not None and is_forbidden(v4) for v4 in tunnelled)
    return False


def _is_special(address: IPAddress) -> bool:
    # is_global alone is not enough: Python counts multicast as global.
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    )


@dataclasses.dataclass(frozen=True, slots=True)
class AddressPolicy:
    """The SSRF rule plus the operator's exceptions to it.

    Attributes:
        allowed_networks: addresses reachable even though forbidden, e.g. an intranet's range.
        allowed_hosts: host names (lower case, ASCII/IDNA form) whose addresses, whatever
            they are, are reachable.
    """

    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_allowlist(cls, entries: Iterable[str]) -> AddressPolicy:
        """A policy from settings: each entry a CIDR ("10.0.0.0/8", "::1/128"), a bare address,
        or an exact host name.

        Raises:
            ValueError: an entry that looks like an address or network but is not a valid one.
        """
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for entry in (e.strip() for e in entries):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if not entry or "/" in entry or ":" in entry:
                    raise ValueError(f"not a CIDR, address or host name: {entry!r}") from None
                hosts.add(_normalized(entry))
        return cls(tuple(networks), frozenset(hosts))

    def permits(self, host: str, address: IPAddress) -> bool:
        """Whether a connection to `address`, reached through `host`, may be made."""
        if _normalized(host) in self.allowed_hosts:
            return True
        if any(a in net for a in {address, destination(address)} for net in self.allowed_networks):
            return True
        return not is_forbidden(address)

    async def checked_addresses(self, host: str, resolve: Resolver) -> tuple[IPAddress, ...]:
        """The addresses to connect to for `host`: itself when it is an IP literal, else what it
        resolves to, all of them permitted.

        Refusing the host when any one address is forbidden, rather than skipping that one,
        leaves a rebinding server no mixed answer to exploit.

        Raises:
            ForbiddenDestination: an address is not permitted.
            InvalidInput: the name does not resolve.
        """
        try:
            addresses: Sequence[IPAddress] = (ipaddress.ip_address(host),)
        except ValueError:
            try:
                addresses = await resolve(host)
            except (OSError, UnicodeError) as exc:  # UnicodeError: a name IDNA cannot encode
                raise InvalidInput(f"the host {host} could not be resolved") from exc
        if not addresses:
            raise InvalidInput(f"the host {host} has no address")
        if not all(self.permits(host, a) for a in addresses):
            # The address stays out of the message: it would map internal DNS for the caller.
            raise ForbiddenDestination(
                f"the host {host} is a private, loopback, link-local or metadata address, "
                "which askdocs does not fetch from"
            )
        return tuple(addresses)


def _normalized(host: str) -> str:
    return host.lower().rstrip(".")
