"""D1 premature scoring: the auction organisation was scored or chosen before the public selection notice ran out.

Rules (each its own result per subject):

* ``result_before_window_end`` (high): the result was published, or a scoring/selection date stated in its text or
  its attachments is, before the notice's application window closed.
* ``auction_notice_before_window_end`` (high): the organisation later announced as selected posted an auction
  notice for the same owner and asset before that window closed.
* ``short_window`` (medium): fewer than ``min_window_working_days`` between publication and the selection decision
  (TT 02/2022 Điều 4 k2). When no decision date is known, the window end is used instead (see ``SHORT_WINDOW_NOTE``).
* ``rushed_result`` (low): the result was published within ``rushed_band_hours`` after the window closed.
* ``result_without_notice`` (medium): no public selection notice matches the result.
* ``window_changed_after_publication`` (medium, high when the window was shortened): WINDOW_CHANGED events.

The same rules run on dgts records and on THADS notices (categories ``selection_auction_org`` and
``selection_result``). Results are linked to notices by ``detectors.linking``; the links are stored in
``record_links``. Dates are Vietnamese calendar days; working days follow ``vntext.workdays``.

Modules: ``settings``, ``legal`` (rule names, titles, legal bases), ``records`` (the views the rules read),
``result_links`` (result → notice), ``judging`` (window arithmetic, result builder, statistics), one module per rule,
``stats`` and the ``detector``.
"""

from detectors.premature_scoring.detector import PrematureScoringDetector

__all__ = ["PrematureScoringDetector"]
