"""The shared skeleton of this project's rule-based NLU components.

Every pipeline component here that learns nothing (input guard, human-request override, privacy
guard, crisis detector) needs the same two graph hooks: ``create`` and a
``process_training_data`` that passes the data through. They inherit them from
:class:`StatelessComponent` and write only ``process``.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData


class StatelessComponent(GraphComponent):
    """A component that is configured but never trained.

    A subclass whose ``__init__`` takes the component's config sets ``takes_config = True``;
    otherwise it is built without arguments.
    """

    takes_config = False

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StatelessComponent:
        """Create the component (with its config when it takes one)."""
        return cls(config) if cls.takes_config else cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to learn: the training data passes through unchanged."""
        return training_data
