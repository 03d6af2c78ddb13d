"""Closed compounds: words made of lexicon words written as one ("Passwortverwaltung").

German writes compounds as one word, and new ones are made all the time: no lexicon
lists them all, so a keyboard that only completes lexicon words offers nothing once
the typed word runs past the lexicon ("Passwortverw" -> nothing). For a language whose
pack has ``closed_compounds``, when the strip has free slots, the typed word is split
into a head that is a word (the lexicon's, at least ``MIN_PART`` letters, possibly
followed by one of the pack's linking elements: "Bahnhof" + "s" + "uhr") and a tail
that begins a lexicon word of the head's kind (a capitalized head, a noun, takes a
noun: "Passwort" + "Verwaltung", not + "verwendet"; a lowercase head a lowercase
word: "dunkel" + "blau"); head + that word (lowercase: the head carries the noun's
capital) is a candidate, scored by the model from the same state and mixed with the
other sources like any word. The longest heads are tried first, at most ``MAX_HEADS``,
and at most ``MAX_CANDIDATES`` candidates are scored (each costs the model steps of
its pieces not yet computed).

The same rule tells whether a word is one the engine may offer (known.py): the split
into a head and a lexicon word of ``MIN_PART`` letters or more.

Source of the rule: the German compound (Fugenelement, linking elements -s-, -es-,
-n-, -en-, -e-, -er-): Duden, "Die Grammatik" (2016), 4.1 "Komposition".
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from ..lang import LanguagePack
from ..lexicon import Lexicon
from . import Query

MIN_PART = 3  # letters of a head word (shorter ones split too many words by chance)
MIN_TAIL = 4  # letters of the last part ("-hcp", "-sie" are no parts)
PART_RANK = 30_000  # the last part is among the lexicon's this many most frequent words
MAX_HEADS = 3
MAX_CANDIDATES = 8
PARTS_PER_HEAD = 4
LOOK_AT = 64  # most frequent lexicon words of the tail looked at for parts
MAX_PIECES = 24  # a compound is scored over all its pieces (state.MAX_UNIT_PIECES)
# A compound the model gives less than this is not shown: set by reading strips of made-up
# German compounds typed part way (the newcomer trial of issue 24): the real ones scored
# -10 to -26 ("Systemverwaltung" -10.2, "Druckertreiberinformationen" -25.8), the
# junk -28 to -40 ("Passwortverwendung" -28.1, "Bahnhofsumschalt" -35.5).
MIN_LOGPROB = -26.0


class Compounds:
    name = "compounds"

    def __init__(self, pack: LanguagePack, lexicon: Lexicon, model, combiner,
                 is_blocked: Callable[[str], bool] | None = None):
        """``model`` (sources/model.py) scores the candidates, ``combiner`` mixes the other
        sources in; only the pack's ``linking_elements`` join parts; ``is_blocked(word)``:
        the blocklist (a compound with a blocked part is never made)."""
        self.pack, self.lexicon, self.model, self.combiner = pack, lexicon, model, combiner
        self.fold = pack.fold
        self.links = tuple(sorted(pack.linking_elements, key=len, reverse=True))
        self.is_blocked = is_blocked or (lambda word: False)
        self._plain = set("".join(letter for letter, _ in pack.fold_letters))

    def applies(self, q: Query) -> bool:
        return len(q.typed) > MIN_PART and q.typed.isalpha() and not q.stem

    def _noun(self, word: str) -> str | None:
        """The lexicon's form of ``word`` if it is a noun there: its key's commonest form is
        capitalized, the rest lowercase (not "HCP"; not "Neu", commoner as "neu"), and that form
        is commoner than the word + the pack's adjective ending written lowercase (not "Groß":
        "große"), else None."""
        # the key's commonest form, not the one typed: "neu" for "Neu" (an adjective), "System"
        # for "system" (a lowercase "system" of English text is a form too)
        i = self.lexicon.commonest(word)
        if i is None:
            return None
        form = self.lexicon.forms[i]
        if not (form[:1].isupper() and form[1:].islower() and form.isalpha()):
            return None
        # an adjective also written capitalized ("Groß" in "Groß- und Kleinschreibung", "Alt" the key):
        # its inflected form is a lowercase word commoner than the capitalized one ("große", "alte")
        e = self.pack.adjective_ending
        j = self.lexicon.commonest(form + e) if e else None
        if j is not None and self.lexicon.forms[j][:1].islower() and self.lexicon.logprior[j] > self.lexicon.logprior[i]:
            return None
        return form

    def _lowercase_word(self, word: str) -> bool:
        """Whether ``word`` is a lexicon word whose key's commonest form is lowercase: a head
        with a linking element that spells one ("Alte", "Große": the adjective's form) is that
        word, not a noun and a link ("Alt" + "e" made "Alteversion")."""
        i = self.lexicon.commonest(word)
        return i is not None and self.lexicon.forms[i][:1].islower()

    def head_stem(self, head: str, depth: int = 1) -> str | None:
        """The noun a compound's ``head`` ends in (its lexicon form), or None when ``head``
        may not begin a compound: a noun of MIN_PART letters or more, or (``depth`` > 0) a
        compound itself ("Druckertreiber" + "installation"), either one possibly followed
        by a linking element ("Bahnhofs", "Fußballmannschafts") unless noun and link spell a
        lowercase word ("Alte")."""
        low = head.lower()
        for e in ("", *self.links):
            if e and not low.endswith(e):
                continue
            stem = head[: len(head) - len(e)]
            if len(stem) < MIN_PART or e and self._lowercase_word(head):
                continue
            noun = self._noun(stem)
            if noun is None and depth > 0:
                for i in range(len(stem) - MIN_PART, MIN_PART - 1, -1):
                    last = self._noun(stem[i:])
                    if last is not None and self.head_stem(stem[:i], depth - 1) is not None:
                        noun = last
                        break
            if noun is not None:
                return noun
        return None

    def is_head(self, head: str, depth: int = 1) -> bool:
        return self.head_stem(head, depth) is not None

    def is_compound(self, word: str, depth: int = 1) -> bool:
        """Whether ``word`` is a head (is_head) followed by a lexicon word of MIN_PART letters
        or more ("Passwortverwaltung", "Druckertreiberinstallation"; not "Haus", a word
        itself). ``depth``: how many compounds deep a head may be."""
        if not word.isalpha() or len(word) < MIN_PART + MIN_TAIL:
            return False
        return any(self._noun(word[i:]) is not None and self.is_head(word[:i], depth)
                   for i in range(len(word) - MIN_TAIL, MIN_PART - 1, -1))

    def candidates(self, typed: str) -> list[str]:
        """Compounds that begin with ``typed``: head + a lexicon word that begins with the rest,
        longest heads first (the rest at least one letter)."""
        out: list[str] = []
        heads = 0
        forms = self.lexicon.forms
        for i in range(len(typed) - 1, MIN_PART - 1, -1):
            head, tail = typed[:i], typed[i:]
            stem = self.head_stem(head)
            if stem is None or self.is_blocked(stem) or self.is_blocked(head):
                continue
            heads += 1
            head = self._spelled(head)
            parts = 0
            for j in self.lexicon.completions(self.fold(tail), LOOK_AT):
                part = forms[j]
                if j < PART_RANK and len(part) >= MIN_TAIL and part.isalpha() and part[:1].isupper() \
                        and part[1:].islower() and not self.is_blocked(part):
                    word = head + part.lower()
                    if word not in out:
                        out.append(word)
                        parts += 1
                        if parts == PARTS_PER_HEAD:
                            break
            if heads >= MAX_HEADS or len(out) >= MAX_CANDIDATES:
                break
        return out[:MAX_CANDIDATES]

    def _spelled(self, head: str) -> str:
        """``head`` with the umlauts and ß of the lexicon's spelling when it was typed with
        none ("Schluessel" -> "Schlüssel", "Uebersetzungs" -> "Übersetzungs"); a head typed
        with any of them is the user's spelling and kept ("Fußball", not "Fussball"). The
        first letter's case as typed."""
        if self._plain & set(head.lower()):
            return head
        for cut in ("", *self.links):
            stem = head[: len(head) - len(cut)] if cut else head
            i = self.lexicon.index(stem)
            if i is None or not head.lower().endswith(cut):
                continue
            form = self.lexicon.forms[i]
            if self.fold(form) != self.fold(stem) or not self._plain & set(form.lower()):
                return head
            return (form[:1].upper() if head[:1].isupper() else form[:1].lower()) + form[1:] + head[len(stem):]
        return head

    def propose_scored(self, q: Query, pos, shown: set[str]) -> list[tuple[str, float]]:
        """The compounds for the typed word, (word, mixed log-prob), best first; none already
        ``shown`` (folded)."""
        found = [w for w in self.candidates(q.typed) if self.fold(w) not in shown]
        if not found:
            return []
        model = {w: self.model.score(pos, w, MAX_PIECES) for w in found}
        model = {w: sc for w, sc in model.items() if sc >= MIN_LOGPROB}
        if not model:
            return []
        mixed = self.combiner.merge(model, replace(q, final=False), pos)
        return [(w, sc) for w, sc in mixed if w in model]
