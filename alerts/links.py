"""Per-recipient signed, expiring links to a finding's page on the review site (itsdangerous, no home-made crypto).

An e-mail to ``recipient`` about finding ``id`` carries ``make_finding_link(...)``; the review site accepts the
token only with the same secret, within ``web.link_lifetime_days``, and only for that finding; the recipient's
address is the identity its verdicts are recorded under.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from alerts.settings import WebSettings
from storage.settings import ConfigError

log = logging.getLogger(__name__)

LINK_SALT = "auction-monitor.finding-link.v1"
LINK_PATH = "/l/"


@dataclass(frozen=True)
class LinkGrant:
    """What a valid link grants: one finding, to one recipient."""

    finding_id: int
    recipient: str


class LinkError(ValueError):
    """A link that is forged, altered, expired or malformed (the message is safe to log, never the token)."""


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=LINK_SALT)


def make_finding_token(secret: str, finding_id: int, recipient: str) -> str:
    recipient = (recipient or "").strip().lower()
    if "@" not in recipient or any(c in recipient for c in " \r\n<>"):
        raise ValueError(f"not a recipient e-mail address: {recipient!r}")
    return _serializer(secret).dumps({"f": int(finding_id), "r": recipient})


def make_finding_link(settings: WebSettings, finding_id: int, recipient: str, *, secret: str | None = None) -> str:
    """The URL an e-mail to ``recipient`` carries to open finding ``finding_id`` on the review site. The secret
    comes from the environment variable named by ``settings.secret_key_env`` unless given."""
    token = make_finding_token(secret or settings.secret_key(), finding_id, recipient)
    return f"{settings.public_base_url}{LINK_PATH}{token}"


def recipient_link(settings: WebSettings, finding_id: int, recipient: str) -> str:
    """The link an e-mail to ``recipient`` carries: ``make_finding_link`` for that recipient; while the site's
    secret key is not set, the finding's page behind the analysts' login (and the operator is warned in the log)."""
    try:
        return make_finding_link(settings, finding_id, recipient)
    except ConfigError:
        _warn_unsigned(settings.secret_key_env)
        return f"{settings.public_base_url}/findings/{int(finding_id)}"


@lru_cache(maxsize=4)
def _warn_unsigned(variable: str) -> None:
    log.warning("%s is not set: e-mails link to the findings' pages behind the analysts' login instead of carrying "
                "signed links", variable)


def read_finding_token(secret: str, token: str, max_age_s: int) -> LinkGrant:
    """The grant of a valid token; LinkError when it is forged, altered, expired or malformed."""
    if not token or len(token) > 1000:
        raise LinkError("malformed link")
    try:
        data = _serializer(secret).loads(token, max_age=max_age_s)
    except SignatureExpired:
        raise LinkError("expired link") from None
    except BadSignature:
        raise LinkError("invalid link") from None
    if not (isinstance(data, dict) and isinstance(data.get("f"), int) and isinstance(data.get("r"), str)):
        raise LinkError("malformed link")
    return LinkGrant(data["f"], data["r"])
