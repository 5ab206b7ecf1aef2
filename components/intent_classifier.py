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

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

logger = logging.getLogger(__name__)

#: The fitted weights inside the model (TF-IDF idf, regression coefficients, intercepts, classes).
WEIGHTS_FILE = "weights.npz"

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

    def persist(self) -> None:
        """Save the fitted weights as plain arrays (``numpy``'s ``.npz``, no pickles, no skops).

        Loading skops costs several seconds at every server start (it imports and walks sklearn to
        build its list of trusted types, issue 16); four arrays are all a fitted model consists of.
        """
        tfidf, regression = self.clf.named_steps["tfidf"], self.clf.named_steps["regression"]
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(
                model_dir / WEIGHTS_FILE,
                idf=tfidf.idf_,
                coef=regression.coef_,
                intercept=regression.intercept_,
                classes=np.asarray([str(c) for c in regression.classes_], dtype=str),
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
        """Rebuild the fitted pipeline from the saved arrays (never unpickles anything).

        A model without the weights file (trained by an older version) raises instead of serving
        an untrained classifier: retrain it.
        """
        component = cls(config, execution_context.node_name, model_storage, resource)
        with model_storage.read_from(resource) as model_dir:
            with np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as weights:
                tfidf, regression = (
                    component.clf.named_steps["tfidf"],
                    component.clf.named_steps["regression"],
                )
                tfidf.idf_ = weights["idf"]
                tfidf.n_features_in_ = regression.n_features_in_ = weights["idf"].shape[0]
                regression.coef_ = weights["coef"]
                regression.intercept_ = weights["intercept"]
                regression.classes_ = np.asarray([str(c) for c in weights["classes"]], dtype=object)
        logger.debug("Loaded intent classifier from %s", resource.name)
        return component
