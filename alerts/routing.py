"""Who receives a finding: the officers covering its province or owner office, else the designated monitor.

Officers come from ``[[alerts.recipients]]``. Each names post-2025 provinces (names or codes; pre-2025 names are
mapped to the province that absorbed them), optionally owner offices (substring of the folded owner name) and
detectors (empty = all). An officer with neither provinces nor owner offices covers the whole country, within
the detector filter. A finding's province is ``findings.province`` when set, else parsed from its owner name.
Findings no officer covers go to the monitor; with ``copy_monitor`` the monitor is copied (Cc) on officers' mail.
"""

from __future__ import annotations

from dataclasses import dataclass

from alerts.settings import AlertSettings, Recipient
from storage.models import Finding
from vntext.fold import fold_name
from vntext.names import parse_owner
from vntext.provinces import Province, find_province, normalize_province_name


class RoutingError(ValueError):
    """A recipient names a province that cannot be mapped to one of the 34 post-2025 provinces."""


@dataclass(frozen=True)
class Addressee:
    """One person who receives mail: display name, address and role label."""

    name: str
    email: str
    role: str

    @property
    def key(self) -> str:
        return self.email.lower()


@dataclass(frozen=True)
class Officer:
    """A recipient with its coverage resolved: province codes, folded owner substrings, detector names."""

    addressee: Addressee
    provinces: frozenset[str]
    owners: tuple[str, ...]
    detectors: frozenset[str]

    @property
    def nationwide(self) -> bool:
        return not self.provinces and not self.owners

    def covers(self, detector: str, province: Province | None, owner_forms: tuple[str, ...]) -> bool:
        if self.detectors and detector not in self.detectors:
            return False
        if self.nationwide:
            return True
        if province is not None and province.code in self.provinces:
            return True
        return any(o in form for o in self.owners for form in owner_forms)


@dataclass(frozen=True)
class Route:
    """Where one finding goes: ``to`` (officers, or the monitor alone when ``matched`` is False)."""

    to: tuple[Addressee, ...]
    province: Province | None
    matched: bool


def resolve_province(value: str) -> Province | None:
    """A province code, a new or old province name, or free text naming one."""
    value = (value or "").strip()[:200]
    if not value:
        return None
    return normalize_province_name(value) or find_province(value)


def _officer(recipient: Recipient) -> Officer:
    codes: set[str] = set()
    unknown: list[str] = []
    for name in recipient.provinces:
        province = resolve_province(name)
        if province is None:
            unknown.append(name)
        else:
            codes.add(province.code)
    if unknown:
        raise RoutingError(
            f"alerts.recipients ({recipient.email}): unknown province(s) {', '.join(map(repr, unknown))}; "
            "use one of the 34 post-2025 provinces (name or code) or a pre-2025 province name")
    owners = tuple(f for f in (fold_name(o) for o in recipient.owners) if f)
    return Officer(
        addressee=Addressee(recipient.name, recipient.email, recipient.role),
        provinces=frozenset(codes),
        owners=owners,
        detectors=frozenset(recipient.detectors),
    )


class Router:
    """Routes findings with the officers and monitor of one ``AlertSettings``."""

    def __init__(self, settings: AlertSettings) -> None:
        self.settings = settings
        self.monitor = Addressee(settings.monitor.name, settings.monitor.email, settings.monitor.role)
        self.officers = tuple(_officer(r) for r in settings.recipients)

    def finding_province(self, finding: Finding) -> Province | None:
        if finding.province:
            province = resolve_province(finding.province)
            if province is not None:
                return province
        if finding.owner_name:
            return parse_owner(finding.owner_name).province
        return None

    @staticmethod
    def _owner_forms(owner_name: str | None) -> tuple[str, ...]:
        if not owner_name:
            return ()
        identity = parse_owner(owner_name)
        return tuple(dict.fromkeys((fold_name(owner_name[:1000]), fold_name(identity.canonical_name))))

    def route(self, finding: Finding) -> Route:
        province = self.finding_province(finding)
        forms = self._owner_forms(finding.owner_name)
        seen: set[str] = set()
        to: list[Addressee] = []
        for officer in self.officers:
            if officer.addressee.key not in seen and officer.covers(finding.detector, province, forms):
                seen.add(officer.addressee.key)
                to.append(officer.addressee)
        if not to:
            return Route(to=(self.monitor,), province=province, matched=False)
        return Route(to=tuple(to), province=province, matched=True)

    def cc_for(self, to: tuple[Addressee, ...] | list[Addressee]) -> tuple[str, ...]:
        """The monitor's address when officers' mail is copied to it and the monitor is not already a recipient."""
        if not self.settings.copy_monitor or any(a.key == self.monitor.key for a in to):
            return ()
        return (self.monitor.email,)
