"""Nearest examples: how close a message is to each intent's `examples`, on stemmed words (TF-IDF cosine)."""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from crm_crew.triage.language import detect_language
from crm_crew.triage.text import tokens

_STEMMER_NAMES = {"en": "english", "de": "german", "es": "spanish", "fr": "french", "pt": "portuguese"}
_lock = threading.Lock()
# Words that say nothing about intent in any of the five languages (folded).
_STOPWORDS = frozenset("""
a an the and or but if of to in on at for from by with about as is are was were be been am i me my we our us you
your it its this that these those there here have has had do does did can could would should will please hi hello
dear thanks thank regards kind best team so just also get got
der die das ein eine und oder ich mir mich wir uns sie ihr ihre ist sind war bitte hallo mit von zu fur auf den dem
des im es da dass
el la los las un una y o de del en por para con que yo me mi mis nos su sus es son hola gracias favor lo al se
le les des du et ou je moi mon ma mes nous vous votre vos est sont merci bonjour pour avec dans sur que qui au aux
o os as um uma e ou eu meu minha nos voce seu sua obrigado ola por para com que em no na do da dos das
""".split())


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(_STEMMER_NAMES.get(language, "english"))


def stems(text: str, language: str) -> list[str]:
    words = [w for w in tokens(text).words if w not in _STOPWORDS and not w.isdigit() and len(w) > 1]
    with _lock:
        return list(_stemmer(language).stemWords(words))


class ExampleIndex:
    """TF-IDF vectors of every intent's examples; a message's score per intent is its best cosine."""

    def __init__(self, examples: Mapping[str, Sequence[str]]) -> None:
        docs = [(intent, Counter(stems(text, detect_language(text))))
                for intent, texts in examples.items() for text in texts]
        df: Counter[str] = Counter(term for _, counts in docs for term in counts)
        n = max(len(docs), 1)
        self._idf = {term: math.log((1 + n) / (1 + count)) + 1.0 for term, count in df.items()}
        self._intents = [intent for intent, _ in docs]
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for i, (_, counts) in enumerate(docs):
            for term, weight in self._vector(counts).items():
                self._postings.setdefault(term, []).append((i, weight))

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        vec = {t: (1 + math.log(c)) * self._idf.get(t, 0.0) for t, c in counts.items() if t in self._idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def similarity(self, text: str, language: str) -> dict[str, float]:
        counts = Counter(stems(text, language))
        query = self._vector(counts)
        scores: dict[int, float] = {}
        shared: dict[int, int] = {}
        for term, weight in query.items():
            for doc, doc_weight in self._postings.get(term, ()):
                scores[doc] = scores.get(doc, 0.0) + weight * doc_weight
                shared[doc] = shared.get(doc, 0) + 1
        best: dict[str, float] = {}
        for doc, score in scores.items():
            if shared[doc] < 2 and shared[doc] / len(counts) < 0.3:
                continue            # one word in common with a longer message is chance, not likeness
            intent = self._intents[doc]
            if score > best.get(intent, 0.0):
                best[intent] = score
        return best
