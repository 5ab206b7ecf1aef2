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
  normalised features need);
- the confidences are calibrated (temperature scaling, Guo et al. 2017): at training time the
  regression is cross-validated on the training data (``calibration_folds``, default 3) and one
  temperature is fitted that makes the out-of-fold confidences match how often the top intent is
  right (minimal log-loss). A regularised regression over dozens of intents is underconfident:
  with few examples per intent its right answers score under the fallback threshold (xSID-nl
  dev, 15 intents, about 16 examples each: 6 of 7 errors on one fold were ``nlu_fallback``).
  Calibrated, a confidence means the same on any data, so ``FallbackClassifier``'s threshold does
  too. The order of the ranking never changes, only its confidences.

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
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.optimize import minimize_scalar
from scipy.sparse import csr_matrix
from scipy.special import softmax
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

logger = logging.getLogger(__name__)

#: The fitted weights inside the model (TF-IDF idf, regression coefficients, intercepts, classes).
WEIGHTS_FILE = "weights.npz"

#: Regularisation strength of the logistic regression (inverse; larger is weaker).
DEFAULT_C = 20.0

#: Folds of the cross-validation that fits the temperature (0 or 1: no calibration).
DEFAULT_CALIBRATION_FOLDS = 3

#: Tolerance of the folds' regressions: one temperature needs their decisions, not exact weights.
CALIBRATION_TOL = 1e-2

#: The temperature is searched between these (as natural logarithms: about 0.02 to 20).
_LOG_TEMPERATURE_BOUNDS = (-4.0, 3.0)


class TemperatureScaledLogisticRegression(LogisticRegression):
    """A multinomial logistic regression whose confidences are ``softmax(decision / T)``.

    ``temperature_`` is 1.0 (plain logistic regression) until :func:`fit_temperature` sets it.
    """

    temperature_: float = 1.0

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities at the fitted temperature."""
        if self.temperature_ == 1.0 or len(self.classes_) < 3:
            return super().predict_proba(X)
        return softmax(self.decision_function(X) / self.temperature_, axis=1)


def out_of_fold_decisions(
    pipeline: Pipeline, X: csr_matrix, y: np.ndarray, folds: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Decision values of each training example from a pipeline fitted without it.

    Args:
        pipeline: the pipeline, fitted or not (cloned unfitted for every fold).
        X: training features.
        y: training intents.
        folds: number of stratified folds (at most the size of the largest intent).
        seed: shuffling seed of the folds.

    When a fold's training part holds every intent, its regression starts from ``pipeline``'s
    fitted weights (if fitted) instead of zeros.

    Returns:
        The decision values over ``np.unique(y)`` and the index of each example's gold intent.
        Examples whose intent was missing from their fold's training part are left out: nothing
        could have predicted them.
    """
    import warnings

    classes, counts = np.unique(y, return_counts=True)
    folds = min(folds, int(counts.max()))
    nothing = np.empty((0, len(classes))), np.empty(0, dtype=int)
    if folds < 2:
        return nothing
    fitted = pipeline.named_steps["regression"]
    decisions, gold = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "The least populated class in y has only 1 member"
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train, test in splitter.split(X, y):
            fold = clone(pipeline)
            if hasattr(fitted, "coef_") and len(np.unique(y[train])) == len(classes):
                # Start from the fitted weights: the regularised log-loss has one optimum, so the
                # fold converges to its own solution, in a fraction of the iterations.
                regression = fold.named_steps["regression"]
                regression.set_params(warm_start=True, tol=max(fitted.tol, CALIBRATION_TOL))
                regression.coef_ = fitted.coef_.copy()
                regression.intercept_ = fitted.intercept_.copy()
            fold.fit(X[train], y[train])
            seen = fold.classes_
            keep = np.isin(y[test], seen)
            if not keep.any() or len(seen) < 3:
                continue
            values = np.full((int(keep.sum()), len(classes)), -1e9)
            values[:, np.searchsorted(classes, seen)] = fold.decision_function(X[test][keep])
            decisions.append(values)
            gold.append(np.searchsorted(classes, y[test][keep]))
    if not decisions:
        return nothing
    return np.vstack(decisions), np.concatenate(gold)


def fit_temperature(decisions: np.ndarray, gold: np.ndarray) -> float:
    """The temperature that minimises the log-loss of ``softmax(decisions / T)`` (1.0 if no data)."""
    if len(gold) == 0:
        return 1.0
    rows = np.arange(len(gold))

    def log_loss(log_temperature: float) -> float:
        probabilities = softmax(decisions / np.exp(log_temperature), axis=1)
        return float(-np.mean(np.log(probabilities[rows, gold] + 1e-12)))

    found = minimize_scalar(log_loss, bounds=_LOG_TEMPERATURE_BOUNDS, method="bounded")
    return float(np.exp(found.x))


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
            "calibration_folds": DEFAULT_CALIBRATION_FOLDS,
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
        regression = TemperatureScaledLogisticRegression(
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

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the pipeline, then its temperature on out-of-fold decisions (``calibration_folds``)."""
        X, y = self._create_training_matrix(training_data)
        if X.shape[0] == 0:
            return self._resource
        y = np.asarray(y, dtype=object)
        self.clf.fit(X, y)
        folds = int(self.config["calibration_folds"])
        if folds >= 2 and len(self.clf.classes_) >= 3:
            decisions, gold = out_of_fold_decisions(
                self.clf, X, y, folds, int(self.config["random_state"] or 0)
            )
            self.clf.named_steps["regression"].temperature_ = fit_temperature(decisions, gold)
        logger.debug(
            "Intent confidences at temperature %.3f", self.clf.named_steps["regression"].temperature_
        )
        self.persist()
        return self._resource

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
                temperature=np.asarray(regression.temperature_),
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
                # A model trained before calibration has no temperature: 1.0 is how it was trained.
                if "temperature" in weights.files:
                    regression.temperature_ = float(weights["temperature"])
        logger.debug("Loaded intent classifier from %s", resource.name)
        return component
