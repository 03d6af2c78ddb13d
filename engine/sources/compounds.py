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

from ..lang import LanguagePack
from ..lexicon import Lexicon
from . import Query

MIN_PART = 3  # letters of each part (shorter ones split too many words by chance)
MAX_HEADS = 3
MAX_CANDIDATES = 8
PARTS_PER_HEAD = 4
LOOK_AT = 48  # most frequent lexicon words of the tail looked at for parts of the head's kind


class Compounds:
    name = "compounds"

    def __init__(self, pack: LanguagePack, lexicon: Lexicon, model, combiner):
        """``model`` (sources/model.py) scores the candidates, ``combiner`` mixes the other
        sources in; only the pack's ``linking_elements`` join parts."""
        self.pack, self.lexicon, self.model, self.combiner = pack, lexicon, model, combiner
        self.fold = pack.fold
        self.links = tuple(sorted(pack.linking_elements, key=len, reverse=True))

    def applies(self, q: Query) -> bool:
        return len(q.typed) > MIN_PART and q.typed.isalpha() and not q.stem

    def is_head(self, head: str, depth: int = 1) -> bool:
        """Whether ``head`` may begin a compound: a lexicon word of MIN_PART letters or more,
        or one followed by a linking element ("Bahnhofs"), or (``depth`` > 0) a compound
        itself ("Druckertreiber" + "installation")."""
        if len(head) < MIN_PART:
            return False
        if head in self.lexicon:
            return True
        low = head.lower()
        if any(low.endswith(e) and len(head) - len(e) >= MIN_PART and head[: -len(e)] in self.lexicon
               for e in self.links):
            return True
        return depth > 0 and self.is_compound(head, depth - 1)

    def is_compound(self, word: str, depth: int = 1) -> bool:
        """Whether ``word`` is a head (is_head) followed by a lexicon word of MIN_PART letters
        or more ("Passwortverwaltung", "Druckertreiberinstallation"; not "Haus", a word
        itself). ``depth``: how many compounds deep a head may be."""
        if not word.isalpha() or len(word) < 2 * MIN_PART:
            return False
        return any(word[i:] in self.lexicon and self.is_head(word[:i], depth)
                   for i in range(len(word) - MIN_PART, MIN_PART - 1, -1))

    def candidates(self, typed: str) -> list[str]:
        """Compounds that begin with ``typed``: head + a lexicon word that begins with the rest,
        longest heads first (the rest at least one letter)."""
        out: list[str] = []
        heads = 0
        forms = self.lexicon.forms
        for i in range(len(typed) - 1, MIN_PART - 1, -1):
            head, tail = typed[:i], typed[i:]
            if not self.is_head(head):
                continue
            heads += 1
            head = self._spelled(head)
            noun, parts = head[:1].isupper(), 0
            for j in self.lexicon.completions(self.fold(tail), LOOK_AT):
                part = forms[j]
                if len(part) >= MIN_PART and part.isalpha() and part[:1].isupper() == noun:
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
        """``head`` as the lexicon spells it when it is a lexicon word typed with folded
        letters ("Schluessel" -> "Schlüssel"), the first letter's case as typed."""
        i = self.lexicon.index(head)
        if i is None:
            return head
        form = self.lexicon.forms[i]
        if form == head or self.fold(form) != self.fold(head):
            return head
        return (form[:1].upper() if head[:1].isupper() else form[:1].lower()) + form[1:]

    def propose_scored(self, q: Query, pos, shown: set[str]) -> list[tuple[str, float]]:
        """The compounds for the typed word, (word, mixed log-prob), best first; none already
        ``shown`` (folded)."""
        found = [w for w in self.candidates(q.typed) if self.fold(w) not in shown]
        if not found:
            return []
        model = {w: self.model.score(pos, w) for w in found}
        mixed = self.combiner.merge(model, replace(q, final=False), pos)
        return [(w, sc) for w, sc in mixed if w in model]
