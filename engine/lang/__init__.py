"""Language packs: every fact about one language that text handling needs, as data.

A pack says what a word is (its letters and the marks inside it), how words
are folded for matching, where a sentence ends (the enders, quotes and
brackets around them, abbreviations), the casing rule for words such as "I",
the contraction facts the lexicon export needs, the hyphen rule, the keyboard
layouts and the letters the typo model may insert, the shipped blocklist, the
control characters dropped from input, and the wordfreq language code.

Training (train/corpus.py, export/lexicon.py) and the engine read the same
pack, so a sentence or a word is cut the same way in both; the rules that read
a pack (the sentence rule, the word pattern) live in engine/text.py. A bundle's
manifest names its language; ``get_pack(code)`` returns its pack. A second
language is a new module beside en.py plus its entry in ``_MODULES``.

The sentence rule a pack parameterizes (engine/text.py applies it):

- A sentence ends after a chunk (a run of non-space characters) that ends in
  one of ``sentence_enders`` (perhaps followed by ``closing_quotes``) and is
  followed by whitespace, or at a line break. "3.5" and "10.30" never end one:
  no whitespace follows their period.
- Never after one of ``abbreviations`` ("Mr.", "e.g.") or an initial ("F.",
  "U.S."), each with its own period last.
- After one of ``soft_abbreviations`` ("etc."), a lowercase dotted form ("a.m.",
  "p.m.") or one of ``ellipses`` ("...", "…"), with or without closing quotes:
  only when the next word starts with a capital letter (perhaps after
  ``opening_quotes``).
- Never after a part of an abbreviation written with spaces inside ("z. B",
  "d. h" in ``abbreviations``, written so): not after a leading part ("z."),
  and after the last part ("B.") when the chunks before it are the leading
  parts; such an abbreviation in ``soft_abbreviations`` ("u. a") is soft.
  Written without the spaces ("z.B.") it is one chunk, matched as well.
- Never after a number of at most ``ordinal_digits`` digits (German ordinals:
  "am 3. Oktober").
- After any other sentence end, when ``capital_after_end`` is set: only when
  the next word starts with a capital letter or a digit (perhaps after an
  opening quote or bracket).

While the user types, the next word is unknown until it is followed by
whitespace: a break that depends on it is decided as if the text ended there.
The text's end itself counts as a break after a plain sentence end ("It was
late. " capitalizes the next word), never after a soft abbreviation or an
ellipsis ("eggs, etc. " does not). Each pack's module says why its lists and
``capital_after_end`` are what they are (en.py for English).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

from ..errors import BundleError

# code -> the module (in this package) whose PACK is that language's pack
_MODULES = {"en": "en", "de": "de"}

# One keyboard row as typed, and its offset in key widths (a staggered layout).
Row = tuple[str, float]


@dataclass(frozen=True)
class LanguagePack:
    """One language's text facts. All fields are plain data; the rules that
    read them are in engine/text.py (sentences, words) and the few methods below."""

    code: str  # the language's code, as a bundle's manifest names it ("en")
    wordfreq_code: str  # the wordfreq list the lexicon export reads (export/lexicon.py)
    # Characters that join the parts of a word: apostrophes (the first is the one
    # words are folded to) and hyphens ("don't", "don’t", "well-known").
    apostrophes: str
    hyphens: str
    # A regex character class: characters dropped from all text (input and training
    # text alike); other whitespace-like controls are kept and act as spaces.
    control: str
    # -- sentences (the rule above) --
    sentence_enders: str  # characters that end a sentence (". ! ? …")
    closing_quotes: str  # may follow an ender ('He said "Go."')
    opening_quotes: str  # may come before the next sentence's first letter ('"Go')
    abbreviations: frozenset[str]  # never end a sentence, written without their last period ("Dr", "e.g")
    soft_abbreviations: frozenset[str]  # end a sentence only before a capital ("etc")
    ellipses: tuple[str, ...]  # end a sentence only before a capital ("...", "…")
    capital_after_end: bool  # a plain sentence end needs a capital or digit next (see the module docstring)
    # -- words --
    capitalized_words: frozenset[str]  # shown capitalized, alone or before an apostrophe ("I", "I'm")
    single_letter_words: frozenset[str]  # the one-letter words the lexicon admits (folded)
    contraction_tails: frozenset[str]  # split-off contraction parts that are no word ("ll", "ve")
    contraction_endings: tuple[str, ...]  # a word + one of these is a contraction ("didn" + "'t")
    # The contractions people type without the apostrophe ("dont", "im"), folded: the
    # strip offers the contraction for its bare spelling (sources/contractions.py).
    contractions: frozenset[str]
    # Bare spellings that are words of their own ("ill", "were", "its"): offered beside
    # the contraction, by context; any other bare spelling is only a misspelling.
    bare_words: frozenset[str]
    # Endings of inflected and possessive forms, (ending, what replaces it for the base
    # form): a blocked word blocks every form these lead back to it ("jerks" -> "jerk").
    inflections: tuple[tuple[str, str], ...]
    hyphen_stop_words: frozenset[str]  # never the first or last part of a hyphenated word (folded)
    # -- keyboard --
    layouts: tuple[tuple[str, tuple[Row, ...]], ...]  # (name, rows), the first the default
    alphabet: str  # letters the typo model may insert for a left-out letter
    # -- data files in this folder --
    blocklist: str  # words never offered unless typed in full, one a line
    # common words that mix letters and digits ("mp3", "4g"), lowercase, one a line (made by
    # export/alnum.py from wordfreq): the only such words the user memory learns ("" none)
    alnum_words: str = ""
    # the Hunspell dictionary (Debian's hunspell-* packages, /usr/share/hunspell/NAME.dic/.aff)
    # the lexicon export asks whether a corpus-only word one letter from a far more frequent
    # word is a word at all ("jsut" beside "just"); "" none (export/lexicon.py likely_typos)
    hunspell: str = ""
    # endings a word of the shipped blocklist is blocked with (its possessives always are);
    # a user's own block covers every form ``inflections`` lead back to
    blocklist_endings: tuple[str, ...] = ("s",)
    # -- optional facts (a language that has them sets them) --
    # Letters matched as other letters, (letter, what it folds to), after lowercasing: German
    # ("ä", "ae"), so "schoen" finds "schön". One character at a time, so fold(a + b) ==
    # fold(a) + fold(b) (the piece walk relies on it); for matching only, never for display.
    fold_letters: tuple[tuple[str, str], ...] = ()
    # A number of at most this many digits followed by a period is an ordinal that never ends
    # a sentence (German "am 3. Oktober"); 0: none is.
    ordinal_digits: int = 0
    # Compounds written as one word (German "Passwortverwaltung"): completed from a head word
    # and a lexicon word that begins with the rest (sources/compounds.py), joined directly or
    # by one of ``linking_elements`` ("Bahnhof" + "s" + "uhr").
    closed_compounds: bool = False
    linking_elements: tuple[str, ...] = ()
    # the ending of an adjective's commonest inflected form ("groß" -> "große"): a capitalized
    # word whose form with it is a commoner lowercase word is an adjective, no compound head
    adjective_ending: str = ""
    # wordfreq codes of languages whose common words the lexicon export leaves out when they are
    # far more frequent there than here ("to", "must" in German technical text and in wordfreq's
    # German list; export/lexicon.py foreign_words); () none
    foreign_guard: tuple[str, ...] = ()

    # ---- folding and casing

    def plain_apostrophes(self, word: str) -> str:
        """Every apostrophe as the first of ``apostrophes`` ("don’t" -> "don't"); case kept."""
        for a in self.apostrophes[1:]:
            word = word.replace(a, self.apostrophes[0])
        return word

    def with_typed_letters(self, word: str, typed: str) -> str:
        """``word`` whose start is spelled with the folded letters as the user typed them:
        typed "Fußballv" makes the lexicon's "Fussballverein" "Fußballverein" (and "Fussballv"
        keeps it; a corrected word, up to where it stops agreeing with the typed letters).
        The word's own case stays."""
        if not self.fold_letters:
            return word
        letters = {letter for letter, _ in self.fold_letters}
        if not any(ch.lower() in letters for ch in typed):
            return word
        fold, out, j = self.fold, [], 0
        for t in typed:
            f = fold(t)
            if t.lower() in letters:
                if j < len(word) and fold(word[j]) == f:
                    width = 1
                elif fold(word[j:j + 2]) == f:
                    width = 2
                else:
                    break
                out.append(t if t == "ß" else (t.upper() if word[j].isupper() else t.lower()))
                j += width
            elif j < len(word) and fold(word[j]) == f:
                out.append(word[j])
                j += 1
            else:
                break
        return "".join(out) + word[j:]

    def prefix_spellings(self, prefix: str, limit: int = 16) -> list[str]:
        """The spellings, lowercase with the first apostrophe, that a typed ``prefix`` may
        stand for under the pack's ``fold_letters`` (German: "schoe" and "schö" both stand
        for "schoe" and "schö"; a last "o" may begin "oe", so "scho" also stands for
        "schö"), the prefix itself first; at most ``limit``. Without ``fold_letters``: the
        prefix alone. For matching stores keyed without letter folding (the user memory)."""
        low = self.plain_apostrophes(prefix.lower())
        if not self.fold_letters:
            return [low]
        folded = self.fold(low)
        done, todo = [], [("", 0)]  # (spelling so far, characters of ``folded`` it covers)
        while todo and len(done) < 4 * limit:
            text, i = todo.pop()
            if i == len(folded):
                done.append(text)
                continue
            todo.append((text + folded[i], i + 1))
            for letter, fold in self.fold_letters:
                if folded.startswith(fold, i):
                    todo.append((text + letter, i + len(fold)))
                elif fold.startswith(folded[i:]) and len(fold) > len(folded) - i:
                    todo.append((text + letter, len(folded)))  # the last letters begin a folded pair
        return [low, *dict.fromkeys(d for d in done if d != low)][:limit]

    @cached_property
    def fold(self) -> Callable[[str], str]:
        """``fold(word)``: the key words are matched by: lowercase, one apostrophe
        ("Don’t" -> "don't"), and the pack's ``fold_letters`` ("Schön" -> "schoen"). A
        plain function built once, since it runs for every candidate word of every keystroke."""
        plain, others = self.apostrophes[:1], self.apostrophes[1:]
        if self.fold_letters:
            table = str.maketrans({**{a: plain for a in others}, **dict(self.fold_letters)})
            return lambda word: word.lower().translate(table)
        if len(others) == 1:
            return lambda word: word.lower().replace(others, plain)
        return lambda word: self.plain_apostrophes(word.lower())

    def fixed_case(self, word: str) -> str:
        """``word`` with the case a ``capitalized_words`` entry always has: "i" -> "I",
        "i'm" -> "I'm"; any other word unchanged."""
        forms = self._capitalized
        if word[:1] not in self._capitalized_initials:  # most words: one set lookup
            return word
        head = word
        for a in self.apostrophes:
            head = head.split(a, 1)[0]
        form = forms.get(head)
        return form + word[len(head):] if form is not None else word

    @cached_property
    def _capitalized(self) -> dict[str, str]:
        return {w.lower(): w for w in self.capitalized_words}

    @cached_property
    def _capitalized_initials(self) -> frozenset[str]:
        return frozenset(w[:1].lower() for w in self.capitalized_words)

    # ---- contractions and inflections

    def bare(self, word: str) -> str:
        """``word`` without its apostrophes ("don't" -> "dont"); case kept."""
        for a in self.apostrophes:
            word = word.replace(a, "")
        return word

    @cached_property
    def contraction_of(self) -> dict[str, tuple[str, ...]]:
        """Folded bare spelling -> the folded contractions it stands for ("dont" -> ("don't",))."""
        out: dict[str, tuple[str, ...]] = {}
        for c in sorted(self.contractions):
            out[self.bare(c)] = out.get(self.bare(c), ()) + (c,)
        return out

    @cached_property
    def misspellings(self) -> frozenset[str]:
        """Folded bare spellings of contractions that are no word ("dont", "im", "thats"):
        never offered; their contraction is."""
        return frozenset(b for b in self.contraction_of if b not in self.bare_words)

    def base_forms(self, folded: str) -> list[str]:
        """``folded`` and the base forms its endings lead back to: a possessive ending (one
        with an apostrophe) first, then an inflection, then (after a plural: "walkers") an
        agent or -ing ending; a doubled final consonant left by -ing, -ed, -er or -est is
        undoubled ("stabbed" -> "stab", "bigger" -> "big"). "cats'" -> ["cats'", "cats",
        "cat"], "walkers" -> [..., "walker", "walk"]; "assess" does not lead to "ass"."""
        out = [folded]

        def add(base: str) -> bool:
            if len(base) >= 2 and base not in out:
                out.append(base)
                return True
            return False

        for end, repl in self.inflections:
            if self.apostrophes[0] in end and folded.endswith(end) and len(folded) > len(end) + 1:
                add(folded[: len(folded) - len(end)] + repl)
        for level in (1, 2):
            for w in list(out):
                for end, repl in self.inflections:
                    if self.apostrophes[0] in end or not w.endswith(end) or (level == 2 and end not in self._second):
                        continue
                    base = w[: len(w) - len(end)] + repl
                    if add(base) and not repl and end in self._second and len(base) >= 3 \
                            and base[-1] == base[-2] and base[-1] not in "aeiouy":
                        add(base[:-1])  # stabbed -> stabb -> stab
        return out

    @cached_property
    def _second(self) -> frozenset[str]:
        """Endings whose base may itself be inflected once more ("walkers": -s, then -er),
        and that may leave a doubled consonant ("stabbed")."""
        return frozenset(e for e in ("er", "ing", "ed", "est") if any(end == e for end, _ in self.inflections))

    # ---- abbreviations of several parts ("z. B")

    @cached_property
    def multi_part(self) -> dict[str, tuple[tuple[tuple[str, ...], bool], ...]]:
        """Last part -> (the parts before it, whether it is soft) of every abbreviation written
        with a space inside ("z. B" -> "B": ((("z",), False),)), longest first."""
        out: dict[str, list] = {}
        for words, soft in ((self.abbreviations, False), (self.soft_abbreviations, True)):
            for w in words:
                if " " in w:
                    parts = [p.rstrip(".") for p in w.split()]
                    out.setdefault(parts[-1], []).append((tuple(parts[:-1]), soft))
        return {k: tuple(sorted(v, key=lambda e: -len(e[0]))) for k, v in out.items()}

    @cached_property
    def joined_abbreviations(self) -> dict[str, bool]:
        """Every abbreviation as one chunk, its parts joined by periods ("z.B", "Dr"), -> soft."""
        return {w.replace(". ", "."): soft for words, soft in ((self.abbreviations, False),
                                                                (self.soft_abbreviations, True)) for w in words}

    @cached_property
    def leading_parts(self) -> frozenset[str]:
        """The parts of multi-part abbreviations that are not last ("z", "d"): never a sentence end."""
        return frozenset(p for firsts in self.multi_part.values() for parts, _ in firsts for p in parts)

    # ---- compiled patterns (built once per pack)

    @cached_property
    def word_re(self) -> re.Pattern:
        """A word: letters/digits with inner apostrophes or hyphens ("don't", "well-known")."""
        return re.compile(rf"[^\W_]+(?:[{re.escape(self.apostrophes + self.hyphens)}][^\W_]+)*")

    @cached_property
    def partial_re(self) -> re.Pattern:
        """The word being typed at the end of the text; it may end in an apostrophe or hyphen ("don'")."""
        return re.compile(rf"[^\W_][\w{re.escape(self.apostrophes + self.hyphens)}]*\Z")  # \Z: not before a final \n

    @cached_property
    def word_rest_re(self) -> re.Pattern:
        """The rest of a word after the cursor (what an accepted suggestion also replaces)."""
        return re.compile(rf"[\w{re.escape(self.apostrophes + self.hyphens)}]*")

    @cached_property
    def sentence_gap_re(self) -> re.Pattern:
        """Where a sentence may end: an ender with closing quotes and the whitespace after
        it (group 1), or a line break (no group). engine/text.py decides which are breaks."""
        end = rf"[{re.escape(self.sentence_enders)}][{re.escape(self.closing_quotes)}]*"
        return re.compile(rf"{end}(\s+)|\n")

    @cached_property
    def control_re(self) -> re.Pattern:
        return re.compile(self.control)

    # ---- keyboard and files

    def layout(self, name: str) -> tuple[Row, ...]:
        """The rows of the layout ``name``; ValueError naming the pack's layouts otherwise."""
        for known, rows in self.layouts:
            if known == name:
                return rows
        raise ValueError(f"unknown keyboard layout {name!r} for language {self.code!r}: "
                         f"choose one of {sorted(n for n, _ in self.layouts)}")

    def is_common_alnum(self, word: str) -> bool:
        """Whether ``word`` (letters and digits) is in the pack's list of common ones."""
        return word.lower() in self._alnum

    @cached_property
    def _alnum(self) -> frozenset[str]:
        if not self.alnum_words:
            return frozenset()
        path = Path(__file__).resolve().parent / self.alnum_words
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise BundleError(f"cannot read the language pack's list {path}: {type(e).__name__}") from None
        return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))

    @property
    def blocklist_path(self) -> Path:
        return Path(__file__).resolve().parent / self.blocklist


def known_codes() -> list[str]:
    return sorted(_MODULES)


def get_pack(code: str) -> LanguagePack:
    """The pack of language ``code`` ("en"). ValueError naming the known codes otherwise."""
    module = _MODULES.get(code) if isinstance(code, str) else None
    if module is None:
        raise ValueError(f"no language pack for {code!r}: known languages are {known_codes()}")
    return importlib.import_module(f"{__name__}.{module}").PACK


DEFAULT = get_pack("en")  # what code that is not told a language uses, until the bundle says


def bundle_pack(manifest) -> LanguagePack:
    """The language pack a bundle's manifest names (``language``; absent: "en", bundles of
    v0.2). Raises BundleError naming the manifest when no pack has that code."""
    code = manifest.data.get("language", "en")
    try:
        return get_pack(code)
    except ValueError as e:
        raise BundleError(f"bundle {manifest.path}: manifest.json language: {e}") from None
