"""A toy language model: the next word's probabilities after the last word typed, counted in a
dozen sentences (a bigram model), and a draw that shows generation samples from them."""

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from . import Manipulation, refuse, register

# The whole training corpus, written for this exercise. « . » ends a sentence.
CORPUS = [
    "le café est chaud .",
    "le café est prêt .",
    "le café est servi à la médiathèque .",
    "le matin le café est chaud .",
    "le chat dort sur le canapé .",
    "le chat boit du lait .",
    "je bois du café le matin .",
    "je bois du thé .",
    "je lis le journal le matin .",
    "la machine prédit le mot suivant .",
    "la machine ne comprend pas le texte .",
    "la machine calcule des probabilités .",
]
END = "."
SUGGESTIONS = ["le café est", "la machine", "je bois du", "le chat"]
MAX_LENGTH = 200
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\.")


def _bigrams(corpus: list[str]) -> dict[str, Counter]:
    table: dict[str, Counter] = defaultdict(Counter)
    for sentence in corpus:
        words = sentence.split()
        for word, following in zip(words, words[1:], strict=False):
            table[word][following] += 1
    return dict(table)


TABLE = _bigrams(CORPUS)


@dataclass(frozen=True)
class Candidate:
    word: str
    count: int
    probability: float

    @property
    def label(self) -> str:
        return "(fin de la phrase)" if self.word == END else self.word


def candidates(last_word: str) -> list[Candidate]:
    """The words seen after `last_word`, most frequent first, with count / total."""
    counts = TABLE.get(last_word, Counter())
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [Candidate(word, count, count / total) for word, count in ranked]


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", " ").replace("'", " "))


def _joined(words: list[str]) -> str:
    return " ".join(words).replace(" .", ".")


def state(fields, params) -> dict:
    text = fields.get("debut")
    if text is None:
        text = params.get("debut", "")
    if len(text) > MAX_LENGTH:
        refuse(f"Le début de phrase est trop long : {MAX_LENGTH} caractères au plus.")
    words = words_of(text)
    drawn = None
    if fields.get("tirer") is not None and words and words[-1] != END:
        options = candidates(words[-1])
        if options:
            drawn = random.choices(options, weights=[c.count for c in options])[0]
            words.append(drawn.word)
    last = words[-1] if words else None
    return {
        "text": _joined(words),
        "last_word": last,
        "ended": last == END,
        "candidates": candidates(last) if last and last != END else [],
        "drawn": drawn,
        "suggestions": SUGGESTIONS,
        "corpus": [_joined(sentence.split()) for sentence in CORPUS],
        "max_length": MAX_LENGTH,
    }


def _check_start(value) -> None:
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        raise ValueError(f"« debut » doit être un texte de {MAX_LENGTH} caractères au plus")


register(
    Manipulation(
        name="modele-de-langue",
        template="modele_langue.html",
        state=state,
        parameters={"debut": _check_start},
    )
)
