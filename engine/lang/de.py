"""The German pack.

Sentence ends (the rule is engine/lang/__init__.py's; engine/text.py applies it):

- Abbreviations are the ones German text puts a period after without ending
  the sentence (Duden, "Die deutsche Rechtschreibung", rules D 1-D 10 on
  abbreviations, and its list of common abbreviations): titles and forms
  followed by a name or a number ("Dr.", "Nr.", "S.", "ca.", "vgl.") never end
  one; those a sentence often ends with ("usw.", "etc.", "u. a.", "o. Ä.")
  end one before a capital only. An abbreviation of several parts is written
  with a space inside ("z. B", "d. h": the Duden's spelling, also found as
  "z.B."): text.py reads it from the chunks before the last part, and a
  non-last part ("z.", "d.") never ends a sentence on its own.
- Ordinals: German writes an ordinal number as digits and a period ("am
  3. Oktober", "im 19. Jahrhundert"), and a capitalized noun usually follows,
  so a number of up to ``ordinal_digits`` (2) digits with a period never ends
  a sentence. A year ("im Jahr 1990. Danach") has four digits and ends one as
  usual; a sentence ending in a short number ("Seite 5. Dort") is cut wrongly,
  a far rarer case in the corpus than an ordinal before a noun.
- ``capital_after_end`` is set, as for English. German capitalizes every noun,
  so a capital after a period does not show that a sentence ended (that is
  what the abbreviation and ordinal lists are for); but a sentence never
  starts lowercase, so a lowercase word after a period still shows that the
  sentence goes on (an abbreviation missing from the list: "ca. fünf", "bzgl.
  der"). The rule uses the capital only in that direction.

Casing: nothing is forced to lowercase and no word is always capitalized (the
formal "Sie" and "sie" are both words, told apart by the model and the
lexicon's cased forms, which export/lexicon.py counts away from sentence
starts); nouns keep the capital the lexicon gives them.

Folding (``fold_letters``): ä, ö, ü and ß are matched as ae, oe, ue and ss, the
spelling German uses where the letters are missing (DIN 5007-2; the Duden
allows it for typewriters and names), so "schoen" and "schön" have one key.
The fold is for matching only: the lexicon stores and the strip shows the
spelling with umlauts. Lexicon keys, the typed prefix and the tokenizer's
pieces are all folded by this pack's fold (engine/lexicon.py, engine/vocab.py,
engine/walk.py), which maps one character at a time, so a piece "ö" walks as
"oe". Words that differ only by the fold share one key and are forms of one
entry, as "us" and "US" are in English ("Masse" and "Maße"). An umlaut typed
as a plain vowel ("fur" for "für") is one left-out letter in folded space
("fur" -> "fuer"), which the typo model proposes from 3 typed letters on.

Contractions: German writes few ("geht's", "gibt's", "so'n"); since the 2006
reform the forms without the apostrophe are correct too (Duden, rule D 14:
"Wie gehts?"), so every bare spelling is a word (``bare_words``) and none is a
misspelling.

Inflections (for blocking, pack.base_forms): the plural, case and comparative
endings -e -en -er -ern -es -n -s (Duden grammar, noun declension); an umlaut
plural ("Arschlöcher") has no ending to strip and is listed on its own.

The blocklist (de_blocklist.txt): no licensed German list was found on the
registries, so it was written from general knowledge of common German
insults, slurs and sexual vulgarities (see the file's header).
"""

from __future__ import annotations

from . import LanguagePack

# QWERTZ as on a German keyboard (DIN 2137-1:2012 T1): ü right of p, ö and ä right of l,
# ß right of 0. Offsets as the English pack's (a staggered hardware layout).
QWERTZ_DE = (("1234567890ß", -0.5), ("qwertzuiopü", 0.0), ("asdfghjklöä", 0.25), ("yxcvbnm", 0.75))
QWERTY_DE = (("1234567890ß", -0.5), ("qwertyuiopü", 0.0), ("asdfghjklöä", 0.25), ("zxcvbnm", 0.75))


def _parse(spec: str) -> frozenset[str]:
    """Space-separated abbreviations; a part ending in "." continues with the next token
    ("z. B" is one abbreviation of two parts)."""
    out, cur = [], ""
    for tok in spec.split():
        cur = f"{cur} {tok}" if cur else tok
        if not tok.endswith("."):
            out.append(cur)
            cur = ""
    assert not cur, spec
    return frozenset(out)


