"""Prepare the spaCy pipeline that config.yml loads from ``var/spacy-nl``.

If the trained Dutch model ``nl_core_news_sm`` is installed it is copied there, so the
pipeline uses its tokenizer, lemmatizer and vectors. Otherwise a blank Dutch pipeline
(``spacy.blank("nl")``) with the rule/lookup lemmatizer from ``spacy-lookups-data`` is
saved instead. The model cannot be installed from the package registries available to
this project's machines, so the fallback is the normal case there.

Usage: python scripts/prepare_spacy.py [target_dir]
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

DEFAULT_TARGET = Path("var/spacy-nl")
MARKER = "assistant-spacy.json"


def build(target: Path) -> str:
    """Write the pipeline to ``target`` and return which kind it is."""
    import spacy

    try:
        nlp = spacy.load("nl_core_news_sm")
        kind = "nl_core_news_sm"
    except OSError:
        nlp = spacy.blank("nl")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        kind = "blank-nl+lookups"
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    (target / MARKER).write_text(json.dumps({"kind": kind, "spacy": spacy.__version__}))
    return kind


def current_kind(target: Path) -> str | None:
    """Return the kind recorded in ``target``, or None when it was never built."""
    marker = target / MARKER
    if not marker.exists():
        return None
    return str(json.loads(marker.read_text()).get("kind"))


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TARGET
    import importlib.util

    wanted = "nl_core_news_sm" if importlib.util.find_spec("nl_core_news_sm") else "blank-nl+lookups"
    if current_kind(target) == wanted:
        print(f"spaCy pipeline in {target}: {wanted} (up to date)")
        return 0
    kind = build(target)
    print(f"spaCy pipeline in {target}: {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
