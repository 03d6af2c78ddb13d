"""Typing in two (or more) languages at once: one Engine per language over one user memory.

    from nextkey.engine import Engine
    eng = Engine.load(lang=["en", "de"])      # a MultiEngine
    eng.suggest("Thanks for the help. Bis morgen und vie", n=3)
    eng.shares("...")                          # {"en": 0.02, "de": 0.98}: the current sentence's language

Every language's session follows the same text and keeps its own state stack, so each
model always holds the context (feeding a committed word costs its pieces, as in one
language). Which language the sentence being typed is in is a hidden Markov chain over
sentences: each sentence is emitted by one language with the probability that
language's model gives its words (``Snapshot.logprob``: both models score the same
characters, so the numbers compare although the tokenizers differ), and the language
changes between two sentences with probability ``switch`` (the small penalty for
switching). The forward algorithm (Rabiner 1989, "A tutorial on hidden Markov models",
eq. 19-20) over the two sentences before it and the words committed in it gives each
language's share of the sentence being typed. (The model's context is the sentence
alone, so each earlier sentence is scored once, fed from the start, and kept.)

The strip is the most likely language's alone, unless another has at least ``mix_share``
of the sentence (a sentence start after a sentence of the other language, a first word
that fits both): then the languages above that share are predicted and their words
mixed by score + log(share), the same word kept once. The words of a language below
``mix_share`` are never computed, so a settled sentence costs one search, as one
language does.

The user memory is shared (one store, keys the same in every language); it blocks the
shipped words of every language loaded. The first language's session learns the words
committed (when learning is on), with that language's rules for words and sentences.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

from .bundle import Bundle
from .engine import Engine, bundle_for, near_slip
from .errors import BundleError
from .lang import bundle_pack, get_pack
from .memory import MemoryConfig, UserMemory, memory_config
from .pipeline import Suggestion
from .runner import Kernels
from .session import Session
from .text import check_n, check_text, sentence_start, split_sentences


EARLIER_SENTENCES = 2  # sentences before the current one that say which language it continues
EARLIER_CHARS = 400  # ... looked for in this many characters before it
EARLIER_UNITS = 16  # its last words tell its language (fewer steps at the first keystroke of a sentence)


@dataclass(frozen=True)
class MultiSettings:
    """``switch``: the probability that a sentence is in another language than the one
    before it; ``mix_share``: the share of the sentence a second language needs to have
    its words in the strip. Chosen on the validation splits (``python bench/mixed_language.py
    --split valid --grid``, reports/mixed_language_grid.json: KSR 0.5091 against 0.4967 to
    0.5085 for the other three of switch 0.03/0.1 x mix_share 0.02/0.06); that text
    changes language every sentence, which favours a large ``switch``."""

    switch: float = 0.1
    mix_share: float = 0.02

    def __post_init__(self):
        if not 0.0 < self.switch < 1.0:
            raise ValueError(f"switch must be a probability in (0, 1), got {self.switch!r}")
        if not 0.0 < self.mix_share <= 0.5:
            raise ValueError(f"mix_share must be in (0, 0.5], got {self.mix_share!r}")


def _logsumexp(values: list[float]) -> float:
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))


def language_shares(earlier: list[list[float]], current: list[list[tuple[str, float]]], switch: float) -> list[float]:
    """Each language's share of the sentence being typed (the shares sum to 1).

    ``earlier[s][l]``: the log-probability language l's model gives the s-th of the
    sentences before, oldest first; ``current[l]``: language l's (unit, log-probability)
    for the committed units of the sentence being typed (``Session.unit_logprobs``),
    compared on the units all languages hold (aligned from the end: a language's rules
    may start the sentence elsewhere). The forward algorithm over the sentences, with
    probability ``switch`` of a change between two; uniform before the first."""
    k = len(current)
    m = min(len(c) for c in current)
    while m and len({tuple(u for u, _ in c[len(c) - m:]) for c in current}) > 1:
        m -= 1
    log_stay, log_move = math.log(1.0 - switch), math.log(switch / max(k - 1, 1))
    alpha = [-math.log(k)] * k
    for scores in earlier:
        alpha = _step(alpha, scores, log_stay, log_move)
    now = [sum(lp for _, lp in c[len(c) - m:]) if m else 0.0 for c in current]
    last = _step(alpha, now, log_stay, log_move)
    total = _logsumexp(last)
    return [math.exp(a - total) for a in last]


def _step(alpha: list[float], emitted: list[float], log_stay: float, log_move: float) -> list[float]:
    k = len(alpha)
    return [emitted[j] + _logsumexp([alpha[i] + (log_stay if i == j else log_move) for i in range(k)])
            for j in range(k)]


class MultiSession:
    """A typing session in several languages: each language's Session follows the text."""

    def __init__(self, engine: "MultiEngine", sessions: list[Session]):
        self.engine, self.sessions = engine, sessions
        self.last_shares: dict[str, float] = {}  # the shares the last suggest() used
        self._scored: dict[str, list[float]] = {}  # finished sentence -> each language's log-probability

    @property
    def text(self) -> str:
        return self.sessions[0].text

    @property
    def learn(self) -> bool:
        return self.sessions[0].learn

    def set_text(self, text: str) -> None:
        for s in self.sessions:
            s.set_text(text)

    def type(self, chars: str) -> None:
        for s in self.sessions:
            s.type(chars)

    def backspace(self, k: int = 1) -> None:
        for s in self.sessions:
            s.backspace(k)

    def accept(self, suggestion: Suggestion | str) -> None:
        for s in self.sessions:
            s.accept(suggestion)

    def context(self, text: str | None = None):
        return self.sessions[0].context(text)

    def shares(self) -> dict[str, float]:
        """Each language's share of the sentence being typed (language_shares), from it and
        the ``EARLIER_SENTENCES`` before it (within the last ``EARLIER_CHARS`` characters;
        each scored once per language and kept: the model's context is the sentence alone)."""
        text, pack = self.text, self.sessions[0].pack
        start = sentence_start(text, pack)
        earlier = [s for s in split_sentences(text[max(0, start - EARLIER_CHARS):start], pack) if s]
        if start > EARLIER_CHARS and earlier:
            earlier = earlier[1:]  # the first may be cut
        scores = [self._scores(s) for s in earlier[-EARLIER_SENTENCES:]]
        current = [s.unit_logprobs() for s in self.sessions]
        return dict(zip(self.engine.languages, language_shares(scores, current, self.engine.multi.switch)))

    def _scores(self, sentence: str) -> list[float]:
        """Each language's log-probability of a finished ``sentence`` (its whitespace chunks
        fed from the start, as the tracker would commit them), memoized."""
        found = self._scored.get(sentence)
        if found is None:
            if len(self._scored) >= 256:
                self._scored.clear()
            units = sentence.split()[-EARLIER_UNITS:]
            found = self._scored[sentence] = [s.stack.score_units(units) for s in self.sessions]
        return found

    def suggest(self, n: int = 3) -> list[Suggestion]:
        """At most ``n`` suggestions: the likely language's, mixed with another's when it has
        at least ``mix_share`` of the sentence (module docstring)."""
        n = check_n(n)
        if n == 0:
            return []
        shares = self.last_shares = self.shares()
        ranked = sorted(zip(self.sessions, shares.values()), key=lambda p: -p[1])
        used = [(s, w) for s, w in ranked if w >= self.engine.multi.mix_share] or ranked[:1]
        if len(used) == 1:
            return used[0][0].suggest(n)
        best: dict[str, Suggestion] = {}
        for session, share in used:
            for sug in session.suggest(n):
                mixed = Suggestion(sug.word, sug.score + math.log(share), sug.kind, sug.corrected)
                key = sug.word
                if key not in best or mixed.score > best[key].score:
                    best[key] = mixed
        return sorted(best.values(), key=lambda s: -s.score)[:n]


