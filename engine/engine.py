"""The facade: the one place that wires the parts of the runtime.

    from nextkey.engine import Engine
    eng = Engine.load()                       # the default bundle shipped in the package
    eng.suggest("I would like to ", n=3)      # next words
    eng.suggest("I would like to se", n=3)    # completions of the word being typed

    with Engine.load(memory=True, learn=True) as eng:   # close() saves what was learned
        ...

``Engine.load`` opens the bundle (``Bundle.open`` checks the manifest, the
files and the tokenizer) and loads the model once, so a bad bundle fails at
load, not at the first keystroke. Each ``session()`` gets its own interpreter,
decoder and state stack over the shared bundle, vocabulary and user memory.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .bundle import Bundle, read_manifest
from .combiner import Combiner
from .tracker import Context
from .decoder import WordDecoder
from .errors import BundleError
from .keyboard import SlipModel
from .known import KnownWords
from .lang import bundle_pack, get_pack
from .memory import MemoryConfig, UserMemory, memory_config
from .pipeline import Pipeline, Suggestion
from .runner import Kernels, StepRunner
from .selector import Selector
from .session import Session
from .settings import EngineSettings, bundle_settings
from .sources import Source
from .sources.corrections import Corrections
from .sources.memory import MemorySource
from .sources.model import ModelSource
from .sources.contractions import Contractions
from .sources.compounds import Compounds
from .sources.prior import LexiconPrior
from .state import StateStack
from .text import check_n, check_text
from .vocab import Vocab
from .walk import LexiconWalk

DEFAULT_BUNDLE = Path(__file__).resolve().parent / "default_bundle"
DEFAULT_LANGUAGE = "en"  # the shipped bundle's
# Bundles of other languages shipped in the package: bundles/LANG (German: a 2.6 MB int8
# bundle, docs/languages.md says why it ships rather than being built on install).
SHIPPED_BUNDLES = Path(__file__).resolve().parent / "bundles"


def installed_bundle_dir(lang: str) -> Path:
    """Where the bundle of language ``lang`` is installed for ``Engine.load(lang=...)``:
    ``$XDG_DATA_HOME/nextkey/bundles/LANG`` (default ~/.local/share/nextkey/bundles/LANG)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "nextkey" / "bundles" / lang


FREQUENT_WORDS = 20_000  # a learned word one slip from one of the lexicon's this many first is a likely typo
# ... unless it is itself a word at most this many times further down the lexicon ("were" and
# "where" are both words; "becuase", which wordfreq lists, is 100 times rarer than "because")
SLIP_RANK_RATIO = 10


def near_slip(word: str, lexicon, slips, fold) -> bool:
    """Whether ``word`` is one slip (keyboard.py's slip model: a neighbouring key, two letters
    swapped, one left out or one extra) from one of the lexicon's FREQUENT_WORDS most
    frequent words ("teh" -> "the", "becuase" -> "because"), and not itself a word of
    comparable frequency (the lexicon, built from wordfreq, lists common slips far down)."""
    own = lexicon.index(word)
    low = fold(word)
    for meant in slips.meant(low):
        if len(meant) >= len(low) - 1:
            i = lexicon.index(meant)
            if i is not None and i < FREQUENT_WORDS and fold(lexicon.forms[i]) == meant \
                    and (own is None or own > SLIP_RANK_RATIO * max(i, 1)):
                return True
    return False


def shipped_languages() -> list[str]:
    """The languages of the bundles shipped in the package (the default's first)."""
    return [DEFAULT_LANGUAGE, *sorted(p.name for p in SHIPPED_BUNDLES.glob("*") if (p / "manifest.json").is_file()
                                      and p.name != DEFAULT_LANGUAGE)]


