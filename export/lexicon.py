"""Training text + the language's word-frequency list -> the bundle's lexicon.

The lexicon is the set of words the engine may offer, each with a prior
frequency. It is built from two sources:

- the training corpus's own word counts (``text.words`` over train.txt), which
  also decide each word's cased forms ("I", "Monday", "NASA"): a form is kept
  when it is at least ``min_form_share`` of the word's uses away from sentence
  starts (the language pack's rule, so "Smith" after "Dr." counts), colons and
  opening quotes (a capital there says nothing); a lowercase form the Hunspell
  dictionary knows only capitalized ("monday" of chat text) is dropped beside the
  capitalized one;
- ``wordfreq``'s list for the language (an export-time dependency only; the runtime
  reads the finished file), which brings real words the corpus lacks and
  steadies the frequencies of rare ones.

A word enters when it is among wordfreq's ``wordfreq_top`` words or occurs at
least ``min_corpus_count`` times in the corpus; its prior is the mean of its
two relative frequencies (a hyphenated word's is its corpus frequency alone:
wordfreq would answer the phrase its parts make). wordfreq splits contractions, so its list holds
fragments ("wouldn", "ll", "ve"): a word the corpus rarely has on its own is
left out when it is a contraction's stem (it + "'t" is a word) or has one or
two letters (short words need ``min_short_count`` uses; single letters other
than the pack's ("a" and "I") never enter). Apostrophes are folded to the
pack's first (one spelling per word; the engine shows the apostrophe the user
types). Every such fact is the language pack's (engine/lang/). Entries are cut, least frequent first,
to ``max_bytes``.

Typos in the corpus (chat text is full of them: "jsut", "definitly", "semster") would pass the
count rule and be offered as words. A word the corpus alone brings (not in wordfreq's list)
that is one edit (a letter left out, added, changed, or two swapped) from a listed word at
least ``typo_ratio`` times as frequent in the corpus is kept only if the language's Hunspell
dictionary knows it (``LanguagePack.hunspell``, read with spylls: Hunspell's own affix rules,
so "nobler", "gaily", "budged" stay): ``likely_typos``. Names (a word whose commonest form is
capitalized: "Nolte" beside "note") and rare terms with no frequent neighbour ("skrimshander")
are not asked about.

Text in one language holds another's words (German documentation keeps English "the", "to",
"must"; wordfreq's German list has them too): a pack's ``foreign_guard`` names languages whose
words are left out when far more frequent there (``foreign_words``), so "Ich bin " is not
completed with "to".

File format (docs/bundle-format.md): UTF-8 lines ``form<TAB>count``, most
frequent first, where count is the prior in occurrences per billion words
(an integer >= 1).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from nextkey.engine.lang import DEFAULT, LanguagePack, get_pack
from nextkey.engine.text import is_break

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class LexiconConfig:
    wordfreq_top: int = 60_000
    min_corpus_count: int = 3
    min_short_count: int = 20
    # a spelling kept beside a word's commonest one: 0.05 keeps "constitution" beside
    # "Constitution", which form.shape shows when the user types lowercase (valid KSR 0.5334 ->
    # 0.5336 over 0.2, test 0.5153 -> 0.5161, e-mail equal; docs/real-typing.md)
    min_form_share: float = 0.05
    max_bytes: int = 1_000_000
    language: str = "en"  # the language pack: wordfreq list, word rules, contractions
    # a corpus-only word one edit from a listed word this many times as frequent must be a
    # Hunspell word (likely_typos; 0: no check); the dictionaries' folder
    typo_ratio: float = 20.0
    hunspell_dir: str = "/usr/share/hunspell"
    # a word of a pack with ``foreign_guard`` is left out when its Zipf frequency (log10 per
    # billion words, wordfreq) in a guarded language is at least ``foreign_min_zipf`` and exceeds
    # its own language's by ``foreign_margin`` or more (foreign_words; German: 1,583 words out,
    # "the", "to", "must"; "man", "die", "Team", "Handy" stay)
    foreign_min_zipf: float = 3.0
    foreign_margin: float = 1.5
    # read the pack's Hunspell dictionary (likely typos, foreign words it knows, and for a pack
    # with folded letters: spellings and umlaut-less typos; False: none of these checks)
    hunspell: bool = True

    def __post_init__(self):
        get_pack(self.language)  # ValueError naming the known languages

    @classmethod
    def tiny(cls) -> "LexiconConfig":
        # (no typo check: a test's few sentences need no Hunspell; tests/test_lexicon_typos.py checks it)
        return cls(wordfreq_top=2_000, min_corpus_count=1, min_short_count=1, max_bytes=50_000, typo_ratio=0.0,
                   hunspell=False)


def _is_entry(word: str, pack: LanguagePack = DEFAULT) -> bool:
    parts = pack.fold(word).split("-")
    return pack.word_re.fullmatch(word) is not None and any(ch.isalpha() for ch in word) \
        and not any(ch.isdigit() for ch in word) and len(set(parts)) == len(parts) \
        and (len(parts) == 1 or not {parts[0], parts[-1]} & pack.hyphen_stop_words)  # not "it-it", "people-the"


def _edits1(word: str, alphabet: str) -> set[str]:
    """Every string one edit from ``word``: a letter deleted, two neighbours swapped, a letter
    replaced or inserted (Damerau's four; letters from ``alphabet``)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in alphabet}
    out |= {a + c + b for a, b in splits for c in alphabet}
    out.discard(word)
    return out


def hunspell_dictionary(pack: LanguagePack, folder: str):
    """The pack's Hunspell dictionary (spylls), or None when the pack names none. Raises
    FileNotFoundError naming the Debian package when its files are missing, ImportError
    naming the pip package when spylls is."""
    if not pack.hunspell:
        return None
    base = Path(folder) / pack.hunspell
    if not base.with_suffix(".dic").is_file() or not base.with_suffix(".aff").is_file():
        deb = "hunspell-" + pack.hunspell.lower().replace("_", "-")
        raise FileNotFoundError(f"the {pack.code!r} lexicon checks likely typos with Hunspell's {pack.hunspell}, "
                                f"not found in {folder}: apt-get install {deb} (or LexiconConfig(typo_ratio=0))")
    try:
        from spylls.hunspell import Dictionary
    except ImportError:
        raise ImportError("the lexicon's typo check reads Hunspell dictionaries with spylls: "
                          "pip install -e '.[train]' (or pip install spylls)") from None
    return Dictionary.from_files(str(base))


def likely_typos(corpus_only: set[str], listed: set[str], counts: Counter, forms: dict, cfg: "LexiconConfig",
                 pack: LanguagePack = DEFAULT, dictionary=None) -> set[str]:
    """The keys of ``corpus_only`` (words the corpus brings, folded) that look like typos: one
    edit from a key of ``listed`` at least ``cfg.typo_ratio`` times as frequent in the corpus,
    and unknown to the pack's Hunspell dictionary in their commonest form."""
    if cfg.typo_ratio <= 0 or not cfg.hunspell:
        return set()
    dictionary = dictionary or hunspell_dictionary(pack, cfg.hunspell_dir)
    if dictionary is None:
        return set()
    alphabet = "".join(sorted({ch for k in listed for ch in k if ch.isalpha()}))
    typos = set()
    for key in corpus_only:
        seen = counts.get(key, 0)
        if len(key) < 3 or not key.isalpha() or seen <= 0:
            continue
        if not any(counts.get(n, 0) >= cfg.typo_ratio * seen for n in _edits1(key, alphabet) if n in listed):
            continue
        form = forms[key].most_common(1)[0][0] if forms.get(key) else key
        if form[:1].isupper():
            continue  # a name ("Nolte" beside "note"): Hunspell lists few; typos are lowercase
        if not (dictionary.lookup(form) or dictionary.lookup(key)):
            typos.add(key)
    return typos


def _capitalized(word: str) -> str:
    return word[:1].upper() + word[1:]


def _marks_stripped(word: str) -> str:
    """``word`` without its letters' diacritics ("Mädchen" -> "Madchen"; ß is no diacritic)."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


def unmarked_typos(keys: set[str], spelled: dict[str, str], freq: dict[str, float], dictionary,
                   cfg: LexiconConfig, pack: LanguagePack) -> set[str]:
    """Keys spelled without a word's umlauts ("madchen", "konnen", "fur": wordfreq counts text
    typed on keyboards without them) when the marked word is at least ``cfg.typo_ratio`` times
    as frequent (``freq``: per key) and the dictionary knows neither the unmarked spelling nor
    it capitalized. The engine still finds "Mädchen" for "madch" (its corrections): the entry
    only offered the misspelling beside, or before, the word. ``spelled``: each key's spelling."""
    out = set()
    for key, word in spelled.items():
        plain = _marks_stripped(word)
        if plain == word:
            continue
        k = pack.fold(plain)
        if k in keys and k != key and freq.get(key, 0) >= cfg.typo_ratio * freq.get(k, 0) \
                and not (dictionary.lookup(plain) or dictionary.lookup(_capitalized(plain))):
            out.add(k)
    return out