class MultiEngine:
    """Several languages typed at once (module docstring). The same API as Engine:
    ``suggest``, ``session``, ``knows``, ``learn_text``, ``close``; ``shares(text)``
    says which language the engine takes the sentence to be in."""

    def __init__(self, engines: list[Engine], multi: MultiSettings = MultiSettings(), learn: bool = False):
        """``engines``: one per language, all over the same UserMemory. Raises ValueError
        for fewer than two, two of one language, or engines with different memories."""
        if len(engines) < 2:
            raise ValueError("a MultiEngine needs two languages or more (Engine.load(lang=...) for one)")
        self.languages = [e.pack.code for e in engines]
        if len(set(self.languages)) < len(self.languages):
            raise ValueError(f"each language once, got {self.languages}")
        memory = engines[0].memory
        if any(e.memory is not memory for e in engines):
            raise ValueError("the engines of a MultiEngine share one user memory")
        self.engines, self.multi, self.memory = engines, multi, memory
        # The memory's rules over every language: a word is common if one language has it; a
        # learned word is a slip when one slip from a frequent word of one language and no
        # other language's lexicon has it ("wer" is no slip of "we" for someone typing German).
        lexicons = [e.bundle.lexicon for e in engines if e.bundle.lexicon is not None]
        memory.is_common = lambda w: any(e.pack.is_common_alnum(w) for e in engines) or any(w in x for x in lexicons)
        slip_checks = [(e.bundle.lexicon, e.slips, e.pack.fold) for e in engines
                       if e.bundle.lexicon is not None and e.slips is not None]

        def slip(word: str) -> bool:
            slipped = [near_slip(word, lx, sl, fold) for lx, sl, fold in slip_checks]
            return any(slipped) and not any(lx.index(word) is not None
                                            for (lx, _, _), s in zip(slip_checks, slipped) if not s)

        memory.near_slip = slip
        self._session = self.session(learn=learn)
        self.load_seconds = 0.0

    @classmethod
    def load(cls, langs: list[str], paths: list[str | Path | None] | None = None,
             memory: MemoryConfig | bool = False, learn: bool = False, num_threads: int = 1,
             kernels: Kernels = Kernels.DEFAULT, multi: MultiSettings = MultiSettings()) -> "MultiEngine":
        """One engine per language code of ``langs`` (the first is the user's main language:
        its rules learn the words), each from ``paths[i]`` or, where None, from the bundle
        Engine.load(lang=...) would open. ``memory``: as Engine.load (one store for all).
        Raises ValueError (an unknown or repeated language, paths of another length),
        BundleError (a missing bundle, or one of another language)."""
        t0 = time.perf_counter()
        langs = list(langs)
        for code in langs:
            get_pack(code)
        paths = [None] * len(langs) if paths is None else list(paths)
        if len(paths) != len(langs):
            raise ValueError(f"{len(paths)} bundle paths for {len(langs)} languages")
        store = UserMemory(memory_config(memory) or MemoryConfig(path=None))
        try:
            engines = []
            for code, path in zip(langs, paths):
                bundle = Bundle.open(bundle_for(code) if path is None else path)
                if bundle_pack(bundle.manifest).code != code:
                    raise BundleError(f"bundle {bundle.manifest.path} is in {bundle_pack(bundle.manifest).code!r}, "
                                      f"not {code!r}")
                engines.append(Engine(bundle, None, store, False, num_threads, kernels))
            engine = cls(engines, multi, learn)
        except BaseException:
            store.close()
            raise
        engine.load_seconds = time.perf_counter() - t0
        return engine

    def session(self, text: str = "", learn: bool = False) -> MultiSession:
        """A new typing session (one per thread); with ``learn``, the first language's
        session learns what is committed (the memory is shared: learned once)."""
        return MultiSession(self, [e.session(text, learn=learn and i == 0) for i, e in enumerate(self.engines)])

    def suggest(self, text_before_cursor: str, n: int = 3) -> list[Suggestion]:
        """As Engine.suggest, in the languages' mix (module docstring)."""
        text = check_text(text_before_cursor)
        n = check_n(n)
        self._session.set_text(text)
        return self._session.suggest(n)

    def shares(self, text_before_cursor: str) -> dict[str, float]:
        """Each language's share of the sentence at the end of the text (language code -> share)."""
        self._session.set_text(check_text(text_before_cursor))
        return self._session.shares()

    def knows(self, word: str) -> bool:
        """Whether one of the languages knows ``word`` (Engine.knows)."""
        return any(e.knows(word) for e in self.engines)

    def learn_text(self, text: str) -> int:
        return self.engines[0].learn_text(text)

    def close(self) -> None:
        self.memory.close()

    def __enter__(self) -> "MultiEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def pack(self):
        """The first language's pack (its word rules for evaluation; each session uses its own)."""
        return self.engines[0].pack

    @property
    def settings(self):
        """The first language's settings (its slip model's layout is the one shown)."""
        return self.engines[0].settings

    @property
    def info(self) -> dict:
        """As Engine.info, over the languages: name "en+de", their sizes summed."""
        infos = [e.info for e in self.engines]
        return {"name": "+".join(self.languages), "path": [i["path"] for i in infos],
                "size_bytes": sum(i["size_bytes"] for i in infos),
                "quantization": "/".join(dict.fromkeys(i["quantization"] for i in infos)),
                "vocab_size": [i["vocab_size"] for i in infos], "languages": self.languages}
