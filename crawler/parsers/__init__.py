"""Parsers for portal pages and Vietnamese text: THADS list/detail pages, notice classification, dates and amounts."""
