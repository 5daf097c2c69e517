"""Settings of the premature-scoring detector (``[detectors.premature_scoring]``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from detectors.base import DetectorSettings


class Settings(DetectorSettings):
    """Settings of the premature-scoring detector (D1)."""

    window_end_inclusive: bool = Field(
        True, description="The application window includes its end day (it closes at 24:00 of receiveTimeEnd's day).")
    roll_deadline_to_working_day: bool = Field(
        True, description="A window ending on a weekend or public holiday ends at the end of the next working day "
                          "(Bộ luật Dân sự 2015 Điều 148 k5).")
    min_window_working_days: int = Field(
        3, ge=0, le=60, description="Legal minimum notice period before the selection decision (TT 02/2022 Điều 4 k2).")
    window_unit: Literal["working_days", "calendar_days"] = Field(
        "working_days", description="Unit of min_window_working_days: working_days (VN holidays) or calendar_days.")
    rushed_band_hours: list[float] = Field(
        default_factory=lambda: [0.0, 24.0],
        description="[from, to) hours after the window closed in which a published result counts as rushed.")
    notice_coverage_margin_days: int = Field(
        60, ge=0, le=3650,
        description="A result within this many days of the first notice we hold may have its notice before our data: "
                    "result_without_notice is then insufficient, not a flag.")
    decision_dates_from_attachments: bool = Field(
        True, description="Read scoring/selection dates from the extracted text of result attachments.")
    link_min_asset_similarity: float = Field(
        60.0, ge=0, le=100, description="Minimum rapidfuzz token_set_ratio of folded asset names to link a result.")
    link_min_owner_similarity: float = Field(
        88.0, ge=0, le=100, description="Minimum similarity of owner names when the owner ids differ.")
    link_min_confidence: float = Field(0.6, ge=0, le=1, description="Minimum link confidence (0–1).")
    link_ambiguity_margin: float = Field(
        0.05, ge=0, le=1, description="Two candidates closer than this in confidence make the link ambiguous.")
    link_max_gap_days: int = Field(
        365, ge=1, le=3650, description="A notice more than this many days before the result is not a candidate.")
    price_tolerance: float = Field(0.01, ge=0, le=1, description="Relative tolerance when comparing start prices.")
    auction_min_asset_similarity: float = Field(
        70.0, ge=0, le=100, description="Minimum asset similarity between a selection notice and an auction notice.")
    auction_min_owner_similarity: float = Field(
        88.0, ge=0, le=100, description="Minimum owner-name similarity between a selection and an auction notice.")

    @field_validator("rushed_band_hours")
    @classmethod
    def _band(cls, value: list[float]) -> list[float]:
        if len(value) != 2 or not 0 <= value[0] < value[1]:
            raise ValueError("must be [from, to] with 0 <= from < to")
        return value
