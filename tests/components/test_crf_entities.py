"""The stored CRF entity extractor loads without retraining and predicts as trained (issue 16)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.crf_entities import MODEL_SUFFIX, StoredCRFEntityExtractor

STREETS = ["Kerkstraat", "Dorpsweg", "Molenlaan", "Stationsplein", "Beukenlaan", "Havenkade"]


def _example(street: str, number: str) -> Message:
    text = f"ik woon op de {street} {number} in het dorp"
    start = text.index(street)
    return Message(
        data={
            TEXT: text,
            "intent": "inform",
            ENTITIES: [
                {"start": start, "end": start + len(street), "value": street, "entity": "street"},
            ],
        }
    )


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    (tmp_path / "model").mkdir()
    return LocalModelStorage(tmp_path / "model")


def _tokenize(messages: list[Message]) -> list[Message]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process_training_data(TrainingData(messages))
    for message in messages:  # the CRF uses only messages that carry some features
        tokens = message.get("text_tokens")
        ones = scipy.sparse.coo_matrix(np.ones((len(tokens), 1)))
        message.add_features(Features(ones, FEATURE_TYPE_SEQUENCE, TEXT, "test"))
    return messages


def _trained(storage: LocalModelStorage, resource: Resource) -> StoredCRFEntityExtractor:
    context = ExecutionContext(GraphSchema({}), node_name="crf")
    extractor = StoredCRFEntityExtractor.create(
        StoredCRFEntityExtractor.get_default_config(), storage, resource, context
    )
    examples = _tokenize([_example(s, str(10 + i)) for i, s in enumerate(STREETS * 3)])
    extractor.train(TrainingData(examples))
    return extractor


def _load(storage: LocalModelStorage, resource: Resource) -> StoredCRFEntityExtractor:
    context = ExecutionContext(GraphSchema({}), node_name="crf")
    return StoredCRFEntityExtractor.load(
        StoredCRFEntityExtractor.get_default_config(), storage, resource, context
    )


def _streets(extractor: StoredCRFEntityExtractor, texts: list[str]) -> list[list[tuple[str, str]]]:
    messages = _tokenize([Message(data={TEXT: t}) for t in texts])
    extractor.process(messages)
    return [[(e["entity"], e["value"]) for e in m.get(ENTITIES, [])] for m in messages]


def test_loading_opens_the_stored_crfs_and_never_retrains(storage, monkeypatch) -> None:
    resource = Resource("crf")
    trained = _trained(storage, resource)
    questions = ["ik woon op de Kerkstraat 4 in het dorp", "ik woon op de Nieuwstraat 9 in het dorp"]
    expected = _streets(trained, questions)
    assert expected[0] == [("street", "Kerkstraat")]

    def no_training(*_args, **_kwargs):
        raise AssertionError("the model was retrained at load")

    monkeypatch.setattr(StoredCRFEntityExtractor, "train_model", classmethod(no_training))
    loaded = _load(storage, resource)
    assert _streets(loaded, questions) == expected
    with storage.read_from(resource) as model_dir:
        names = sorted(p.name for p in model_dir.iterdir())
    assert names == sorted(["crf_order.json", *(f"{n}{MODEL_SUFFIX}" for n in loaded.crf_order)])


def test_an_extractor_trained_without_entity_examples_loads_empty(storage) -> None:
    loaded = _load(storage, Resource("never-trained"))
    assert loaded.entity_taggers is None or not loaded.entity_taggers
    assert _streets(loaded, ["ik woon op de Kerkstraat 4"]) == [[]]
