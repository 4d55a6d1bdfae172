"""Training: labeled corpora in, a model file and its card out.

Reads labeled rows in the project's format and the public corpora's own formats
(:mod:`.corpora`), and fits the judge's featuriser and heads with cross-validated thresholds
(:mod:`.trainer`); ``moderation train`` and ``train.py`` are shells over it.
"""
