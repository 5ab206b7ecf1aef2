"""A scripted stand-in for the Rasa server, for browser tests without a trained model.

It mounts the real web chat channel (:class:`channels.socketio_input.RestrictedSocketIOInput`, i.e.
Rasa's socket.io channel with origin check) on a sanic app and answers with fixed messages,
sent through Rasa's own ``SocketIOOutput``. Run from the repository root::

    python tests/browser/fake_rasa.py --port 5005

Allowed origins come from ``WEBCHAT_ALLOWED_ORIGINS`` (see ``foundation/settings.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

INTRO = (
    "Goedendag! Ik ben de digitale assistent van de gemeente. Ik ben een computerprogramma, "
    "geen mens. Wilt u liever een medewerker spreken? Zeg dan 'medewerker'."
)
CAPABILITIES = (
    "Ik kan u helpen met:\n- paspoort en ID-kaart\n- verhuizen doorgeven\n"
    "Meer informatie: https://www.voorbeeldstad.example/loket. Test <img src=x onerror=alert(1)>"
)
CAPABILITY_BUTTONS = [
    {"title": "Paspoort of ID-kaart", "payload": "/passport_id_card"},
    {"title": "Medewerker spreken", "payload": "/request_human"},
]
PASSPORT = "Een paspoort vraagt u aan bij de balie. Maak eerst een afspraak."
HUMAN = "U kunt een medewerker spreken via telefoonnummer 14 0123."
FALLBACK = "Ik begrijp uw vraag niet helemaal. Wilt u het op een andere manier zeggen?"


async def answer(message: Any) -> None:
    """Answer one user message through its output channel, like Rasa would."""
    out = message.output_channel
    text = (message.text or "").strip().lower()
    recipient = message.sender_id
    if text == "/session_start":
        await out.send_text_message(recipient, INTRO)
    elif text == "/passport_id_card":
        await out.send_text_message(recipient, PASSPORT)
    elif text == "/request_human":
        await out.send_text_message(recipient, HUMAN)
    elif text == "stil":
        # a slow answer: the browser test checks the typing indicator meanwhile (returning without
        # an answer would make the channel send its apology, as for an action server that is down)
        await asyncio.sleep(120)
    elif text == "welke gemeente":
        # issue 18: what the widget sent as the conversation's municipality (data-municipality)
        sent = (message.metadata or {}).get("municipality", "-")
        await out.send_text_message(recipient, f"gemeente: {sent}")
    elif "hallo" in text or "wat kun" in text:
        await out.send_text_with_buttons(recipient, CAPABILITIES, CAPABILITY_BUTTONS)
    else:
        await out.send_text_message(recipient, FALLBACK)


def main() -> None:
    """Run the fake Rasa server."""
    root = Path(__file__).resolve().parents[2]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from sanic import Sanic, response

    from channels.socketio_input import RestrictedSocketIOInput

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5005)
    args = parser.parse_args()

    channel = RestrictedSocketIOInput.from_credentials(
        {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
         "session_persistence": True}
    )
    app = Sanic("fake_rasa")
    app.blueprint(channel.blueprint(answer))

    @app.get("/")
    async def health(_: Any) -> Any:
        return response.text("Hello from fake Rasa")

    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)


if __name__ == "__main__":
    main()
