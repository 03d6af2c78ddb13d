"""The English pack.

Sentence ends (see engine/lang/__init__.py for the rule): the abbreviations
are the titles and forms that in English text are followed by a name or more
of the sentence, so a period after them almost never ends one; "etc.", the
company suffixes and lowercase dotted forms ("a.m.") end sentences often, so
they end one before a capital only.

``capital_after_end`` is set: after "." "!" or "?" a lowercase next word
continues the sentence. That is the rule the training corpus has always been
split by, so the shipped model learned it; it keeps dialogue tags ('"Stop!" he
said') and abbreviations missing from the list ("approx. five") inside their
sentence; and on a phone, whose keyboard shifts after a sentence end, a
lowercase letter there is a choice. While typing, the end of the text counts
as a sentence end ("It was late. " capitalizes the next word, and the model
starts a new sentence); a lowercase word committed after it (followed by a
space) joins the sentence again, exactly as in the corpus. The word still
being typed is not known yet, so "It was late. h" is still a sentence start.
"""

from __future__ import annotations

from . import LanguagePack

# Rows as typed, and each row's offset in key widths.
QWERTY = (("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75))
AZERTY = (("azertyuiop", 0.0), ("qsdfghjklm", 0.25), ("wxcvbn", 0.75))
QWERTZ = (("qwertzuiop", 0.0), ("asdfghjkl", 0.25), ("yxcvbnm", 0.75))

PACK = LanguagePack(
    code="en",
    wordfreq_code="en",
    apostrophes="'’",
    hyphens="-",
    control=r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]",
    sentence_enders=".!?…",
    closing_quotes="\"')]”’",
    opening_quotes="\"'“‘([",
    # The corpus's list (train/corpus.py has split by it since the first model), then
    # Latin forms and a few more titles, all followed by more of the sentence.
    abbreviations=frozenset(
        "Mr Mrs Ms Dr St Mt Jr Sr Gen Gov Sen Rep Col Capt Lt Prof Rev Hon Messrs No vs "
        "e.g i.e cf approx viz Sgt Cpl Maj Adm Lieut Supt Mme Mlle Fig Figs Vol Nos".split()),
    soft_abbreviations=frozenset("etc Inc Ltd Co Corp Bros".split()),
    ellipses=("...", "…"),
    capital_after_end=True,
    capitalized_words=frozenset({"I"}),
    single_letter_words=frozenset({"a", "i"}),
    contraction_tails=frozenset({"ll", "ve", "re", "nt", "em"}),
    contraction_endings=("'t",),
    # After a hyphen the next part is not "the" or "and" (training text that types a dash
    # as a hyphen, "the people-the source", teaches the model otherwise).
    hyphen_stop_words=frozenset("the a an and or but nor of that which who whom this these those it its "
                                "they them he him she her we us you i is was".split()),
    layouts=(("qwerty", QWERTY), ("azerty", AZERTY), ("qwertz", QWERTZ)),
    alphabet="abcdefghijklmnopqrstuvwxyz",
    blocklist="en_blocklist.txt",
)
