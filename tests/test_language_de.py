"""The German pack (engine/lang/de.py): sentence ends with German abbreviations and
ordinals, quotes, folding (ä/ae, ö/oe, ü/ue, ß/ss for matching, never for display),
QWERTZ slips with umlaut keys, the blocklist, the lexicon's keys and spellings, and
the German sources' cleaning (train/sources_de.py) on text built in memory.

The sentence tables are keystroke traces, as in test_language.py: what was typed ->
whether the next word starts a sentence, and what the model is fed.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from nextkey.engine import text
from nextkey.engine.blocklist import Blocklist
from nextkey.engine.keyboard import Layout, SlipConfig, SlipModel
from nextkey.engine.lang import get_pack
from nextkey.engine.lexicon import Lexicon
from nextkey.engine.state import unit_tokens
from nextkey.engine.tracker import parse
from nextkey.engine.sources.compounds import Compounds
from nextkey.export.lexicon import LexiconConfig, count_corpus, foreign_words
from nextkey.train.corpus import CorpusConfig, iter_sentences
from nextkey.train.sources_de import fortune_paragraphs, html_paragraphs, is_prose, man_paragraphs

DE = get_pack("de")
EN = get_pack("en")


def fed(ctx) -> list[str]:
    return [tok for u in ctx.units for tok in unit_tokens(str.split, u, "</s>", DE)]


# ------------------------------------------------------------------- sentences

@pytest.mark.parametrize("paragraph, sentences", [
    ("Das ist z. B. ein Test. Und das auch.", ["Das ist z. B. ein Test.", "Und das auch."]),
    ("Das ist z.B. ein Test. Gut.", ["Das ist z.B. ein Test.", "Gut."]),
    ("Er kam, d. h. er war da. Gut.", ["Er kam, d. h. er war da.", "Gut."]),
    ("Das gilt i. d. R. für alle. Ja.", ["Das gilt i. d. R. für alle.", "Ja."]),
    ("Wir treffen uns am 3. Oktober in Berlin. Dann gehen wir.",
     ["Wir treffen uns am 3. Oktober in Berlin.", "Dann gehen wir."]),
    ("Im 19. Jahrhundert war das so. Heute nicht.", ["Im 19. Jahrhundert war das so.", "Heute nicht."]),
    ("Bis zum 3.10. Urlaub.", ["Bis zum 3.10. Urlaub."]),
    ("Im Jahr 1990. Danach kam alles anders.", ["Im Jahr 1990.", "Danach kam alles anders."]),
    ("Dr. Müller und Fr. Meier kommen. Hr. Schmidt nicht.",
     ["Dr. Müller und Fr. Meier kommen.", "Hr. Schmidt nicht."]),
    ("Siehe S. 5 und vgl. Nr. 7 bzw. ca. zehn Seiten. Fertig.",
     ["Siehe S. 5 und vgl. Nr. 7 bzw. ca. zehn Seiten.", "Fertig."]),
    # soft: they end a sentence before a capital, not before a lowercase word
    ("Äpfel, Birnen usw. Danach Obst.", ["Äpfel, Birnen usw.", "Danach Obst."]),
    ("Äpfel, Birnen usw. und Obst.", ["Äpfel, Birnen usw. und Obst."]),
    ("Er kam u. a. mit Fr. Meier. Ja.", ["Er kam u. a. mit Fr. Meier.", "Ja."]),
    ("Tische, Stühle o. Ä. Alles weg.", ["Tische, Stühle o. Ä.", "Alles weg."]),
    # German quotes close a sentence and open the next
    ("„Komm her!“ Sie kam.", ["„Komm her!“", "Sie kam."]),
    ("Er sagte: »Geh!« Dann ging er.", ["Er sagte: »Geh!«", "Dann ging er."]),
    ("Es war spät. „Wer da?“, fragte er.", ["Es war spät.", "„Wer da?“, fragte er."]),
    # a lowercase word after a period continues the sentence (an abbreviation not listed)
    ("Es kostet rd. fünf Euro.", ["Es kostet rd. fünf Euro."]),
])
def test_german_sentences(paragraph, sentences):
    assert text.split_sentences(paragraph, DE) == sentences
    cfg = CorpusConfig(out_dir=".", sources=("x",), language="de")
    assert list(iter_sentences([paragraph], cfg)) == sentences  # the corpus cuts as the engine does


@pytest.mark.parametrize("typed, starts, units", [
    ("Das ist z. B. ", False, ["Das", "ist", "z.", "B."]),
    ("Das ist d. h. ", False, ["Das", "ist", "d.", "h."]),  # "h." after "d.": no </s>
    ("Das ist d. h. wi", False, ["Das", "ist", "d.", "h."]),
    ("Das ist d. ", False, ["Das", "ist", "d."]),
    ("Am 3. ", False, ["Am", "3."]),
    ("Es ist gut. ", True, []),  # a new sentence: the units are its own (none yet)
    ("Er sagt: „Gut.“ ", True, []),
    ("Es ist gut. Da", True, []),
])
def test_typing_german_sentence_ends(typed, starts, units):
    ctx = parse(typed, pack=DE)
    assert ctx.sentence_start is starts
    assert fed(ctx) == units


def test_multi_part_abbreviations_leave_english_alone():
    assert EN.multi_part == {} and EN.leading_parts == frozenset()
    # an English ordinal-looking number ends a sentence as before
    assert text.split_sentences("It was 3. Then 4.", EN) == ["It was 3.", "Then 4."]
    assert text.sentence_end("h.", EN, before="d.") is text.End.PLAIN


# ------------------------------------------------------------------- folding

@pytest.mark.parametrize("word, folded", [
    ("schön", "schoen"), ("Schön", "schoen"), ("SCHÖN", "schoen"), ("schoen", "schoen"),
    ("Straße", "strasse"), ("Ärger", "aerger"), ("Übung", "uebung"), ("geht’s", "geht's"), ("", ""),
])
def test_fold(word, folded):
    assert DE.fold(word) == folded


def test_fold_is_per_character():
    """The piece walk folds pieces one by one: fold(a + b) == fold(a) + fold(b)."""
    for a, b in [("sch", "ön"), ("Stra", "ße"), ("Ü", "bung"), ("geht", "’s")]:
        assert DE.fold(a + b) == DE.fold(a) + DE.fold(b)


def test_lexicon_keys_are_folded_and_forms_keep_their_umlauts():
    lex = Lexicon(["schön", "schon", "Straße", "Masse", "Maße"], np.array([50.0, 40.0, 30.0, 20.0, 10.0]), DE.fold)
    assert lex.has_prefix("schoe") and lex.has_prefix(DE.fold("schö"))
    assert [lex.forms[i] for i in lex.completions("schoe", 3)] == ["schön"]  # what is shown keeps the umlaut
    assert sorted(lex.forms[i] for i in lex.completions("scho", 3)) == ["schon", "schön"]
    assert lex.forms[lex.index("strasse")] == "Straße" and "Strasse" in lex
    assert lex.forms[lex.index("Maße")] == "Maße"  # its own form when listed
    # The English fold keeps umlauts apart from their digraphs.
    assert not Lexicon(["schön"], np.array([1.0])).has_prefix("schoe")


def test_lexicon_export_spells_keys_with_umlauts(tmp_path):
    train = tmp_path / "train.txt"
    train.write_text("Das ist schön.\nSchön ist das Haus.\nDas Haus ist groß.\n", encoding="utf-8")
    spellings: dict[str, Counter] = {}
    counts, forms = count_corpus(train, DE, spellings)
    assert counts["schoen"] == 2 and counts["gross"] == 1
    assert spellings["schoen"].most_common(1)[0][0] == "schön"
    assert forms["haus"] == Counter({"Haus": 2})  # nouns keep their capital mid-sentence


def test_english_words_are_left_out_of_the_german_lexicon_but_loanwords_stay():
    """The pack's foreign_guard: words far more frequent in English (wordfreq Zipf, margin 1.5)."""
    words = ["the", "to", "must", "you", "with", "Password", "and",           # English
             "man", "die", "Team", "Handy", "Computer", "online", "Server",  # German, or German loanwords
             "Pattern-Matching", "Straße", "schön"]
    out = foreign_words(words, DE)
    assert out == {"the", "to", "must", "you", "with", "Password", "and"}
    assert foreign_words(words, EN) == set()  # English has no guard
    # a tighter margin leaves more out; a margin no word reaches, none
    assert out < foreign_words(words + ["file"], DE, LexiconConfig(language="de", foreign_margin=1.0))
    assert foreign_words(words, DE, LexiconConfig(language="de", foreign_margin=9.0)) == set()


