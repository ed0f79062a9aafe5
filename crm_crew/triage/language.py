"""Which language a message is written in, among those triage knows (langid's bundled model, no network)."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

SUPPORTED = ("en", "de", "es", "fr", "pt")
FALLBACK = "en"
_MIN_LETTERS = 12            # shorter texts carry too little evidence: the fallback language
_MIN_PROBABILITY = 0.6
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's bundled model, decompressed in memory (its own loader spools it through a temporary file,
    which fails where the temp folder is read-only, full or size-limited)."""
    import io
    import lzma

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    from py3langid.modelio import _to_array

    with lzma.open(MODEL_DIR / MODEL_FILE) as packed, np.load(io.BytesIO(packed.read()), allow_pickle=False) as data:
        identifier = LanguageIdentifier(np.asarray(data["ptc"]), np.asarray(data["pc"]), data["classes"].tolist(),
                                        _to_array(data["nextmove"]), data["out_feat"].tolist(), norm_probs=True,
                                        tk_row=_to_array(data["nextmove_row"]))
    identifier.set_languages(list(SUPPORTED))
    return identifier


def detect_language(text: str) -> str:
    """An ISO 639-1 code from SUPPORTED; the fallback when the text is too short or too ambiguous."""
    if sum(ch.isalpha() for ch in text) < _MIN_LETTERS:
        return FALLBACK
    with _lock:
        language, probability = _identifier().classify(text[:2000])
    return language if probability >= _MIN_PROBABILITY else FALLBACK
