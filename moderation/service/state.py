"""What a worker process holds while it serves: the judge, its batcher, duplicates, metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moderation.judge.moderator import Moderator
from moderation.labels import FLAGS
from moderation.service.batcher import ScoringBatcher
from moderation.service.config import ServiceConfig
from moderation.service.duplicates import DuplicateMarker
from moderation.service.metrics import Metrics


@dataclass
class ServiceState:
    """Everything the routes share; one per app (so one per worker process)."""

    config: ServiceConfig
    moderator: Moderator
    batcher: ScoringBatcher
    duplicates: DuplicateMarker
    metrics: Metrics

    @property
    def ready(self) -> bool:
        """The model is loaded and the scoring thread runs."""
        return self.batcher.alive

    def model_card(self) -> dict[str, Any]:
        """``GET /v1/model``: what the model is, as its card says, and the thresholds in use."""
        card = self.moderator.metadata
        heads = card.get("heads", {})
        return {
            "version": card.get("versions", {}).get("moderation"),
            "sha256": card.get("sha256"),
            "model_file": card.get("model_file"),
            "schema_version": card.get("schema_version"),
            "default_target": self.moderator.default_target,
            "targets": self.moderator.targets,
            "labels": card.get("labels"),
            "thresholds": dict(self.moderator.thresholds),
            "remove_thresholds": dict(self.moderator.remove_thresholds),
            "max_chars": self.moderator.max_chars,
            "flags": list(FLAGS),
            "metrics": {name: head.get("cv_metrics") for name, head in heads.items()},
            "training": card.get("training"),
            "versions": card.get("versions"),
        }