@pytest.mark.parametrize("lowercase_share", [0.0, 0.1, 0.4])
def test_a_noun_also_listed_lowercase_still_heads_a_compound(lowercase_share):
    """A German text's English passages list "system" beside the noun "System": the noun rule
    reads the key's commonest form, whatever case the user typed ("Systemverw" -> "Systemverwaltung")."""
    forms = ["System", "Verwaltung", "verwalten", "system"]
    counts = np.array([100.0, 50.0, 20.0, 100.0 * lowercase_share])
    keep = counts > 0
    lex = Lexicon([f for f, k in zip(forms, keep) if k], counts[keep], DE.fold)
    rule = Compounds(DE, lex, None, None)
    assert rule.head_stem("System") == "System" and rule.head_stem("system") == "System"
    assert rule.candidates("Systemverw") == ["Systemverwaltung"]  # a noun takes a noun, not "verwalten"
    assert rule.is_compound("Systemverwaltung")


@pytest.mark.parametrize("adjective, inflected", [("Groß", "große"), ("Alt", "alte"), ("Neu", "neue")])
def test_an_adjective_written_capitalized_heads_no_compound(adjective, inflected):
    """"Groß" (of "Groß- und Kleinschreibung") and "Alt" (the key) are listed capitalized more
    often than lowercase, but their -e form is a commoner lowercase word: adjectives. Neither
    "Groß" + "Ebene" nor "Alt" + "e" + "Version" is made; a noun whose -e form is a rarer
    lowercase word (the verb "spiele") still heads one."""
    forms = [inflected, adjective, adjective.lower(), "Spiel", "Ebene", "Version", "spiele"]
    lex = Lexicon(forms, np.array([200.0, 120.0, 80.0, 100.0, 50.0, 40.0, 30.0]), DE.fold)
    rule = Compounds(DE, lex, None, None)
    head = adjective
    assert rule.head_stem(head) is None and rule.head_stem(head + "e") is None
    assert rule.candidates(head + "eb") == [] and rule.candidates(head + "ev") == []
    assert rule.candidates("Spielv") == ["Spielversion"]


