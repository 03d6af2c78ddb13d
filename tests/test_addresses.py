"""E-mail and web addresses while typing (issue 20, point 3): no dictionary words are
offered inside one, and neither an address nor its parts is ever learned."""

from __future__ import annotations

import pytest

from nextkey.engine import Engine
from nextkey.engine.text import in_address, learnable_words


@pytest.fixture(scope="module")
def eng():
    return Engine.load()


@pytest.mark.parametrize("typed", [
    "email me at someone@example.c", "email me at someone@ex", "write to me@", "SEE HTTPS://EXAMPLE.CO",
    "see https://exa", "open ftp://files.example.org/pub/re", "go to www.goo", "Go to WWW.example.com/pa",
    "(mail first.last+tag@sub.example.co.u",
])
def test_inside_an_address_the_strip_offers_no_words(eng, typed):
    assert in_address(typed)
    assert eng.suggest(typed, 3) == []


@pytest.mark.parametrize("typed", ["I would like to se", "email me at ", "ping @jo", "it costs 3.5 eu",
                                   "see the site", "at 5 p.m. th", "a well-kn"])
def test_ordinary_text_is_not_an_address(eng, typed):
    assert not in_address(typed)
    assert eng.suggest(typed, 3)


def test_addresses_and_their_parts_are_never_learned():
    text = "mail zorbladine@quixlet.com or see https://www.blorpton.org/snarfle-page now"
    assert [w for _, w in learnable_words(text)] == ["mail", "or", "see", "now"]
    eng = Engine.load()
    eng.learn_text(text + "\n" + text)
    sess = eng.session(learn=True)
    for ch in "write to zorbladine@quixlet.com today and https://blorpton.org/x ok ":
        sess.type(ch)
        sess.suggest(3)
    learned = set(eng.memory.words)
    assert not learned & {"zorbladine", "quixlet", "com", "blorpton", "org", "snarfle-page", "https", "www", "x"}
    assert {"mail", "now", "write", "today", "ok"} <= learned
