"""The TF-IDF logistic regression intent classifier survives persist/load unchanged (issue 16)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_classifier import (
    WEIGHTS_FILE,
    TfidfLogisticRegressionClassifier,
    fit_temperature,
)

VOCABULARY = ["paspoort", "kosten", "afval", "container", "wmo", "hulp", "boom", "kap"]
EXAMPLES = {
    "ask_fee": ["paspoort kosten", "kosten paspoort paspoort", "paspoort"],
    "waste_collection": ["afval container", "container afval afval", "afval"],
    "wmo_support": ["wmo hulp", "hulp wmo hulp", "hulp"],
    "tree_permit": ["boom kap", "kap boom boom", "boom"],
}


def _message(text: str, intent: str | None = None) -> Message:
    counts = np.array([[text.split().count(word) for word in VOCABULARY]], dtype=float)
    message = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    message.add_features(Features(scipy.sparse.coo_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "test"))
    return message


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    (tmp_path / "model").mkdir()
    return LocalModelStorage(tmp_path / "model")


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="intent_classifier")


def test_a_loaded_classifier_gives_the_same_ranking_as_the_trained_one(storage: LocalModelStorage) -> None:
    resource = Resource("intent_classifier")
    config = {**TfidfLogisticRegressionClassifier.get_default_config(), "random_state": 42}
    trained = TfidfLogisticRegressionClassifier.create(config, storage, resource, _context())
    trained.train(TrainingData([_message(t, i) for i, texts in EXAMPLES.items() for t in texts]))

    loaded = TfidfLogisticRegressionClassifier.load(config, storage, resource, _context())
    questions = ["paspoort kosten", "container", "hulp wmo", "boom boom kap", "kap afval"]
    before = trained.process([_message(q) for q in questions])
    after = loaded.process([_message(q) for q in questions])
    for one, two in zip(before, after, strict=True):
        assert one.get(INTENT)["name"] == two.get(INTENT)["name"]
        assert one.get(INTENT)["confidence"] == pytest.approx(two.get(INTENT)["confidence"])
        assert [r["name"] for r in one.get("intent_ranking")] == [
            r["name"] for r in two.get("intent_ranking")
        ]
        assert isinstance(two.get(INTENT)["name"], str)
    assert [m.get(INTENT)["name"] for m in after[:4]] == [
        "ask_fee",
        "waste_collection",
        "wmo_support",
        "tree_permit",
    ]


def test_the_model_holds_plain_arrays_and_loading_needs_no_skops(storage: LocalModelStorage) -> None:
    resource = Resource("intent_classifier")
    config = TfidfLogisticRegressionClassifier.get_default_config()
    trained = TfidfLogisticRegressionClassifier.create(config, storage, resource, _context())
    trained.train(TrainingData([_message(t, i) for i, texts in EXAMPLES.items() for t in texts]))
    with storage.read_from(resource) as model_dir:
        files = sorted(p.name for p in model_dir.iterdir())
        with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as weights:
            assert sorted(weights.files) == ["classes", "coef", "idf", "intercept", "temperature"]
    assert files == [WEIGHTS_FILE]
    sys.modules.pop("skops.io", None)
    TfidfLogisticRegressionClassifier.load(config, storage, resource, _context())
    assert "skops.io" not in sys.modules


def test_a_model_without_weights_refuses_to_load(storage: LocalModelStorage) -> None:
    resource = Resource("empty")
    with storage.write_to(resource):
        pass
    config = TfidfLogisticRegressionClassifier.get_default_config()
    with pytest.raises(FileNotFoundError):
        TfidfLogisticRegressionClassifier.load(config, storage, resource, _context())


def test_the_temperature_sharpens_underconfident_and_softens_overconfident_decisions() -> None:
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 4, size=400)
    right = rng.random(400) < 0.9  # the top intent is right 9 times in 10
    top = np.where(right, gold, (gold + 1) % 4)
    decisions = np.zeros((400, 4))
    decisions[np.arange(400), top] = 0.5  # a small margin: softmax gives ~0.35 where 0.9 is true
    assert fit_temperature(decisions, gold) < 0.5
    decisions[np.arange(400), top] = 50.0  # a huge margin: softmax gives ~1.0 where 0.9 is true
    assert fit_temperature(decisions, gold) > 5.0
    assert fit_temperature(np.empty((0, 4)), np.empty(0, dtype=int)) == 1.0


def _many_examples() -> TrainingData:
    rng = np.random.default_rng(1)
    words = {intent: texts[0].split() + ["kosten"] for intent, texts in EXAMPLES.items()}
    messages = []
    for intent, own in words.items():
        for _ in range(12):
            # each example: two of its intent's words and one shared, noisy word
            text = " ".join([*rng.choice(own, size=2), str(rng.choice(VOCABULARY))])
            messages.append(_message(text, intent))
    return TrainingData(messages)


def test_calibration_changes_the_confidences_never_the_ranking(storage: LocalModelStorage) -> None:
    config = {**TfidfLogisticRegressionClassifier.get_default_config(), "random_state": 42, "C": 0.5}
    plain = TfidfLogisticRegressionClassifier.create(
        {**config, "calibration_folds": 0}, storage, Resource("plain"), _context()
    )
    plain.train(_many_examples())
    calibrated = TfidfLogisticRegressionClassifier.create(config, storage, Resource("calibrated"), _context())
    calibrated.train(_many_examples())

    temperature = calibrated.clf.named_steps["regression"].temperature_
    assert plain.clf.named_steps["regression"].temperature_ == 1.0
    assert temperature < 1.0  # strongly regularised (C=0.5): underconfident, so sharpened
    questions = ["paspoort kosten", "container afval", "hulp wmo", "boom kap", "kap afval hulp"]
    one = plain.process([_message(q) for q in questions])
    two = calibrated.process([_message(q) for q in questions])
    for before, after in zip(one, two, strict=True):
        assert [r["name"] for r in before.get("intent_ranking")] == [
            r["name"] for r in after.get("intent_ranking")
        ]
        assert after.get(INTENT)["confidence"] > before.get(INTENT)["confidence"]

    loaded = TfidfLogisticRegressionClassifier.load(config, storage, Resource("calibrated"), _context())
    assert loaded.clf.named_steps["regression"].temperature_ == pytest.approx(temperature)
    again = loaded.process([_message(q) for q in questions])
    assert [m.get(INTENT)["confidence"] for m in again] == pytest.approx(
        [m.get(INTENT)["confidence"] for m in two]
    )


def test_a_model_trained_before_calibration_loads_at_temperature_one(storage: LocalModelStorage) -> None:
    resource = Resource("old")
    config = TfidfLogisticRegressionClassifier.get_default_config()
    trained = TfidfLogisticRegressionClassifier.create(config, storage, resource, _context())
    trained.train(_many_examples())
    with storage.read_from(resource) as model_dir:
        with np.load(model_dir / WEIGHTS_FILE) as weights:
            arrays = {name: weights[name] for name in weights.files if name != "temperature"}
        np.savez(model_dir / WEIGHTS_FILE, **arrays)
    loaded = TfidfLogisticRegressionClassifier.load(config, storage, resource, _context())
    assert loaded.clf.named_steps["regression"].temperature_ == 1.0


def test_one_example_per_intent_leaves_nothing_to_calibrate_on() -> None:
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.pipeline import Pipeline

    from components.intent_classifier import TemperatureScaledLogisticRegression, out_of_fold_decisions

    X = scipy.sparse.csr_matrix(np.eye(4))
    y = np.asarray(["a", "b", "c", "d"], dtype=object)
    regression = TemperatureScaledLogisticRegression()
    pipeline = Pipeline([("tfidf", TfidfTransformer()), ("regression", regression)])
    decisions, gold = out_of_fold_decisions(pipeline, X, y, folds=3, seed=0)
    assert decisions.shape == (0, 4) and len(gold) == 0