def test_a_word_commoner_lowercase_heads_no_compound():
    lex = Lexicon(["neu", "Neu", "Verwaltung"], np.array([100.0, 30.0, 50.0]), DE.fold)
    rule = Compounds(DE, lex, None, None)
    assert rule.head_stem("Neu") is None and rule.candidates("Neuverw") == []
    assert lex.forms[lex.commonest("Neu")] == "neu" and lex.forms[lex.index("Neu")] == "Neu"
    assert lex.commonest("Alt") is None


# ------------------------------------------------------------------- keyboard

def test_qwertz_has_the_umlaut_keys_where_a_german_keyboard_has_them():
    name, rows = DE.layouts[0]
    assert name == "qwertz"
    assert [r for r, _ in rows] == ["1234567890ß", "qwertzuiopü", "asdfghjklöä", "yxcvbnm"]
    near = Layout.build("qwertz", 1.3, DE).neighbours
    assert "ü" in near["p"] and "ä" in near["ö"] and "ö" in near["l"] and "y" in near["x"]
    assert set("äöüß") <= set(DE.alphabet)


@pytest.mark.parametrize("typed, meant", [
    ("fpr", "fuer"),      # "p" for its QWERTZ neighbour "ü" ("für": folded "fuer")
    ("fur", "fuer"),      # the umlaut typed as a plain vowel: one left-out letter in folded space
    ("schpn", "schoen"),  # "p" for its neighbour "ö"
    ("grpß", "gross"),    # "p" for "o", and ß typed as itself
])
def test_qwertz_slips_reach_umlaut_words(typed, meant):
    words = ["für", "schön", "groß"]
    lex = Lexicon(words, np.array([3.0, 2.0, 1.0]), DE.fold)
    slips = SlipModel(SlipConfig(layout="qwertz"), DE, lex.has_prefix)
    assert meant in slips.meant(DE.fold(typed))


def test_an_umlaut_key_slip_is_folded():
    """Hitting "p" for its neighbour "ü" proposes the folded key ("ue"), which the lexicon has."""
    lex = Lexicon(["Tür"], np.array([1.0]), DE.fold)
    slips = SlipModel(SlipConfig(layout="qwertz"), DE, lex.has_prefix)
    assert "tuer" in slips.meant(DE.fold("tpr"))


