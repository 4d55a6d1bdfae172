"""The moderator's loop: review a scored dump in the browser, and teach the model.

``moderation review SCORED...`` loads ``moderation score`` outputs into a SQLite store
(:mod:`~moderation.review.store`), orders them into a queue (:mod:`~moderation.review.queue`)
and serves a local web application (:mod:`~moderation.review.app`); the decisions become
labeled rows for training (:mod:`~moderation.review.export`).
"""
