"""The PrivacyGuard NLU component (components/privacy_guard.py)."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.privacy_guard import PRIVACY_KEY, PrivacyGuard


def _guard() -> PrivacyGuard:
    return PrivacyGuard.create({}, None, None, None)


def test_adds_categories_without_values_to_the_parse_output():
    messages = [
        Message(data={TEXT: "mijn bsn is 123456782 en ik gebruik oxazepam"}),
        Message(data={TEXT: "ik wil mijn paspoort verlengen"}),
        Message(data={TEXT: ""}),
    ]
    _guard().process(messages)
    first = messages[0].as_dict(only_output_properties=True)
    assert first[PRIVACY_KEY] == {"categories": ["bsn", "health"], "special_category": True}
    assert "123456782" not in repr(first[PRIVACY_KEY])
    assert messages[1].get(PRIVACY_KEY) == {"categories": [], "special_category": False}
    assert messages[2].get(PRIVACY_KEY) == {"categories": [], "special_category": False}


def test_does_not_touch_intent_entities_or_training_data():
    message = Message(data={TEXT: "ik heb een strafblad", "intent": {"name": "greet"}, "entities": []})
    _guard().process([message])
    assert message.get("intent") == {"name": "greet"} and message.get("entities") == []
    data = TrainingData([Message(data={TEXT: "ik heb diabetes"})])
    assert _guard().process_training_data(data) is data


def test_registered_as_a_non_trainable_intent_classifier():
    registered = DefaultV1Recipe._from_registry("components.privacy_guard.PrivacyGuard")
    assert registered.clazz is PrivacyGuard
    assert not registered.is_trainable
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types


def test_runs_at_inference_only():
    from rasa.shared.data import TrainingType

    config = {
        "recipe": "default.v1",
        "language": "nl",
        "pipeline": [{"name": "WhitespaceTokenizer"}, {"name": "components.privacy_guard.PrivacyGuard"}],
        "policies": [],
    }
    graph = DefaultV1Recipe().graph_config_for_recipe(config, {}, TrainingType.NLU)
    assert not [name for name in graph.train_schema.nodes if "PrivacyGuard" in name]
    nodes = {name: node for name, node in graph.predict_schema.nodes.items() if "PrivacyGuard" in name}
    assert len(nodes) == 1
    (node,) = nodes.values()
    assert node.fn == "process" and node.uses is PrivacyGuard