# ------------------------------------------------------------------- blocklist and words

def test_german_blocklist_loads_and_blocks_inflected_forms():
    block = Blocklist.shipped_with(DE.blocklist_path, DE.fold, DE.base_forms, DE.blocklist_endings)
    assert len(block.shipped) >= 30
    assert block.is_blocked("Arschloch") and block.is_blocked("Arschlöcher") and block.is_blocked("Wichsern")
    for fine in ("sauer", "Haus", "schön", "Masse", "Idee", "Mister"):
        assert not block.is_blocked(fine), fine
    header = DE.blocklist_path.read_text(encoding="utf-8").splitlines()[:8]
    assert any("general knowledge" in line for line in header)  # the file says where it comes from


def test_contractions_are_words_with_or_without_the_apostrophe():
    assert DE.contraction_of["gehts"] == ("geht's",)
    assert DE.misspellings == frozenset()  # Duden: "gehts" is correct too
    assert text.learned_form("gibts", DE) == "gibts"
    assert text.words("Wie geht’s dir?", DE) == ["Wie", "geht’s", "dir"]


def test_no_word_is_forced_lowercase_nor_always_capitalized():
    from nextkey.engine.form import shape
    assert shape("Haus", "h", False, DE) == "Haus"  # the noun keeps its capital mid-sentence
    assert shape("sie", "", False, DE) == "sie" and shape("Sie", "", False, DE) == "Sie"
    assert shape("schön", "SCH", False, DE) == "SCHÖN"


# ------------------------------------------------------------------- sources

def test_html_keeps_paragraphs_and_drops_code_tables_and_navigation():
    page = ("<html><head><title>T</title></head><body><div class='toc'><p>Inhalt</p></div>"
            "<h1>Kapitel</h1><p>Das ist ein <code>apt</code>-Befehl für Pakete.</p>"
            "<pre>apt-get install foo</pre><table><tr><td>Zelle</td></tr></table>"
            "<ul><li><p>Ein Punkt der Liste.</p></li></ul><footer><p>Fuß</p></footer></body></html>")
    assert html_paragraphs(page) == ["Das ist ein apt-Befehl für Pakete.", "Ein Punkt der Liste."]


def test_man_pages_keep_body_prose_only():
    rendered = ("LS(1)   Benutzer   LS(1)\n\nBEZEICHNUNG\n       ls - auflisten\n\nBESCHREIBUNG\n"
                "       Auflistung von Informationen über die Dateien.\n\n       -a, --all\n"
                "              Einträge nicht ignorieren\n\nSIEHE AUCH\n       dir(1)\n")
    assert list(man_paragraphs(rendered)) == ["Auflistung von Informationen über die Dateien."]


def test_fortunes_are_joined_per_entry_without_attributions():
    raw = "Der General soll kommen.\nAlles überschlägt sich.\n%\nEin Spruch.\n\t\t-- Goethe\n%\n"
    assert list(fortune_paragraphs(raw)) == ["Der General soll kommen. Alles überschlägt sich.", "Ein Spruch."]


@pytest.mark.parametrize("sentence, kept", [
    ("Die Einträge werden alphabetisch sortiert.", True),
    ("Mit -l den Autor jeder Datei ausgeben.", True),
    ("Setzen Sie $HOME auf /root und starten Sie neu.", False),
    ("foo=bar baz qux.", False),
    ("Zu kurz.", False),
    ("Kein Satzende am Schluss hier", False),
])
def test_prose_filter(sentence, kept):
    assert is_prose(sentence) is kept


def test_corpus_names_the_missing_package(tmp_path):
    from nextkey.train.corpus import CorpusError, build_corpus
    from nextkey.train import sources_de

    missing = sources_de.DebianSource("nowhere", "no-such-package-de", "-", "-", ("no/such/*.html",), "html")
    with pytest.raises(sources_de.SourceMissing, match="apt-get install no-such-package-de"):
        sources_de.source_files(missing, tmp_path)
    with pytest.raises(CorpusError, match="neither a built-in"):
        build_corpus(CorpusConfig(out_dir=tmp_path / "c", sources=("nowhere",), language="de"))
