"""Training: labeled corpora in, a model file and its card out.

Reads labeled rows in the project's format and the public corpora's own formats
(:mod:`.corpora`), lets moderators' decisions override and outweigh the corpus's labels
(:mod:`.moderated`), and fits the judge's featuriser and heads with cross-validated thresholds,
refusing a model below its quality floors before writing it (:mod:`.trainer`);
``moderation train`` and ``train.py`` are shells over it.
"""