def bundle_for(lang: str) -> Path:
    """The bundle ``Engine.load(lang=lang)`` opens: the default bundle if it is in ``lang``,
    else the one installed in ``installed_bundle_dir(lang)`` (the user's own build wins),
    else the one shipped in ``SHIPPED_BUNDLES/lang``. Raises ValueError for an unknown
    language, BundleError (saying how to build one) when there is none."""
    get_pack(lang)
    if (DEFAULT_BUNDLE / "manifest.json").is_file() and read_manifest(DEFAULT_BUNDLE).data.get("language", "en") == lang:
        return DEFAULT_BUNDLE
    path = installed_bundle_dir(lang)
    if (path / "manifest.json").is_file():
        return path
    if (SHIPPED_BUNDLES / lang / "manifest.json").is_file():
        return SHIPPED_BUNDLES / lang
    raise BundleError(f"no {lang!r} bundle is installed: the package ships {shipped_languages()} only. Build one "
                      f"(docs/training.md: nextkey corpus --lang {lang}, nextkey train, nextkey export) and "
                      f"export it with --out {path}")


class Engine:
    def __init__(self, bundle: Bundle, settings: EngineSettings | None = None, memory: UserMemory | None = None,
                 learn: bool = False, num_threads: int = 1, kernels: Kernels = Kernels.DEFAULT):
        """``settings``: None for the bundle's own (its manifest's ``settings``). ``kernels``:
        which CPU kernels run the model (runner.Kernels)."""
        if settings is not None and not isinstance(settings, EngineSettings):
            raise TypeError(f"settings must be an EngineSettings (engine/settings.py; EngineSettings.from_dict "
                            f"reads a dict), got {type(settings).__name__}")
        self.bundle, self.num_threads, self.kernels = bundle, num_threads, Kernels(kernels)
        self.settings = settings = bundle_settings(bundle.manifest) if settings is None else settings
        self.manifest, self.sp = bundle.manifest, bundle.sp
        # Typo tolerance needs the lexicon (what the user may have meant).
        slips = settings.slips
        self.pack = bundle_pack(bundle.manifest)  # the bundle's language: every text rule comes from it
        self.slips = None
        if slips.enabled and bundle.lexicon is not None:
            self.slips = SlipModel(slips, self.pack, bundle.lexicon.has_prefix)
        # Without a store the memory lives in RAM: the blocklist applies and learn_text() lasts as long as the engine.
        self.memory = memory or UserMemory(MemoryConfig(path=None))
        # its shipped blocklist and endings (and for compounds, which rests are words)
        self.memory.add_language(self.pack, None if bundle.lexicon is None else bundle.lexicon.__contains__)
        self.vocab = Vocab(self.sp, self.manifest.eos_id, self.pack)
        self.walk = None if bundle.lexicon is None else LexiconWalk(self.vocab, bundle.lexicon)
        # Closed compounds (German): the rule of sources/compounds.py, without its model
        self._compound_rule = None if bundle.lexicon is None or not self.pack.closed_compounds else \
            Compounds(self.pack, bundle.lexicon, None, None)
        self.known = KnownWords(bundle.lexicon, self.memory, self.pack.misspellings, self.pack.fold,
                                None if self._compound_rule is None else self._compound_rule.is_compound)
        if bundle.lexicon is not None:  # the secrets rule and the slip rule of the memory read the lexicon
            lexicon, slips = bundle.lexicon, self.slips
            common = self.pack.is_common_alnum
            self.memory.is_common = lambda word: common(word) or word in lexicon
            if slips is not None:
                self.memory.near_slip = lambda word: near_slip(word, lexicon, slips, self.pack.fold)
        # The sources mixed into the model's words, in order (combiner.py), with the settings' weights.
        self.sources: list[Source] = []
        if bundle.lexicon is not None:
            self.sources.append(LexiconPrior(bundle.lexicon, settings.prior_words))
        self.sources.append(MemorySource(self.memory, settings.memory_words, settings.memory_pair_share, self.pack))
        self._session = self.session(learn=learn)  # loads and checks the model now, not on first use
        self.load_seconds = 0.0

    def add_source(self, source: Source, weight: float) -> None:
        """Mix another source into every session made after this call (and ``suggest``),
        after the others, with ``weight`` (a new entry of ``settings.weights``).
        Raises TypeError for an object that is not a Source (engine/sources/__init__.py),
        ValueError for a name already in use or a weight outside [0, 1)."""
        if not isinstance(source, Source):
            raise TypeError(f"{type(source).__name__} is not a Source: it needs name, active, "
                            "logprob(word, query, pos) and propose(query, pos) (engine/sources/__init__.py)")
        taken = {"model", *(s.name for s in self.sources)}
        if source.name in taken:
            raise ValueError(f"a source named {source.name!r} is already mixed in (names in use: {sorted(taken)})")
        self.settings = self.settings.with_weights(**{source.name: weight})
        self.sources.append(source)
        self._session = self.session(learn=self._session.learn)

    @classmethod
    def load(cls, path: str | Path | None = None, settings: EngineSettings | None = None,
             memory: MemoryConfig | str | Path | bool = False, learn: bool = False, num_threads: int = 1,
             kernels: Kernels = Kernels.DEFAULT, lang: str | list[str] | None = None) -> "Engine":
        """Open a bundle (None: the default bundle shipped in the package) and load its model.

        ``lang`` (a language pack's code, "en", "de"), with no ``path``: the bundle of that
        language: the shipped one if it is its language, else the one installed in
        ``installed_bundle_dir(lang)`` (``$XDG_DATA_HOME/nextkey/bundles/LANG``, where
        ``nextkey export --out`` puts it); with a ``path``: that bundle's manifest must
        name that language. ``settings``: None for the bundle's own. ``memory``: True for
        the user's store (XDG data dir), a path or a MemoryConfig for another, False for none
        (learning then lasts for the engine's life). ``learn``: whether ``suggest`` learns
        the words the user commits. Raises BundleError (a missing or bad bundle, none for
        ``lang``, or one of another language), ValueError (an unknown ``lang``),
        NotAStoreError (a memory path that is not a nextkey store).

        ``lang`` a list of two or more codes (``["en", "de"]``, or "en+de"): a MultiEngine typing in
        those languages at once (engine/multi.py), each from its ``lang`` bundle, or from
        ``path`` a list of as many bundle paths (None entries: the language's own)."""
        t0 = time.perf_counter()
        if isinstance(lang, str) and "+" in lang:
            lang = lang.split("+")  # "en+de", as nextkey's --lang takes it
        if lang is not None and not isinstance(lang, (str, list, tuple)):
            raise TypeError(f"lang must be a language code such as 'de', or a list of them, got {type(lang).__name__}")
        if isinstance(lang, (list, tuple)):
            if not all(isinstance(code, str) for code in lang):
                raise TypeError(f"lang must be language codes such as 'de', got {list(lang)!r}")
            if len(lang) == 1:
                lang = lang[0]
            else:
                from .multi import MultiEngine
                paths = path if isinstance(path, (list, tuple)) else None if path is None else [path]
                return MultiEngine.load(list(lang), paths, memory, learn, num_threads, kernels)
        if lang is not None:
            get_pack(lang)  # ValueError naming the known languages
        if path is None:
            path = DEFAULT_BUNDLE
            if not (path / "manifest.json").exists():
                raise BundleError(f"no default bundle is installed at {path}; pass a bundle path "
                                  "(nextkey export writes one)")
            if lang is not None:
                path = bundle_for(lang)
        bundle = Bundle.open(path)
        if lang is not None and bundle_pack(bundle.manifest).code != lang:
            raise BundleError(f"bundle {path} is in {bundle_pack(bundle.manifest).code!r}, not {lang!r}")
        cfg = memory_config(memory)
        store = UserMemory(cfg) if cfg is not None else None
        engine = cls(bundle, settings, store, learn, num_threads, kernels)
        engine.load_seconds = time.perf_counter() - t0
        return engine

    # -- wiring ---------------------------------------------------------------
    def new_runner(self) -> StepRunner:
        """A new interpreter of the bundle's ``step`` signature (one per thread; each holds its
        own unpacked weights): every session has one; batch work (perplexity, verification)
        makes its own."""
        m = self.manifest
        return StepRunner(m.model_path, m.vocab_size, m.state_size, self.num_threads, self.kernels)

    def session(self, text: str = "", learn: bool = False) -> Session:
        """A new typing session with its own interpreter (one per thread)."""
        runner = self.new_runner()
        m = self.manifest
        settings, fold = self.settings, self.pack.fold
        stack = StateStack(runner, self.encode, m.start_id, m.eos_id, self.pack)
        model = ModelSource(WordDecoder(runner, self.vocab, settings.decoder, self.walk), self.encode, fold)
        combiner = Combiner(self.sources, dict(settings.weights))
        rank, min_logp = settings.compound_rank, settings.compound_logprob
        selector = Selector(self.pack, self.memory.blocklist.is_blocked,
                            lambda stem, part, logp: self.known.compound_ok(stem, part, logp, rank, min_logp),
                            self._user_spelling,
                            None if self.bundle.lexicon is None else self.bundle.lexicon.has_form)
        corrections = None if self.slips is None else Corrections(self.slips, self.bundle.lexicon, model,
                                                                   combiner, fold)
        contractions = None if self.bundle.lexicon is None else Contractions(self.pack, self.bundle.lexicon, model,
                                                                             combiner)
        compounds = None if self._compound_rule is None else Compounds(self.pack, self.bundle.lexicon, model, combiner,
                                                                       self.memory.blocklist.is_blocked)
        pipeline = Pipeline(model, combiner, selector, corrections, self.known.known, contractions, compounds,
                            self.bundle.lexicon)
        return Session(stack, pipeline, self.memory, self.known, settings, self.pack, text, learn=learn)

    def _user_spelling(self, word: str) -> str | None:
        """The user's own spelling of ``word`` for the strip (memory.spelling), unless the
        lexicon has that spelling itself, or it is a frequent lowercase word capitalized
        ("Great" from "Great Britain", "Service"): there the model, which knows which case
        a context wants, decides. "GitHub", "iPhone" and rare words keep the user's."""
        spelling = self.memory.spelling(word)
        lexicon = self.bundle.lexicon
        if spelling is None or lexicon is None:
            return spelling
        if lexicon.has_form(spelling):
            return None
        if spelling[:1].isupper() and spelling[1:].islower():  # "Great" (Britain), "Service": a common word
            i = lexicon.index(spelling)                        # capitalized mid-sentence is part of a name
            if i is not None and i < FREQUENT_WORDS and lexicon.has_form(spelling.lower()):
                return None
        return spelling

    def encode(self, text: str) -> list[int]:
        return self.sp.encode(text)

    # -- the API --------------------------------------------------------------
    def suggest(self, text_before_cursor: str, n: int = 3) -> list[Suggestion]:
        """Word suggestions for the text before the cursor, best first.

        Incremental: a call whose text extends or edits the previous call's
        reuses the state of their shared words. Not thread-safe; use one
        ``session()`` per thread.
        """
        text = check_text(text_before_cursor)
        n = check_n(n)
        self._session.set_text(text)
        return self._session.suggest(n)

    def knows(self, word: str) -> bool:
        """Whether ``word`` is one the engine may offer: in the lexicon or learned from the
        user, or such words joined by hyphens (or, in German, a closed compound of nouns).
        Raises TypeError for a ``word`` that is not a str."""
        return self.known.knows(check_text(word))

    def context(self, text: str) -> Context:
        """What the model is fed for ``text`` (the committed units) and the word being typed
        (engine/tracker.py's Context): for ports and debugging."""
        return self._session.context(text)

    def learn_text(self, text: str) -> int:
        """Learn a whole text at once (e.g. the user's past messages); returns the word count."""
        return self.memory.learn_text(check_text(text))

    def close(self) -> None:
        """Save what was learned and release the store. Idempotent."""
        self.memory.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def info(self) -> dict:
        m = self.manifest
        return {"name": m.name, "path": str(m.path), "size_bytes": m.size_bytes(),
                "quantization": m.quantization, "vocab_size": m.vocab_size}
