"""The Rasa server process: Rasa's own command line, with one per-message cost removed.

Run it exactly like the ``rasa`` command (``python -m app.rasa_server run --model ... --enable-api``);
``scripts/run.sh``, ``scripts/run-production.sh``, the test harnesses and ``make bench`` start the
server this way. Before Rasa's command line starts, :func:`install` changes one thing, measured
with py-spy on the running server under 20 concurrent conversations (issue 16):

- **Action server responses are validated with one compiled validator.** Rasa 3.6 checks every
  custom action's response with ``jsonschema.validate``, which first re-validates the (constant)
  response schema against the JSON Schema meta-schema at every call: 53% of the server's main
  thread went there. The response is still validated at every call; a response that fails goes on
  to Rasa's own validation, so the error raised and logged is Rasa's.
Nothing here changes what Rasa decides or stores.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import Any


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    """The validator of Rasa's action response schema, the schema checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def install() -> None:
    """Replace Rasa's per-call schema check by the compiled validator; idempotent."""
    from rasa.core.actions.action import RemoteAction

    rasa_validation = RemoteAction._validate_action_result
    if getattr(rasa_validation, "compiled", False):
        return

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if _response_validator().is_valid(result):
            return True
        return rasa_validation(self, result)  # raises Rasa's own ValidationError

    _validate_action_result.compiled = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def main(argv: Sequence[str] | None = None) -> None:
    """Install the changes above, then run Rasa's command line with ``argv``."""
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":  # pragma: no cover
    main()