def dictionary_spelling(word: str, dictionary, pack: LanguagePack) -> str:
    """The spelling of a lowercase ``word`` that the corpus never showed mid-sentence, as the
    pack's Hunspell dictionary has it: ``word`` itself if known, else capitalized (a noun or a
    name: "haus" -> "Haus", "peter" -> "Peter"), else with its folded letters restored
    ("grüsse" -> "Grüße", "spass" -> "Spaß": wordfreq's German list writes ß as ss), lowercase
    then capitalized; ``word`` when none is known."""
    variants = [word]
    for letter, folded in pack.fold_letters:
        if folded in word and len(variants) < 8:
            variants += [v.replace(folded, letter, 1) for v in variants] + [v.replace(folded, letter) for v in variants]
    for v in dict.fromkeys(variants):
        for form in (v, _capitalized(v)):
            if dictionary.lookup(form):
                return form
    return word


def _capital_only(form: str, dictionary) -> bool:
    """Whether a lowercase ``form`` is a name or a noun written small: the dictionary knows it
    only capitalized ("monday", "london", "christmas" of chat text beside "Monday"; German
    "haus"). Such a form is dropped beside the key's capitalized one (the user's own lowercase
    spelling is still shown as typed once typed in full, and learned: form.shape)."""
    return form.islower() and "-" not in form and not dictionary.lookup(form) \
        and dictionary.lookup(_capitalized(form))


