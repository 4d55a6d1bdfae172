"""Evaluation: a model and labeled rows in, metrics and a self-contained HTML report out.

:mod:`.metrics` holds the metrics as functions over arrays and ``evaluate(moderator, rows)``;
:mod:`.report` draws the report (plots inlined, comment text escaped, nothing loaded from
elsewhere).
"""
