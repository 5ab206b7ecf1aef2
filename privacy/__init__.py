"""Privacy layer: detection and masking of personal data, masking tracker store, retention
purge, processing log and the "forget me" registry.

Import the submodules directly (``privacy.detect``, ``privacy.tracker_store``, ...); this package
does no work at import time.
"""

from privacy.detect import CATEGORIES, PLACEHOLDERS, SPECIAL_CATEGORIES, ScanResult, mask, scan

__all__ = ["CATEGORIES", "PLACEHOLDERS", "SPECIAL_CATEGORIES", "ScanResult", "mask", "scan"]
