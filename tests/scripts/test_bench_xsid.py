"""The xSID benchmark reads the CoNLL file into the spans and names the scores are computed on."""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.bench_xsid import DEV_FILE, Example, read_conll, summarise, to_rasa_yaml

SAMPLE = """# id = 1
# text-en = wake me at seven tomorrow
# text = maak me morgen om zeven uur wakker
# intent = alarm/set_alarm
1\tmaak\talarm/set_alarm\tO
2\tme\talarm/set_alarm\tO
3\tmorgen\talarm/set_alarm\tB-datetime
4\tom\talarm/set_alarm\tI-datetime
5\tzeven\talarm/set_alarm\tI-datetime
6\tuur\talarm/set_alarm\tI-datetime
7\twakker\talarm/set_alarm\tO

# id = 2
# text = speel  Queen
# intent = PlayMusic
1\tspeel\tPlayMusic\tO
2\tQueen\tPlayMusic\tB-artist
"""


def test_spans_cover_the_tagged_words_and_names_lose_the_slash(tmp_path: Path) -> None:
    path = tmp_path / "sample.conll"
    path.write_text(SAMPLE, encoding="utf-8")
    first, second = read_conll(path)
    assert first.intent == "alarm_set_alarm"  # "/" would make it a retrieval intent in Rasa
    [(entity, start, end)] = first.entities
    assert (entity, first.text[start:end]) == ("datetime", "morgen om zeven uur")
    [(entity, start, end)] = second.entities
    assert second.text[start:end] == "Queen"  # offsets found in the text, double space and all


def test_training_yaml_keeps_the_annotation() -> None:
    example = Example("hoe heet is het", "weather_find", [("weather_attribute", 4, 8)])
    data = yaml.safe_load(to_rasa_yaml([example]))
    assert data["nlu"][0]["examples"].strip() == "- hoe [heet](weather_attribute) is het"


def test_entity_scores_need_the_exact_span() -> None:
    rows = {
        "gold_intents": ["a", "b"], "predicted_intents": ["a", "a"],
        "gold_spans": [{("x", 0, 4)}, {("y", 5, 9)}],
        "predicted_spans": [{("x", 0, 4)}, {("y", 5, 8)}],  # one boundary off: not a hit
    }
    figures = summarise(rows)
    assert figures["intent_accuracy"] == 0.5
    assert figures["entity_precision"] == figures["entity_recall"] == figures["entity_f1"] == 0.5


def test_the_shipped_dev_file_is_the_one_described() -> None:
    examples = read_conll(DEV_FILE)
    assert len(examples) == 300
    assert len({e.intent for e in examples}) == 15
    assert all(e.text[s:t].strip() == e.text[s:t] != "" for e in examples for _, s, t in e.entities)
