"""The judge as an HTTP service (`moderation serve`): FastAPI routes over the library.

A thin shell: :mod:`~moderation.service.app` builds the app, :mod:`~.routes` answers requests,
:mod:`~.judging` turns them into the library's calls, :mod:`~.batcher` merges concurrent
requests into one scoring call, :mod:`~.duplicates` finds copies within a request and, with an
index, across requests; :mod:`~.perspective` maps Perspective API's ``comments:analyze``;
:mod:`~.body`, :mod:`~.auth` and :mod:`~.errors` guard the door; :mod:`~.metrics` counts;
:mod:`~.server` runs uvicorn.
"""

from __future__ import annotations

from moderation.service.config import ServiceConfig, ServiceError

__all__ = ["ServiceConfig", "ServiceError", "create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":  # imported on use: FastAPI and the judge are heavy
        from moderation.service.app import create_app

        return create_app
    raise AttributeError(name)
