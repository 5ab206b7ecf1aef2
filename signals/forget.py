""" "Vergeet mij" for signals: importing this module registers the forget hook ``signal_consents``.

:func:`privacy.forget.forget` imports the modules in ``privacy.forget.FORGET_HOOK_MODULES`` (this
one is listed there) and runs the hook: it deletes the conversation's consents, and the resident's
consents and ledger rows when the BSN is known. Registering is a dictionary insert, nothing more.
"""

from __future__ import annotations

from privacy.forget import ForgetRequest, register_forget_hook
from signals.store import forget_consents

HOOK_NAME = "signal_consents"


@register_forget_hook(HOOK_NAME)
def forget_signal_data(request: ForgetRequest) -> int:
    """Delete the consents and ledger rows of the conversation (and of the resident, if known)."""
    return forget_consents(request.sender_id, request.resident_bsn)
