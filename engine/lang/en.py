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

# Rows as typed, and each row's offset in key widths. The number row sits half a key
# left of the top row, as on a hardware keyboard (ISO/ANSI): "0" lies between "o" and
# "p", so "hell0" is one slip from "hello" (on a phone the digits are the top row's
# long-press keys, one above each letter: the same neighbours, within ``reach``).
NUMBERS = ("1234567890", -0.5)
QWERTY = (NUMBERS, ("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75))
AZERTY = (NUMBERS, ("azertyuiop", 0.0), ("qsdfghjklm", 0.25), ("wxcvbn", 0.75))
QWERTZ = (NUMBERS, ("qwertzuiop", 0.0), ("asdfghjkl", 0.25), ("yxcvbnm", 0.75))

# Contractions (folded, ' as apostrophe): the standard English ones of not, am, are,
# have, will, would/had and is/has/us after pronouns and wh-words (Quirk et al., A
# Comprehensive Grammar of the English Language, 1985, 3.23; the same set phone
# keyboards map from apostrophe-less typing: AOSP LatinIME's English dictionary lists
# "dont" -> "don't" as whitelist shortcuts). "'s" after nouns is a possessive, not here.
CONTRACTIONS = frozenset(
    "don't doesn't didn't can't couldn't won't wouldn't shouldn't isn't aren't wasn't weren't "
    "hasn't haven't hadn't mustn't needn't mightn't shan't ain't "
    "i'm i've i'll i'd you're you've you'll you'd he's he'll he'd she's she'll she'd "
    "it's it'll it'd we're we've we'll we'd they're they've they'll they'd "
    "that's that'll that'd there's there'll there'd here's what's what'll where's where'd "
    "who's who'll who'd who've how's how'd when's why's let's "
    "could've would've should've might've must've y'all ma'am o'clock".split())
# Bare spellings that are English words themselves (in any general dictionary): offered
# beside their contraction, by context. "whore" (who're) is left out of CONTRACTIONS.
BARE_WORDS = frozenset("cant wont were well hell shell ill id its wed shed lets".split())

PACK = LanguagePack(
    code="en",
    wordfreq_code="en",
    hunspell="en_US",
    apostrophes="'’",
    hyphens="-",
    control=r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]",
    sentence_enders=".!?…",
    closing_quotes="\"')]”’",
    opening_quotes="\"'“‘([",
    # The corpus's list (train/corpus.py has split by it since the first model), then
    # Latin forms and a few more titles, all followed by more of the sentence.
    abbreviations=frozenset(
        "Mr Mrs Ms Dr St Mt Jr Sr Gen Gov Sen Rep Col Capt Lt Prof Rev Hon Messrs vs "
        "e.g i.e cf approx viz Sgt Cpl Maj Adm Lieut Supt Mme Mlle Fig Figs Vol".split()),
    # "No." is also the answer "No." ("No. The meeting is off"): it ends a sentence before a
    # capital, not before a number ("No. 5").
    soft_abbreviations=frozenset("etc Inc Ltd Co Corp Bros No Nos".split()),
    ellipses=("...", "…"),
    capital_after_end=True,
    capitalized_words=frozenset({"I"}),
    single_letter_words=frozenset({"a", "i"}),
    contraction_tails=frozenset({"ll", "ve", "re", "nt", "em"}),
    contraction_endings=("'t",),
    contractions=CONTRACTIONS,
    bare_words=BARE_WORDS,
    # Possessives ('s, s'), plurals and third persons (-s, -es, -ies), past forms (-ed,
    # -d after e), -ing (also for a dropped e), comparatives (-er, -est).
    inflections=(("'s", ""), ("'", ""), ("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""),
                 ("ed", "e"), ("ing", ""), ("ing", "e"), ("er", ""), ("er", "e"), ("est", ""), ("est", "e")),
    # After a hyphen the next part is not "the" or "and" (training text that types a dash
    # as a hyphen, "the people-the source", teaches the model otherwise).
    hyphen_stop_words=frozenset("the a an and or but nor of that which who whom this these those it its "
                                "they them he him she her we us you i is was".split()),
    layouts=(("qwerty", QWERTY), ("azerty", AZERTY), ("qwertz", QWERTZ)),
    alphabet="abcdefghijklmnopqrstuvwxyz",
    blocklist="en_blocklist.txt",
    alnum_words="en_alnum.txt",
)