def _belongs(key: str, keys: set[str], counts: Counter, cfg: LexiconConfig, pack: LanguagePack = DEFAULT) -> bool:
    seen = counts.get(key, 0)
    if len(key) == 1:
        return key in pack.single_letter_words
    if len(key) == 2:
        return seen >= cfg.min_short_count and key not in pack.contraction_tails
    wholes = [counts.get(key + end, 0) for end in pack.contraction_endings if key + end in keys]
    if wholes:  # a stem ("didn"): only if the corpus uses it on its own, not as a split "didn't"
        return seen >= max(cfg.min_corpus_count, 0.05 * max(wholes))
    return True


def foreign_words(words, pack: LanguagePack, cfg: LexiconConfig = LexiconConfig(), dictionary=None) -> set[str]:
    """The words of ``words`` that belong to one of ``pack.foreign_guard``'s languages rather
    than to the pack's: Zipf frequency there >= ``cfg.foreign_min_zipf`` and at least
    ``cfg.foreign_margin`` above the pack's own (wordfreq's ``zipf_frequency``, which lowercases),
    and unknown to the pack's Hunspell ``dictionary`` when one is given (German "Not", as in
    "zur Not", is English "not" to wordfreq). Hyphenated words are kept (wordfreq answers their
    parts). Empty for a pack with no guard."""
    if not pack.foreign_guard:
        return set()
    import wordfreq

    out = set()
    for w in words:
        if "-" in w:
            continue
        own = wordfreq.zipf_frequency(w, pack.wordfreq_code)
        for code in pack.foreign_guard:
            there = wordfreq.zipf_frequency(w, code)
            if there >= cfg.foreign_min_zipf and there - own >= cfg.foreign_margin:
                if dictionary is None or not dictionary.lookup(w):
                    out.add(w)
                break
    return out


def _capital_says_nothing(line: str, start: int, pack: LanguagePack) -> bool:
    """Whether the word at ``start`` is where a capital is due whatever the word: a
    sentence start (the pack's rule), or after a colon or an opening quote."""
    before = line[:start].rstrip()
    if not before or before[-1] == ":" or (before[-1] in pack.opening_quotes and before[-1] not in pack.apostrophes):
        return True
    chunk = start
    while chunk and not line[chunk - 1].isspace():
        chunk -= 1
    if line[chunk:start].strip(pack.opening_quotes):  # inside a chunk ("well-Known"): no sentence start
        return False
    end = start
    while end < len(line) and not line[end].isspace():
        end += 1
    parts = before.rsplit(None, 1)  # (the head: a multi-part abbreviation's leading parts, "d." of "d. h.")
    return is_break(parts[-1], line[chunk:end], pack, parts[0][-32:] if len(parts) == 2 else "")


def count_corpus(path: Path, pack: LanguagePack = DEFAULT, spellings: dict[str, Counter] | None = None
                 ) -> tuple[Counter, dict[str, Counter]]:
    """Folded-key counts, and the cased forms seen away from sentence starts, per key.
    ``spellings``: filled, when given, with each key's lowercase spellings ("schön" for the
    German key "schoen"), for a pack whose fold is more than lowercase."""
    counts: Counter = Counter()
    forms: dict[str, Counter] = defaultdict(Counter)
    seen: dict[str, tuple[str, str | None]] = {}  # token -> (its plain spelling, folded key or None: no entry)
    with open(path, encoding="utf-8") as f:
        for line in f:
            for i, m in enumerate(pack.word_re.finditer(line)):
                token = m.group(0)
                known = seen.get(token)
                if known is None:  # (a corpus repeats its tokens: 6.6M tokens, ~0.2M distinct in corpus-v3)
                    w = pack.plain_apostrophes(token)
                    known = seen[token] = (w, pack.fold(w) if _is_entry(w, pack) else None)
                w, key = known
                if key is None:
                    continue
                counts[key] += 1
                if spellings is not None:
                    spellings.setdefault(key, Counter())[pack.plain_apostrophes(w.lower())] += 1
                if i > 0 and not _capital_says_nothing(line, m.start(), pack):
                    forms[key][w] += 1
    return counts, forms