# Never end a sentence (written without their last period; the parts of a multi-part one
# separated by a space, as the Duden writes them; text.py also accepts them unspaced):
# titles and forms of address (followed by a name), forms followed by a number or a
# reference, forms followed by more of the sentence, then the multi-part ones.
ABBREVIATIONS = _parse(
    "Dr Prof Hr Hrn Fr Frl Dipl Ing St Mag Hrsg "
    "Nr Nrn S Bd Bde Kap Abs Abb Tab Fig Anm Jh Jhd Tel Str Pl Kl Az "
    "ca vgl bzw bzgl ggf evtl inkl exkl zzgl abzgl sog ggü gem lt insb bspw allg eigtl einschl "
    "entspr ehem urspr vs mind max "
    "z. B d. h u. U z. T i. d. R v. a i. A i. V m. E u. E z. Hd a. D n. Chr v. Chr s. a o. g")
# End a sentence before a capital only: a list or an enumeration often ends with them.
SOFT_ABBREVIATIONS = _parse(
    "usw etc ff Mio Mrd Std Min Sek Tsd "
    "u. a u. v. m o. Ä u. Ä o. ä u. ä s. o s. u u. s. w")

# Contractions with an apostrophe (folded): a verb with "es" ("geht's"), "so ein" ("so'n").
CONTRACTIONS = frozenset(
    "geht's gibt's hat's ist's war's wird's kann's macht's steht's klappt's stimmt's "
    "hab's hätt's tut's läuft's so'n so'ne".split())

PACK = LanguagePack(
    code="de",
    wordfreq_code="de",
    hunspell="de_DE",
    apostrophes="'’",
    hyphens="-",
    control=r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]",
    sentence_enders=".!?…",
    # German quotes: „…“ and ‚…‘ (closing “ ‘), »…« (closing «), and the Swiss «…» (closing »);
    # straight quotes and brackets as in English.
    closing_quotes="\"')]“‘”’«»",
    opening_quotes="\"'([„‚“‘»«",
    abbreviations=ABBREVIATIONS,
    soft_abbreviations=SOFT_ABBREVIATIONS,
    ellipses=("...", "…"),
    capital_after_end=True,
    capitalized_words=frozenset(),
    single_letter_words=frozenset(),
    contraction_tails=frozenset(),
    # none: a German stem before 's is a word ("gefällt's": "gefällt"), not a split-off stem
    # ("didn"); with ("'s",) the export left out every word the manuals lack whose 's form is
    # listed ("gefällt", "klappt")
    contraction_endings=(),
    contractions=CONTRACTIONS,
    bare_words=frozenset(c.replace("'", "") for c in CONTRACTIONS),
    # German forms of the shipped words ("Wichser" -> "Wichsern"): none of them makes an
    # ordinary word of a listed one (the list leaves out stems that would: "Sau" -> "sauer")
    # (and the verb endings -st, -t, -te, -ten: "fickst", "wichst")
    blocklist_endings=("e", "en", "er", "ern", "es", "n", "s", "st", "t", "te", "ten"),
    inflections=(("'s", ""), ("'", ""), ("ern", ""), ("en", ""), ("er", ""), ("es", ""), ("e", ""),
                 ("n", ""), ("s", "")),
    # Articles, conjunctions and pronouns never start or end a hyphenated word ("der-die-das"
    # in training text is a list, not a word).
    hyphen_stop_words=frozenset("der die das den dem des ein eine einen einem einer eines und oder aber "
                                "von zu mit in im an am auf für ist war er sie es wir ihr ich du".split()),
    layouts=(("qwertz", QWERTZ_DE), ("qwerty", QWERTY_DE)),
    alphabet="abcdefghijklmnopqrstuvwxyzäöüß",
    blocklist="de_blocklist.txt",
    fold_letters=(("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")),
    ordinal_digits=2,
    # Fugenelemente (Duden, Die Grammatik, 2016, "Komposition"): -s-, -es-, -n-, -en-, -e-, -er-
    closed_compounds=True,
    linking_elements=("s", "es", "n", "en", "e", "er"),
    adjective_ending="e",  # the weak declension's -e (Duden, Die Grammatik, "Adjektivflexion")
    # English words in German text (documentation keeps "the", "to", "must"): left out of the lexicon
    foreign_guard=("en",),
)
