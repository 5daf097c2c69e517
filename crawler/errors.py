"""Crawl failures that stop a source instead of storing garbage."""


class PortalBlocked(Exception):
    """The portal answered with an anti-bot challenge (HTML where JSON was expected, FEC markers)."""


class SchemaDrift(Exception):
    """A payload no longer has the shape we know (renamed or missing fields): stop and tell the operator."""