def build_lexicon(corpus_train: Path, cfg: LexiconConfig = LexiconConfig()) -> list[tuple[str, int]]:
    """(form, count per billion words), most frequent first."""
    import wordfreq

    pack = get_pack(cfg.language)
    # A key is no spelling when the fold is more than lowercase (German "schoen"): a word never
    # seen away from sentence starts is shown in its commonest lowercase spelling ("schön"),
    # from the corpus or else from wordfreq's list (which spells with umlauts).
    spellings: dict[str, Counter] | None = {} if pack.fold_letters else None
    counts, forms = count_corpus(corpus_train, pack, spellings)
    total = max(sum(counts.values()), 1)
    dictionary = hunspell_dictionary(pack, cfg.hunspell_dir) if cfg.hunspell else None
    listed = [w for w in wordfreq.top_n_list(pack.wordfreq_code, cfg.wordfreq_top) if _is_entry(w, pack)]
    # wordfreq's frequency of a key: of its listed spellings ("schön"), not of the folded key
    # ("schoen", which wordfreq barely knows: German words with umlauts got 1/100 of theirs)
    listed_freq: dict[str, float] = {}
    if spellings is not None:
        for w in listed:
            spellings.setdefault(pack.fold(w), Counter())[pack.plain_apostrophes(w)] += 0.5  # corpus first
            listed_freq[pack.fold(w)] = listed_freq.get(pack.fold(w), 0.0) + wordfreq.word_frequency(w, pack.wordfreq_code)

    keys = {pack.fold(w) for w in listed}
    listed_keys = set(keys)
    corpus_only = {k for k, c in counts.items() if c >= cfg.min_corpus_count} - listed_keys
    typos = likely_typos(corpus_only, listed_keys, counts, forms, cfg, pack, dictionary)
    keys |= corpus_only - typos
    keys = {k for k in keys if _belongs(k, keys, counts, cfg, pack)}
    # each key's commonest lowercase spelling (the key itself where the fold is lowercase)
    spelled = {k: spellings[k].most_common(1)[0][0] if spellings is not None else k for k in keys}
    prior = {}
    for key in keys:
        if "-" in key:  # wordfreq splits at hyphens and answers a phrase's frequency: the corpus alone
            prior[key] = counts.get(key, 0) / total
        else:
            wf = listed_freq.get(key) or wordfreq.word_frequency(spelled[key], pack.wordfreq_code)
            prior[key] = 0.5 * wf + 0.5 * counts.get(key, 0) / total
    unmarked: set[str] = set()
    if spellings is not None and dictionary is not None and cfg.typo_ratio > 0:
        unmarked = unmarked_typos(keys, spelled, prior, dictionary, cfg, pack)
    entries: list[tuple[str, float]] = []
    for key in keys - unmarked:
        p = prior[key]
        if p <= 0:
            continue
        seen = forms.get(key)
        shown = sum(seen.values()) if seen else 0
        kept = [(w, c / shown) for w, c in seen.most_common() if c / shown >= cfg.min_form_share] if shown else []
        if dictionary is not None and len(kept) > 1:
            kept = [(w, c) for w, c in kept if not _capital_only(w, dictionary)] or kept
        if not kept:
            w = spelled[key]
            if spellings is not None and dictionary is not None and "-" not in w:
                w = dictionary_spelling(w, dictionary, pack)
            kept = [(w, 1.0)]
        norm = sum(s for _, s in kept)
        entries.extend((w, p * s / norm) for w, s in kept)
    foreign = foreign_words({w for w, _ in entries}, pack, cfg, dictionary)
    entries = [e for e in entries if e[0] not in foreign]
    entries.sort(key=lambda e: (-e[1], e[0]))
    out, size = [], 0
    for w, p in entries:
        line = f"{w}\t{max(1, round(p * 1e9))}\n"
        size += len(line.encode("utf-8"))
        if size > cfg.max_bytes:
            break
        out.append((w, max(1, round(p * 1e9))))
    log.info("lexicon: %d entries (%d candidates), %d corpus words; left out: %d likely typos, %d spelled "
             "without their umlauts, %d foreign words", len(out), len(entries), len(counts), len(typos),
             len(unmarked), len(foreign))
    return out


def write_lexicon(entries: list[tuple[str, int]], path: Path) -> None:
    path.write_text("".join(f"{w}\t{c}\n" for w, c in entries), encoding="utf-8")
