"""Entity extraction: Rasa's CRF entity extractor, stored trained instead of retrained at start.

Rasa 3.6's ``CRFEntityExtractor`` saves its *training features* in the model and trains the CRFs
again every time a model is loaded: a quarter of the Rasa server's start-up time here (py-spy on
``Agent.load``, issue 16), repeated in every worker and every instance. This extractor saves the
trained CRFs themselves, in CRFsuite's own binary model format (``pycrfsuite.Tagger`` reads it; no
pickles), and opens them at load. Training, features and predictions are Rasa's, unchanged.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import weakref
from collections import OrderedDict
from pathlib import Path
from typing import Any

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken

logger = logging.getLogger(__name__)

ORDER_FILE = "crf_order.json"
MODEL_SUFFIX = ".crfsuite"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class StoredCRFEntityExtractor(CRFEntityExtractor):
    """``CRFEntityExtractor`` whose trained CRFs are stored in the model and opened at load."""

    def persist(self, dataset: list[list[CRFToken]]) -> None:
        """Store the order of the CRFs and each trained CRF's model file (not the training data)."""
        with self._model_storage.write_to(self._resource) as model_dir:
            rasa.shared.utils.io.dump_obj_as_json_to_file(model_dir / ORDER_FILE, self.crf_order)
            for name, tagger in self.entity_taggers.items():
                shutil.copyfile(tagger.modelfile.name, model_dir / f"{name}{MODEL_SUFFIX}")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> StoredCRFEntityExtractor:
        """Open the stored CRFs; an extractor trained without entity examples loads empty."""
        import sklearn_crfsuite

        try:
            with model_storage.read_from(resource) as model_dir:
                crf_order = rasa.shared.utils.io.read_json_file(model_dir / ORDER_FILE)
                # the taggers open their files lazily: copy them out of the model's storage
                own_dir = Path(tempfile.mkdtemp(prefix="crf-entities-"))
                taggers = OrderedDict()
                for name in crf_order:
                    target = own_dir / f"{name}{MODEL_SUFFIX}"
                    shutil.copyfile(model_dir / f"{name}{MODEL_SUFFIX}", target)
                    taggers[name] = sklearn_crfsuite.CRF(model_filename=str(target))
        except ValueError:
            logger.debug("%s: resource '%s' holds no trained CRFs.", cls.__name__, resource.name)
            return cls(config, model_storage, resource)
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = crf_order
        weakref.finalize(extractor, shutil.rmtree, own_dir, True)
        return extractor
