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
    return [s.word for s in eng_or_session.suggest(n)]


def test_a_new_word_is_offered_after_two_uses_and_gone_after_forget():
    eng = Engine.load(memory=True)
    assert "Zorblax" not in words(eng, "I met Zor")
    sess = eng.session(learn=True)
    for ch in "I met Zorblax today. ":
        sess.type(ch)
        sess.suggest(3)
    assert "Zorblax" not in words(eng, "I met Zor")  # once is not enough
    for ch in "Zorblax said hi. ":
        sess.type(ch)
        sess.suggest(3)
    assert "Zorblax" in words(eng, "I met Zor", n=3)
    assert eng.memory.forget("Zorblax")
    assert "Zorblax" not in words(eng, "I met Zor")


def test_wipe_and_store_location():
    eng = Engine.load(memory=True)
    eng.learn_text("Quixlet rocks. Quixlet again. Quixlet thrice.")
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
        sess.suggest(3)
    assert eng.memory.words == {} and eng.memory.clock == 0


def test_learning_raises_a_phrase_the_user_repeats():
    eng = Engine.load(memory=True)
    base = eng.suggest("See you at the ", n=3)
    eng.learn_text("See you at the gym. " * 5)
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
        eng.learn_text("Zorbladine Zorbladine")
    with UserMemory(MemoryConfig(path=path)) as mem:  # the new store works
        assert mem.words["zorbladine"][0] > 1.9


def test_the_store_is_bounded(tmp_path):
    cfg = MemoryConfig(path=tmp_path / "m.db", max_words=50, max_pairs=60)
    with UserMemory(cfg) as mem:
        mem.learn_text(" ".join(f"word{_letters(i)}" for i in range(500)))
        assert len(mem.words) <= 50 and len(mem.pairs) <= 60
        assert "wordejj" in mem.words  # the newest survive eviction
        live = set(mem.words)
    with UserMemory(cfg) as mem:  # the store evicted the same entries
        assert set(mem.words) == live


def _learned(n: int, seed: int = 0) -> UserMemory:
    """A memory with ``n`` distinct learned words, each typed 2-4 times, plus pairs."""
    import random

    rng = random.Random(seed)
    mem = UserMemory(MemoryConfig(path=None, max_words=10**6, max_pairs=10**6))
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(n)]
    prev = None
    for w in vocab * 2 + rng.sample(vocab, n // 2):
        mem.observe(w, prev)
        prev = w
    return mem


@pytest.mark.parametrize("n", [0, 1000, 10000])
def test_next_word_lookups_do_not_grow_with_the_learned_words(n, monkeypatch):
    """Issue 19 item 4: the empty-prefix lookup walked every learned word (10 ms at 5,000)."""
    mem = _learned(n)
    counted = {"decayed": 0}
    real = UserMemory._decayed

    def counting(self, entry):
        counted["decayed"] += 1
        return real(self, entry)

    monkeypatch.setattr(UserMemory, "_decayed", counting)
    for prefix in ("", "q"):
        before = counted["decayed"]
        found = mem.candidates(prefix)
        assert counted["decayed"] - before <= 3 * 32  # the kept top of the bucket, whatever n
        if n:
            # the same answer as reading every learned word
            every = sorted(((real(mem, e), e[2]) for k, e in mem.words.items()
                            if k.startswith(prefix) and real(mem, e) >= mem.cfg.min_count), reverse=True)
            assert found == [w for _, w in every[:8]]


def test_the_top_of_the_index_follows_learning_forgetting_and_decay():
    mem = UserMemory(MemoryConfig(path=None, half_life=50.0))
    for i in range(200):  # old habits: many words, each twice
        mem.observe(f"old{i:03d}")
        mem.observe(f"old{i:03d}")
    for _ in range(6):
        mem.observe("newword")
    assert mem.candidates("")[0] == "newword"
    assert mem.candidates("n") == ["newword"]
    assert mem.forget("newword")
    assert "newword" not in mem.candidates("") and mem.candidates("n") == []
    every = sorted(((mem._decayed(e), e[2]) for e in mem.words.values() if mem._decayed(e) >= mem.cfg.min_count),
                   reverse=True)
    assert mem.candidates("") == [w for _, w in every[:8]]


def test_the_answers_memo_is_bounded_and_follows_the_memory_version(tiny_bundle):
    with Engine.load(tiny_bundle) as eng:
        sess = eng.session()
        sess.set_text("")
        for i in range(3000):  # a long session: the sentence-start memo is kept for its whole life
            eng.memory.observe(f"w{_letters(i)}")
            sess.set_text(f"w{_letters(i % 50)}"[: 1 + i % 3])
            sess.suggest(3)
        memo = sess._root_pos
        assert len(memo.answers) <= memo.MAX_ANSWERS and len(memo.searches) <= memo.MAX_SEARCHES
        assert memo.version == eng.memory.version


def test_the_answers_memo_follows_the_apostrophe_typed(default_engine):
    """Issue 19 item 8: after a curly apostrophe the same session still offered It's."""
    sess = default_engine.session()
    sess.set_text("Hello. I")  # a sentence start: the model's state (and memo) is the empty text's
    straight = [s.word for s in sess.suggest(5)]
    assert any("'" in w for w in straight), straight
    sess.set_text("Don’t go. I")
    curly_session = [s.word for s in sess.suggest(5)]
    fresh = default_engine.session()
    fresh.set_text("Don’t go. I")
    assert curly_session == [s.word for s in fresh.suggest(5)]
    assert any("’" in w for w in curly_session) and not any("'" in w for w in curly_session)


def _letters(n: int) -> str:
    """``n`` spelled with letters (a letter-digit word is never learned: the secrets rule)."""
    return str(n).translate(str.maketrans("0123456789", "abcdefghij"))
