"""Text understanding at the bottom of the stack: Vietnamese folding, numbers, amounts with their basis, dates,
working days and legal deadlines, land-parcel facts.

Every other layer (storage, crawler, detectors, alerts, service) may import this package; it imports none of them.
Each fact has one implementation here: one fold, one number parser, one working-day calendar.
"""
