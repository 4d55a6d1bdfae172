"""Who a violent act is wished on, and how: features that tie a violent word to its clause.

A call to violence and a report of violence use the same verbs; what tells them apart is the
clause around the verb: an imperative ("kill them all", "go die", "start killing them"), a
wish ("I hope he dies", "you deserve to die"), "should" or "must" ("they should be shot"), a
future or an intent ("I will find you"), who is addressed (second person) or named (them, him),
against a report ("were killed", "has died") or a refusal ("never kill"). Each cue here is
such a pairing, set when some violent word of a comment has it; the heads learn how much each
counts. Function words alone ("should", "hope", "them") set nothing, so they cannot carry
incitement by themselves through these features; "hang" before a particle ("hang in there",
"hang out") is no violent word at all.

Token classes are worked out once per distinct token (the chunk memo keeps them); the cues of
a whole batch come from one NumPy pass over its tokens. English only: in another language no
token is violent and every cue is zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moderation.judge.promotion import PROMOTION_STEMS

VIOLENT, BOUNDARY, LEAD, WISH, SHOULD, WILL = 1, 2, 4, 8, 16, 32
FIRST, SECOND, THEM, PASSIVE, REPORT, NEGATION, PAST = 64, 128, 256, 512, 1024, 2048, 4096
PHRASAL, PARTICLE = 8192, 16384
PROMOTIONAL = 32768  # a promotional word (see .promotion): not a cue, read by the spam signal

# Snowball (English) stems of words for killing, maiming, wishing death and physical assault
# (public violence labels count punching, choking and beating as violence too). Not "hit",
# "cut" or "knock": mostly news and sport ("a missile hit", "cut taxes"), and on the RUW
# stance tweets they moved the stance head's figures down (0.584 -> 0.579).
_VIOLENT = (
    "kill murder shoot shot hang hung lynch behead decapit stab slaughter massacr execut "
    "extermin annihil burn torch bomb nuke gass strangl rape die dead death butcher drown "
    "poison hunt bullet noos gallow guillotin slit crucifi genocid assassin slay slain tortur "
    "maim mutil dismemb punch choke smack slap stomp pummel whip castrat beat kick "
    "buri"
)
VIOLENT_STEMS = frozenset(_VIOLENT.split())
# Surface words (case-folded), by class.
_WORDS = {
    LEAD: "go just let let's lets start please pls plz now someone somebody and so then simply "
    "come on oh yes yeah ok okay",
    WISH: "hope hopefully wish pray praying may deserve deserves deserved want wanna wants let",
    SHOULD: "should must ought gotta shall need needs should've shouldve",
    WILL: "will gonna going shall i'll we'll you'll they'll he'll she'll",
    FIRST: "i we i'm im we're i'll we'll i'd we'd i've we've me us",
    SECOND: "you your u ya ye you're youre you'll youll yourself yourselves ur y'all yall",
    THEM: "them they all every those these him her he she em everyone everybody they're",
    PASSIVE: "be been being get gets got getting gotten",
    REPORT: "was were is are has have had",
    NEGATION: "not no never nobody stop cannot dont wont cant",
}
WORD_CLASSES: dict[str, int] = {}
for _class, _words in _WORDS.items():
    for _word in _words.split():
        WORD_CLASSES[_word] = WORD_CLASSES.get(_word, 0) | _class
_IRREGULAR_PAST = frozenset(("shot", "hung", "slain", "burnt", "dead", "died"))
# Violent words that are not violent before a particle ("hang in there", "hung out"; never
# "hanged", which is only ever an execution).
_PHRASAL = frozenset(("hang", "hangs", "hanging", "hung"))
_PARTICLE_WORDS = "in out on around tight up with over onto together"
_PARTICLES = frozenset(_PARTICLE_WORDS.split())
# Tokens before a violent word read for its clause's mood and persons, and after it for whom.
WINDOW_BEFORE, WINDOW_AFTER = 5, 3
MAX_LEAD = 3

CUE_NAMES = (
    "violent",
    "violent:imperative",
    "violent:wish",
    "violent:should",
    "violent:will",
    "violent:first_person",
    "violent:second_person",
    "violent:them",
    "violent:passive",
    "violent:report",
    "violent:negated",
    "violent:will+first_person",
    "violent:wish+second_person",
    "violent:should+them",
    "violent:imperative+them",
    "violent:imperative+second_person",
)


def token_class(token: str, stem: str) -> int:
    """The class bits of one token (its case-folded surface form and its stem)."""
    bits = WORD_CLASSES.get(token, 0)
    if stem in PROMOTION_STEMS:
        bits |= PROMOTIONAL
    if stem in VIOLENT_STEMS:
        bits |= VIOLENT
        if token.endswith("ed") or token in _IRREGULAR_PAST:
            bits |= PAST
        if token in _PHRASAL:
            bits |= PHRASAL
    if token in _PARTICLES:
        bits |= PARTICLE
    if "n't" in token or "n’t" in token:
        bits |= NEGATION
    if token == "but" or (token and all(c in ".!?;:" for c in token)):
        bits |= BOUNDARY
    return bits


def token_classes(tokens: Sequence[str], stems: Sequence[str]) -> np.ndarray:
    """:func:`token_class` of each token, as uint16."""
    return np.fromiter(
        (token_class(t, s) for t, s in zip(tokens, stems, strict=True)),
        dtype=np.uint16,
        count=len(tokens),
    )


def _clauses(classes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each token's clause (a number) and the position of its clause's first token. A clause
    ends with a boundary token (".", "!", "?", ";", ":", "but") or its document."""
    n = classes.size
    starts = np.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = (rows[1:] != rows[:-1]) | ((classes[:-1] & BOUNDARY) != 0)
    positions = np.arange(n)
    first = np.maximum.accumulate(np.where(starts, positions, 0))
    return np.cumsum(starts), first


