"""Crawler: Scrapy spiders for dgts and THADS, transport middlewares, the ingest pipeline, the portal simulator."""
