"""The portal identity token (it carries the BSN) is never written to the tracker store."""

from privacy.tracker_store import mask_event_dict


def test_auth_token_is_dropped_from_stored_metadata() -> None:
    event = {
        "event": "user",
        "text": "wat is de status van mijn zaak",
        "metadata": {"auth_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI5OTk5OTM2NTMifQ.sig", "channel": "web"},
    }
    stored = mask_event_dict(event)
    assert "auth_token" not in stored["metadata"]
    assert stored["metadata"]["channel"] == "web"
    assert "auth_token" in event["metadata"]  # the live event is not changed
