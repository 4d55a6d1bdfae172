"""Label names every stage shares: the flags, the stance heads' prefix and the default target.

Kept apart from the judge so that the CLI, evaluation and training can name them without
importing scikit-learn.
"""

from __future__ import annotations

FLAGS = ("spam", "incitement")
STANCE_PREFIX = "stance:"
DEFAULT_TARGET = "russia_ukraine"
STANCE_LABELS = {DEFAULT_TARGET: ("neutral", "pro_russia", "pro_ukraine")}
# The reason a comment in a language the model's heads were not trained on goes to review.
UNSUPPORTED_LANGUAGE = "unsupported_language"
# ``--languages any``: the heads judge every comment, whatever its language.
ANY_LANGUAGE = "any"
