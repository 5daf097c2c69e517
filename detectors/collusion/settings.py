"""Settings of the collusion detector: one nested, strictly validated section per rule family.

The configuration reads ``[detectors.collusion.repeat_selection]``, ``[detectors.collusion.relist]`` and so on;
every section has ``enabled = true`` and its own thresholds, unknown keys are errors. Defaults come from the law
where a law sets one (the source is named in the description) and are otherwise starting points meant to be tuned
with ``auction-monitor review-report``.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from detectors.base import DetectorSettings


class RepeatSelectionSettings(DetectorSettings):
    """Market allocation: one organisation chosen again and again by the same owner."""

    enabled: bool = Field(True, description="Run the repeat_selection rule.")
    period_days: int = Field(365, ge=30, le=3650, description="Rolling period (days, ending at the latest data) over which an owner's selections are counted.")
    min_selections: int = Field(4, ge=2, le=1000, description="Owners with fewer selections in the period are not evaluated.")
    min_owners_for_fence: int = Field(8, ge=4, le=10_000, description="Owners of one kind needed to compute the fence Q3 + 1.5*IQR of the top share; fewer gives 'insufficient'.")
    threshold: float | None = Field(None, gt=0, le=1, description="Top-share threshold overriding the computed fence (unset = use the fence of the owner's kind).")
    use_auction_notices: bool = Field(True, description="Count auction notices (one per relisted asset) as selections when no selection result covers them.")
    result_match_days: int = Field(180, ge=1, le=730, description="An auction notice published this many days after a selection result of the same owner and organisation, for a similar asset, is the same selection.")


class RotationSettings(DetectorSettings):
    """Bid rotation: a small stable set of organisations taking turns for one owner."""

    enabled: bool = Field(True, description="Run the rotation rule.")
    period_days: int = Field(730, ge=30, le=3650, description="Period (days, ending at the latest data) whose selections form the sequence.")
    min_selections: int = Field(6, ge=4, le=1000, description="Minimum selections of the owner inside the rotating set.")
    min_set_size: int = Field(2, ge=2, le=10, description="Smallest rotating set of organisations.")
    max_set_size: int = Field(4, ge=2, le=10, description="Largest rotating set of organisations.")
    min_coverage: float = Field(0.9, gt=0, le=1, description="The set must win at least this share of the owner's selections.")
    min_wins_per_member: int = Field(2, ge=1, le=100, description="Each member of the set wins at least this many times.")
    min_alternation: float = Field(0.8, gt=0, le=1, description="Alternation score (winner changes / (selections - 1) inside the set) needed to flag.")
    max_p_value: float = Field(0.05, gt=0, le=1, description="Permutation p-value (same wins in random order alternating at least as much) needed to flag.")
    permutations: int = Field(4000, ge=100, le=100_000, description="Random orders drawn for the permutation p-value.")
    random_state: int = Field(20240601, ge=0, description="Seed of the permutation test (results are reproducible).")

    @model_validator(mode="after")
    def _sizes(self) -> RotationSettings:
        if self.min_set_size > self.max_set_size:
            raise ValueError("min_set_size must not exceed max_set_size")
        return self


class RelistSettings(DetectorSettings):
    """Relist chains: the same asset re-listed under new ids, linked, grouped and checked."""

    enabled: bool = Field(True, description="Run the relist_chain rule (and store relist pairs in record_links).")
    link_threshold: float = Field(85, ge=1, le=100, description="Pair score (0-100) at or above which two notices are the same asset (auto-linked into a chain).")
    review_threshold: float = Field(65, ge=0, le=100, description="Pairs scoring from here up to link_threshold go to the review queue (record_links status 'review').")
    min_failed_rounds: int = Field(2, ge=1, le=50, description="Failed rounds (rounds followed by a relist) a chain needs before its price cuts are judged.")
    max_cut_per_round: float = Field(0.10, gt=0, lt=1, description="Largest legal price cut per failed round for THADS-owned / type-178 assets (Luật THADS 2008 Điều 104 k5: 10%).")
    cut_tolerance: float = Field(0.001, ge=0, le=0.05, description="Rounding slack added to max_cut_per_round before a cut counts as excessive.")
    thads_property_type_ids: list[int] = Field([178], description="Property types treated as judgment-enforcement assets (dgts propertyTypeId).")
    min_round_days_real_estate: int = Field(25, ge=1, le=365, description="Shortest time between the publications of two consecutive rounds of a real-estate auction: the posting runs at least 15 days before the auction (Luật Đấu giá tài sản Điều 35 k1) and a price cut is decided no sooner than 10 days after the failure (Luật THADS 2008 Điều 104 k1). A longer gap may hide a round missing from our data.")
    min_round_days_other: int = Field(17, ge=1, le=365, description="The same for other assets: posting at least 7 working days before the auction, then 10 days to decide the cut.")
    same_round_days: int = Field(10, ge=0, le=90, description="Notices of a chain at the same start price published within this many days of each other are one round (double postings).")
    max_block_size: int = Field(200, ge=10, le=100_000, description="Candidate blocks larger than this are compared by sorted neighbourhood instead of all pairs.")
    window: int = Field(20, ge=2, le=1000, description="Sorted-neighbourhood window inside an oversized block.")
    name_prefix_tokens: int = Field(6, ge=2, le=30, description="Leading words of the folded asset name used as a blocking key (within one owner or organisation).")
    incremental_horizon_days: int = Field(365, ge=30, le=3650, description="A run with 'since' compares new notices only with notices published up to this many days before it; older rounds stay chained through the stored links.")
    flag_org_restart: bool = Field(True, description="Flag a chain whose later round moved to another auction organisation.")

    @model_validator(mode="after")
    def _bands(self) -> RelistSettings:
        if self.review_threshold > self.link_threshold:
            raise ValueError("review_threshold must not exceed link_threshold")
        return self


class ExclusionaryTermsSettings(DetectorSettings):
    """Terms that keep bidders out: deposit, dossier fee, registration window, auction date."""

    enabled: bool = Field(True, description="Run the exclusionary_terms rule.")
    deposit_min_pct: float = Field(5, ge=0, le=100, description="Lowest legal deposit, % of the start price (Luật Đấu giá tài sản 2016 Điều 39 k1).")
    deposit_max_pct: float = Field(20, ge=0, le=100, description="Highest legal deposit, % of the start price (Luật Đấu giá tài sản 2016 Điều 39 k1).")
    rounding_tolerance: float = Field(0.005, ge=0, le=0.1, description="Relative slack on every legal bound of a ratio (deposit %, fee cap): amounts rounded to the nearest thousand make 20% read as 20.0000036%.")
    plausible_deposit_pct: list[float] = Field([0.5, 100.0], description="[low, high] deposit % of the start price outside which the two numbers cannot be on one basis or one of them is mistyped: the deposit check is then insufficient (and a data-quality finding is raised), never a violation.")
    deposit_exempt_property_types: list[int] = Field(default_factory=list, description="Property types whose deposit follows another law; not checked.")
    fee_exempt_property_types: list[int] = Field([326], description="Property types whose dossier fee is not capped: the caps of Thông tư 48/2017/TT-BTC apply to the assets of Luật Đấu giá tài sản Điều 4 k1, not to voluntary sales of private assets (326).")
    fee_cap_bounds_vnd: list[float] = Field([20_000_000, 50_000_000, 100_000_000, 500_000_000], description="Start-price band upper bounds (VND, inclusive) of the general dossier-fee cap table (Thông tư 48/2017/TT-BTC Điều 3 k1).")
    fee_caps_vnd: list[float] = Field([50_000, 100_000, 150_000, 200_000, 500_000], description="General dossier-fee cap per band, one more than the bounds (TT 48/2017/TT-BTC Điều 3 k1).")
    land_fee_cap_bounds_vnd: list[float] = Field([200_000_000, 500_000_000], description="Start-price band upper bounds (VND) of the cap table for State land allocated or leased to households and individuals (TT 48/2017/TT-BTC Điều 3 k2a).")
    land_fee_caps_vnd: list[float] = Field([100_000, 200_000, 500_000], description="Caps of that table, one more than its bounds.")
    other_land_fee_area_bounds_m2: list[float] = Field([5_000, 20_000, 50_000], description="Area band upper bounds (m²) of the cap table for other State land (TT 48/2017/TT-BTC Điều 3 k2b).")
    other_land_fee_caps_vnd: list[float] = Field([1_000_000, 3_000_000, 4_000_000, 5_000_000], description="Caps of that table, one more than its bounds.")
    min_reg_window_days_real_estate: int = Field(13, ge=0, le=120, description="Shortest registration window (calendar days) for real estate: posting >= 15 days before the auction (Điều 35 k1) and registration until 2 days before it (Điều 38 k1).")
    min_reg_window_days_other: int = Field(5, ge=0, le=120, description="Shortest registration window (calendar days) for other assets and debts (posting >= 7 working days before the auction, Điều 35 k1).")
    roll_deadline_to_working_day: bool = Field(True, description="A registration deadline on a weekend or public holiday ends at the end of the next working day (Bộ luật Dân sự 2015 Điều 148 k5) when the window is measured.")
    min_days_reg_to_auction: int = Field(2, ge=0, le=60, description="Registration must close at least this many days before the auction day (Điều 38 k1: 'trước ngày mở cuộc đấu giá 02 ngày').")

    @model_validator(mode="after")
    def _table(self) -> ExclusionaryTermsSettings:
        for bounds, caps, name in ((self.fee_cap_bounds_vnd, self.fee_caps_vnd, "fee_caps_vnd"),
                                   (self.land_fee_cap_bounds_vnd, self.land_fee_caps_vnd, "land_fee_caps_vnd"),
                                   (self.other_land_fee_area_bounds_m2, self.other_land_fee_caps_vnd,
                                    "other_land_fee_caps_vnd")):
            if len(caps) != len(bounds) + 1:
                raise ValueError(f"{name} needs exactly one more entry than its bounds")
            if list(bounds) != sorted(bounds):
                raise ValueError(f"the bounds of {name} must be increasing")
        if self.deposit_min_pct > self.deposit_max_pct:
            raise ValueError("deposit_min_pct must not exceed deposit_max_pct")
        low, high = (self.plausible_deposit_pct + [0, 0])[:2]
        if len(self.plausible_deposit_pct) != 2 or not 0 <= low < self.deposit_min_pct <= self.deposit_max_pct < high:
            raise ValueError("plausible_deposit_pct must be [low, high] around the legal range")
        return self


class OutcomeSignalsSettings(DetectorSettings):
    """Signals read from auction outcomes (result notices, minutes, THADS attachments)."""

    enabled: bool = Field(True, description="Run the outcome_signals rule.")
    max_premium_steps: int = Field(1, ge=0, le=10, description="A winning price at most this many bid steps above the start price is 'at the start price'.")
    max_premium_pct: float = Field(1.0, ge=0, le=100, description="Used when the bid step is unknown: a winning price at most this % above the start price is 'at the start price'.")
    min_registered: int = Field(2, ge=2, le=100, description="Registered bidders from which a single active bidder is a cover-bidding signal.")
    min_recurring: int = Field(3, ge=2, le=100, description="Auctions in which the same loser lost to the same winner before it counts as recurring.")
    max_text_chars: int = Field(200_000, ge=1000, le=2_000_000, description="Characters of each outcome text that are read.")


class AnomalyRankSettings(DetectorSettings):
    """IsolationForest ranking of unusual notices over explainable features (ranks, never decides)."""

    enabled: bool = Field(True, description="Run the anomaly_rank rule.")
    top_n: int = Field(20, ge=1, le=10_000, description="Flag (severity low) the top N most unusual notices of the window.")
    top_percentile: float | None = Field(None, gt=0, le=50, description="Flag the top P % instead of top_n (unset = use top_n).")
    window_days: int = Field(90, ge=1, le=3650, description="Only notices published this many days before the latest data are ranked; the model sees all.")
    min_samples: int = Field(50, ge=10, le=1_000_000, description="Fewer notices than this: the ranking is skipped (recorded as insufficient in the run statistics).")
    min_feature_z: float = Field(3.0, ge=0, le=100, description="A notice is reported only when one of its own values lies at least this many robust deviations (1.4826 x MAD) to the suspicious side of the population median.")
    min_posting_days_real_estate: int = Field(15, ge=0, le=120, description="Publication to auction at or above this many days is lawful for real estate (Luật Đấu giá tài sản Điều 35 k1: posted at least 15 days before the auction) and never counts as short.")
    min_posting_days_other: int = Field(9, ge=0, le=120, description="The same for other assets: at least 7 working days, at least 9 calendar days with a weekend.")
    batch_days: int = Field(7, ge=0, le=365, description="Notices of one owner and organisation published within this many days of the previous one are one selection (a batch of lots), not several.")
    min_owner_notices: int = Field(5, ge=1, le=10_000, description="The share of an owner's notices going to one organisation counts only for owners with at least this many notices.")
    n_estimators: int = Field(200, ge=10, le=5000, description="Trees of the IsolationForest.")
    random_state: int = Field(20240601, ge=0, description="Seed of the IsolationForest; same seed and data give the same ranking.")


class CollusionSettings(DetectorSettings):
    """Bid-rigging and collusion patterns (D3): allocation, rotation, relist chains, exclusionary terms, outcomes, anomaly ranking."""

    repeat_selection: RepeatSelectionSettings = Field(default_factory=RepeatSelectionSettings, description="Market allocation (one organisation chosen again and again).")
    rotation: RotationSettings = Field(default_factory=RotationSettings, description="Organisations taking turns for one owner.")
    relist: RelistSettings = Field(default_factory=RelistSettings, description="Relist chains and their price cuts.")
    exclusionary_terms: ExclusionaryTermsSettings = Field(default_factory=ExclusionaryTermsSettings, description="Deposit, dossier fee and window terms.")
    outcome_signals: OutcomeSignalsSettings = Field(default_factory=OutcomeSignalsSettings, description="Cover bidding and suppression read from outcomes.")
    anomaly_rank: AnomalyRankSettings = Field(default_factory=AnomalyRankSettings, description="Unsupervised ranking of unusual notices.")
