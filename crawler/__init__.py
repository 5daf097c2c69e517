"""Crawlers for the dgts and THADS portals: spiders, middlewares, pipelines, attachment handling and the portal simulator."""
