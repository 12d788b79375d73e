"""Request bodies for the end-to-end benchmark: vision-pipeline detections of about 310
bytes each, as plain JSON (what producers that do not speak CloudEvents send) and as the
same events in a CloudEvents batch."""

import json

EVENT_BYTES = 310


def plain_event(i: int) -> dict:
    event = {
        "ts": "2026-11-23T08:00:%02d.%03dZ" % (i % 60, i % 1000),
        "camera": "cam-%02d" % (i % 16),
        "pipeline": "people-counter",
        "label": "person",
        "score": 0.97,
        "box": [12, 40, 220, 380],
        "frame": 100000 + i,
        "track": 4711 + i % 97,
        "note": "",
    }
    # Pad to EVENT_BYTES so that every body has the same size whatever i is.
    pad = EVENT_BYTES - len(json.dumps(event, separators=(",", ":")))
    event["note"] = "x" * max(pad, 0)
    return event


def cloudevent(i: int) -> dict:
    return {
        "specversion": "1.0",
        "id": "evt-%08d" % i,
        "source": "/cams/%02d" % (i % 16),
        "type": "vision.detection",
        "time": "2026-11-23T08:00:00Z",
        "datacontenttype": "application/json",
        "data": plain_event(i),
    }


def body(kind: str, events: int) -> tuple[bytes, str]:
    """Returns (body, content type) for `kind` in plain | cloudevents."""
    if kind == "plain":
        items = [plain_event(i) for i in range(events)]
        ctype = "application/json"
    elif kind == "cloudevents":
        items = [cloudevent(i) for i in range(events)]
        ctype = "application/cloudevents-batch+json"
    else:
        raise ValueError("unknown body kind " + kind)
    doc = items[0] if events == 1 and kind == "plain" else items
    return json.dumps(doc, separators=(",", ":")).encode(), ctype