def _around(classes: np.ndarray, clause: np.ndarray, at: np.ndarray, offsets: range) -> np.ndarray:
    """The classes of the tokens at ``at + k`` for ``k`` in ``offsets`` within the same
    clause, or-ed together."""
    n = classes.size
    found = np.zeros(at.size, dtype=np.uint16)
    for k in offsets:
        other = at + k
        inside = (other >= 0) & (other < n)
        other = np.clip(other, 0, max(n - 1, 0))
        same = inside & (clause[other] == clause[at])
        found |= np.where(same, classes[other], 0).astype(np.uint16)
    return found


def cue_features(classes: np.ndarray, rows: np.ndarray, n_documents: int) -> np.ndarray:
    """Per document, which of :data:`CUE_NAMES` its violent words have (0/1, float32).

    Parameters
    ----------
    classes : ndarray of uint16
        :func:`token_classes` of a batch's tokens, document after document.
    rows : ndarray of int
        Each token's document.
    n_documents : int
        Documents in the batch.
    """
    cues = np.zeros((n_documents, len(CUE_NAMES)), dtype=np.float32)
    violent = np.flatnonzero(classes & VIOLENT)
    if violent.size:  # "hang in there": a phrasal verb before its particle is not violent
        following = np.minimum(violent + 1, classes.size - 1)
        phrasal = (
            ((classes[violent] & PHRASAL) != 0)
            & (following > violent)
            & (rows[following] == rows[violent])
            & ((classes[following] & PARTICLE) != 0)
        )
        violent = violent[~phrasal]
    if not violent.size:
        return cues
    clause, first = _clauses(classes, rows)
    before = _around(classes, clause, violent, range(-1, -WINDOW_BEFORE - 1, -1))
    after = _around(classes, clause, violent, range(1, WINDOW_AFTER + 1))
    previous = _around(classes, clause, violent, range(-1, -2, -1))
    two_back = _around(classes, clause, violent, range(-2, -3, -1))
    not_lead = np.cumsum(np.concatenate(([0], (classes & LEAD) == 0)))
    lead_only = not_lead[violent] == not_lead[first[violent]]
    imperative = lead_only & (violent - first[violent] <= MAX_LEAD)
    has = {bit: (before & bit) != 0 for bit in (WISH, SHOULD, WILL, FIRST, NEGATION)}
    second = ((before | after) & SECOND) != 0
    them = ((before | after) & THEM) != 0
    passive = (previous & PASSIVE) != 0
    modal = has[WISH] | has[SHOULD] | has[WILL] | passive
    report = ((previous & REPORT) != 0) | (passive & ((two_back & REPORT) != 0))
    report |= ((classes[violent] & PAST) != 0) & ~modal
    tags = (
        np.ones(violent.size, dtype=bool),
        imperative,
        has[WISH],
        has[SHOULD],
        has[WILL],
        has[FIRST],
        second,
        them,
        passive,
        report,
        has[NEGATION],
        has[WILL] & has[FIRST],
        has[WISH] & second,
        has[SHOULD] & them,
        imperative & them,
        imperative & second,
    )
    documents = rows[violent]
    for column, tag in enumerate(tags):
        cues[documents[tag], column] = 1.0
    return cues
