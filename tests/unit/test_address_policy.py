"""AddressPolicy: which addresses a fetch by URL may reach, judged without any socket."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from askdocs.adapters.fetching.address_policy import AddressPolicy, IPAddress, is_forbidden
from askdocs.application.errors import ForbiddenDestination, InvalidInput

FORBIDDEN = [
    "127.0.0.1",  # loopback
    "127.255.0.9",
    "0.0.0.0",  # unspecified; Linux connects it to the local host
    "10.0.0.1",  # private
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "169.254.169.254",  # link-local: AWS, GCP and Azure metadata
    "100.100.100.200",  # Alibaba Cloud metadata
    "168.63.129.16",  # Azure WireServer, a public address
    "192.0.0.192",  # Oracle Cloud metadata
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",  # broadcast
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",  # link-local
    "fc00::1",  # unique-local
    "fd00:ec2::254",  # AWS metadata over IPv6
    "ff02::1",  # multicast
    "2001:db8::1",  # documentation
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible (deprecated) loopback
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
]
PUBLIC = ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


class FakeResolver:
    """Answers from a table; a name not in it does not resolve."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str) -> list[IPAddress]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"{host}: name or service not known")
        return [ipaddress.ip_address(a) for a in self.table[host]]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_internal_and_special_addresses_are_forbidden(address: str) -> None:
    assert is_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_not_forbidden(address: str) -> None:
    assert not is_forbidden(ipaddress.ip_address(address))


@given(st.ip_addresses(v=4))
def test_an_ipv4_mapped_address_is_judged_as_the_ipv4_it_reaches(
    address: ipaddress.IPv4Address,
) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")

    assert is_forbidden(mapped) == is_forbidden(address)


@given(st.ip_addresses(network="10.0.0.0/8") | st.ip_addresses(network="fc00::/7"))
def test_every_address_of_a_private_range_is_forbidden(address: IPAddress) -> None:
    assert is_forbidden(address)


def test_an_allowed_network_permits_its_addresses_and_no_others() -> None:
    policy = AddressPolicy.from_allowlist(["127.0.0.1/32", "10.1.0.0/16"])

    assert policy.permits("127.0.0.1", ipaddress.ip_address("127.0.0.1"))
    assert policy.permits("127.0.0.1", ipaddress.ip_address("::ffff:127.0.0.1"))
    assert policy.permits("db.internal", ipaddress.ip_address("10.1.200.3"))
    assert not policy.permits("127.0.0.2", ipaddress.ip_address("127.0.0.2"))
    assert not policy.permits("db.internal", ipaddress.ip_address("10.2.0.1"))
    assert not policy.permits("metadata", ipaddress.ip_address("169.254.169.254"))


def test_an_allowed_host_name_permits_whatever_it_resolves_to_in_any_case() -> None:
    policy = AddressPolicy.from_allowlist(["Wiki.Corp.Example"])

    assert policy.permits("wiki.corp.example.", ipaddress.ip_address("10.9.8.7"))
    assert not policy.permits("other.corp.example", ipaddress.ip_address("10.9.8.7"))


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "300.1.2.3/8", "fe80::/200", "a/b", ""])
def test_an_allowlist_entry_that_is_no_network_or_name_is_rejected(entry: str) -> None:
    with pytest.raises(ValueError, match="not a CIDR"):
        AddressPolicy.from_allowlist([entry])


async def test_a_name_is_refused_when_any_of_its_addresses_is_forbidden() -> None:
    resolve = FakeResolver({"rebind.example": ["93.184.216.34", "127.0.0.1"]})

    with pytest.raises(ForbiddenDestination) as refused:
        await AddressPolicy().checked_addresses("rebind.example", resolve)

    assert "127.0.0.1" not in refused.value.detail  # internal DNS is not revealed


async def test_a_name_gives_all_its_permitted_addresses_in_resolver_order() -> None:
    resolve = FakeResolver({"docs.example": ["2606:4700:4700::1111", "93.184.216.34"]})

    addresses = await AddressPolicy().checked_addresses("docs.example", resolve)

    assert [str(a) for a in addresses] == ["2606:4700:4700::1111", "93.184.216.34"]


async def test_an_ip_literal_is_judged_without_asking_the_resolver() -> None:
    resolve = FakeResolver({})

    with pytest.raises(ForbiddenDestination):
        await AddressPolicy().checked_addresses("169.254.169.254", resolve)
    addresses = await AddressPolicy().checked_addresses("8.8.8.8", resolve)

    assert addresses == (ipaddress.ip_address("8.8.8.8"),)
    assert resolve.asked == []


async def test_a_name_that_does_not_resolve_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="could not be resolved") as failed:
        await AddressPolicy().checked_addresses("nowhere.example", FakeResolver({}))

    assert not isinstance(failed.value, ForbiddenDestination)


async def test_a_name_with_no_address_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="no address"):
        await AddressPolicy().checked_addresses(
            "empty.example", FakeResolver({"empty.example": []})
        )
