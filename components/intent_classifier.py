"""Intent classifier: TF-IDF weighting over the sparse features, then a logistic regression.

Rasa's ``LogisticRegressionClassifier`` fits on raw counts with a fixed regularisation (C = 1).
With the char n-gram featurizer, a long message then has many times the feature mass of a short
one, and common n-grams ("de", "ik ") weigh as much as rare, telling ones ("mantelzorg"). This
component is that classifier with two documented changes, both chosen by 5-fold
cross-validation on the training data (``scripts/intent_classifier_cv.py``), never on the
held-out set:

- the sentence features are TF-IDF weighted and L2-normalised (``sklearn``'s ``TfidfTransformer``,
  fitted on the training data only), so length no longer decides the confidence;
- the regularisation strength ``C`` is a setting (default 20: less regularisation, which the
  normalised features need).

The output (intent, ranking) is the same shape as Rasa's classifier; ``FallbackClassifier`` after
it still turns low confidence into ``nlu_fallback``.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

logger = logging.getLogger(__name__)

#: Types inside the saved pipeline that skops does not trust by default but that hold only data
#: (the TF-IDF weights are a sparse diagonal matrix). Anything else untrusted refuses the load.
DATA_ONLY_TYPES = frozenset({"scipy.sparse._csr.csr_matrix"})

#: Regularisation strength of the logistic regression (inverse; larger is weaker).
DEFAULT_C = 20.0


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's logistic regression intent classifier on TF-IDF weighted, L2-normalised features."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's defaults plus ``C`` and the TF-IDF switches."""
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "C": DEFAULT_C,
            "sublinear_tf": False,
        }

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        """Build the TF-IDF + logistic regression pipeline from the config."""
        super().__init__(config, name, model_storage, resource)
        regression = LogisticRegression(
            C=float(self.config["C"]),
            solver=self.config["solver"],
            max_iter=self.config["max_iter"],
            class_weight="balanced",
            tol=self.config["tol"],
            random_state=self.config["random_state"],
        )
        self.clf = Pipeline(
            [
                ("tfidf", TfidfTransformer(sublinear_tf=bool(self.config["sublinear_tf"]))),
                ("regression", regression),
            ]
        )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfLogisticRegressionClassifier:
        """Load the trained pipeline; refuse (loudly) any type beyond sklearn's and plain data.

        Rasa's loader returns an *untrained* classifier when the file holds a type skops does not
        trust; the TF-IDF weights are such a type, so this loader names the data-only types it
        accepts and raises on anything else instead of serving an untrained model.
        """
        import skops.io as sio

        component = cls(config, execution_context.node_name, model_storage, resource)
        with model_storage.read_from(resource) as model_dir:
            path = model_dir / f"{resource.name}.skops"
            untrusted = set(sio.get_untrusted_types(file=path))
            unexpected = untrusted - DATA_ONLY_TYPES
            if unexpected:
                raise ValueError(f"{path} holds types that are not trusted: {sorted(unexpected)}")
            component.clf = sio.load(path, trusted=sorted(untrusted))
        logger.debug("Loaded intent classifier from %s", path)
        return component
