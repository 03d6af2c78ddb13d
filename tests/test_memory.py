from pathlib import Path

import pytest

from nextkey.engine import Engine
from nextkey.engine.store import NotAStoreError
from nextkey.engine.memory import SHIPPED_BLOCKLIST, MemoryConfig, UserMemory, default_store_path


@pytest.fixture(scope="module")
def default_engine():
    return Engine.load()  # the shipped model: real words, real profanity to block


def words(eng_or_session, text, n=5):
    if hasattr(eng_or_session, "suggest"):
        return [s.word for s in eng_or_session.suggest(text, n=n)]
    eng_or_session.set_text(text)
    return [s.word for s in eng_or_session.suggestions(n)]


def test_a_new_word_is_offered_after_two_uses_and_gone_after_forget():
    eng = Engine.load(memory=True)
    assert "Zorblax" not in words(eng, "I met Zor")
    sess = eng.session(learn=True)
    for ch in "I met Zorblax today. ":
        sess.type(ch)
        sess.suggestions(3)
    assert "Zorblax" not in words(eng, "I met Zor")  # once is not enough
    for ch in "Zorblax said hi. ":
        sess.type(ch)
        sess.suggestions(3)
    assert "Zorblax" in words(eng, "I met Zor", n=3)
    assert eng.memory.forget("Zorblax")
    assert "Zorblax" not in words(eng, "I met Zor")


def test_wipe_and_store_location():
    eng = Engine.load(memory=True)
    eng.learn("Quixlet rocks. Quixlet again. Quixlet thrice.")
    assert "Quixlet" in words(eng, "We love Qui", n=3)
    path = eng.memory.cfg.path
    assert path == default_store_path() and path.name == "memory.db"
    assert path.exists()  # saved in the XDG data dir, not in the bundle
    assert not any(p.name.startswith("memory") for p in eng.manifest.path.iterdir())
    removed = eng.memory.wipe()
    assert path in removed and not path.exists()
    assert "Quixlet" not in words(eng, "We love Qui")
    eng.close()
    assert not list(path.parent.iterdir())


def test_learn_false_learns_nothing():
    eng = Engine.load(memory=True)
    sess = eng.session(learn=False)
    for ch in "my password is Hunter2xyz and Hunter2xyz ":
        sess.type(ch)
        sess.suggestions(3)
    assert eng.memory.words == {} and eng.memory.clock == 0


def test_learning_raises_a_phrase_the_user_repeats():
    eng = Engine.load(memory=True)
    base = eng.suggest("See you at the ", n=3)
    eng.learn("See you at the gym. " * 5)
    after = eng.suggest("See you at the ", n=3)
    assert after[0].word == "gym" and "gym" not in [s.word for s in base[:1]]


@pytest.mark.parametrize("word", sorted(w for w in SHIPPED_BLOCKLIST.read_text().split() if not w.startswith("#"))[:60])
def test_blocked_words_are_never_offered_short_of_the_full_word(default_engine, word):
    memory = default_engine.memory
    for contexts in ("", "What the ", "You are a ", "That is "):
        for k in range(len(word)):
            offered = words(default_engine, contexts + word[:k], n=5)
            # only a blocked word the user has typed in full may come back (as typed)
            bad = [w for w in offered if memory.is_blocked(w) and w.lower() != word[:k].lower()]
            assert not bad, (contexts + word[:k], offered)


def test_typed_in_full_a_blocked_word_may_be_offered(default_engine):
    got = words(default_engine, "What the fuck", n=5)
    assert "fuck" in got  # the user typed it: completing it as typed is allowed


def test_user_never_suggest_entries():
    eng = Engine.load(memory=True)
    assert "see" in words(eng, "I would like to se", n=3)
    eng.memory.block("see")
    assert "see" not in words(eng, "I would like to se", n=5)
    assert "see" not in words(eng, "I would like to ", n=5)
    eng.memory.unblock("see")
    assert "see" in words(eng, "I would like to se", n=3)


@pytest.mark.parametrize("content", [b"{", b'{"format_version": 1, "words": 5}', b"\x00\xff\xfe garbage",
                                     b"SQLite format 3\x00" + b"\x10\x00" + b"\x00" * 90])
def test_a_file_that_is_not_a_store_is_refused_and_kept(tmp_path, content):
    """Issue 19 item 1: such files were renamed (set aside) and a database made in their place."""
    path = tmp_path / "memory.db"
    path.write_bytes(content)
    with pytest.raises(NotAStoreError, match="not a nextkey user store"):
        Engine.load(memory=MemoryConfig(path=path))
    assert [p.name for p in tmp_path.iterdir()] == ["memory.db"] and path.read_bytes() == content


def test_engine_starts_with_a_damaged_store_of_its_own(tmp_path, caplog):
    path = tmp_path / "memory.db"
    with UserMemory(MemoryConfig(path=path)) as mem:
        mem.learn_text("Quixlet " * 300)
    raw = bytearray(path.read_bytes())
    raw[100:] = bytes(b ^ 0x5A for b in raw[100:])  # the header says ours; every page is damaged
    path.write_bytes(bytes(raw))
    with Engine.load(memory=MemoryConfig(path=path)) as eng:
        assert eng.suggest("I would like to ", n=3)
        assert "set aside" in caplog.text
        assert [p.read_bytes() for p in tmp_path.glob("memory.db.corrupt-*")] == [bytes(raw)]  # kept for the user
        eng.learn("Zorbladine Zorbladine")
    with UserMemory(MemoryConfig(path=path)) as mem:  # the new store works
        assert mem.words["zorbladine"][0] > 1.9


def test_the_store_is_bounded(tmp_path):
    cfg = MemoryConfig(path=tmp_path / "m.db", max_words=50, max_pairs=60)
    with UserMemory(cfg) as mem:
        mem.learn_text(" ".join(f"word{i}" for i in range(500)))
        assert len(mem.words) <= 50 and len(mem.pairs) <= 60
        assert "word499" in mem.words  # the newest survive eviction
        live = set(mem.words)
    with UserMemory(cfg) as mem:  # the store evicted the same entries
        assert set(mem.words) == live
