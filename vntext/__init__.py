"""Text understanding at the bottom of the stack: Vietnamese folding, numbers, amounts with their basis, dates,
working days and legal deadlines, land-parcel facts, asset identity and similarity, owner and organisation names,
provinces, scoring and selection-decision dates.

Every other layer (storage, crawler, detectors, alerts, service) may import this package; it imports none of them.
Each fact has one implementation here: one fold (``fold``), one number parser (``numbers``), one province list
(``provinces``), one working-day calendar (``workdays``), one reading of decision dates (``decisions``).
"""
