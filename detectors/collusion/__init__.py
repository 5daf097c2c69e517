"""Detector D3: bid rigging and collusion patterns (market allocation, rotation, relist chains with price cuts,
exclusionary terms, outcome signals, anomaly ranking), one module per rule family."""

from detectors.collusion.detector import CollusionDetector

__all__ = ["CollusionDetector"]
