"""Seed a tracker database with resident conversations for the workbench browser test.

Usage: python tests/workbench_browser/seed.py sqlite:///path/tracker.db
"""

from __future__ import annotations

import json
import sys
import time

import sqlalchemy as sa

from privacy.tracker_db import _metadata, events


def main(url: str) -> None:
    """Write two misunderstood messages and one confident one."""
    engine = sa.create_engine(url, future=True)
    _metadata.create_all(engine)
    now = time.time() - 3600
    misunderstood = ("nlu_fallback", 0.22)
    rows = [
        ("r1", "bot", {"text": "Goedendag! Ik ben de digitale assistent van de gemeente Voorbeeldstad."}),
        ("r1", "user", {"text": "onze kliko staat al twee weken vol op straat", "intent": misunderstood}),
        ("r1", "action", {"name": "action_fallback"}),
        ("r1", "bot", {"text": "Dat begrijp ik niet goed. Kunt u het anders zeggen?"}),
        ("r2", "bot", {"text": "Goedendag! Ik ben de digitale assistent van de gemeente Voorbeeldstad."}),
        (
            "r2",
            "user",
            {"text": "wij willen volgend voorjaar trouwen, wat moeten we regelen", "intent": misunderstood},
        ),
        ("r2", "action", {"name": "action_fallback"}),
        ("r2", "bot", {"text": "Dat begrijp ik niet goed. Kunt u het anders zeggen?"}),
    ]
    with engine.begin() as connection:
        for n, (sender, kind, data) in enumerate(rows):
            event: dict = {"event": kind, "timestamp": now + n}
            if kind == "user":
                name, confidence = data["intent"]
                event.update(
                    text=data["text"],
                    input_channel="socketio",
                    parse_data={
                        "text": data["text"],
                        "intent": {"name": name, "confidence": confidence},
                        "entities": [],
                    },
                )
            else:
                event.update({k: v for k, v in data.items()})
            connection.execute(
                events.insert().values(
                    sender_id=sender,
                    type_name=kind,
                    timestamp=now + n,
                    intent_name=event.get("parse_data", {}).get("intent", {}).get("name"),
                    action_name=data.get("name"),
                    data=json.dumps(event),
                )
            )


if __name__ == "__main__":
    main(sys.argv[1])
