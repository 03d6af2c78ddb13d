import pytest

from nextkey.train.tokenizer import EOS_ID, TokenizerConfig, TokenizerError, load_tokenizer, train_tokenizer

from conftest import make_sentences


@pytest.fixture(scope="module")
def sp(tmp_path_factory):
    f = tmp_path_factory.mktemp("tok") / "train.txt"
    numbers = [f"Room {i * 37} opens at {i % 12 + 1}." for i in range(200)]
    f.write_text("\n".join(make_sentences(800) + numbers) + "\n")
    return load_tokenizer(train_tokenizer(f, TokenizerConfig(vocab_size=340)))


@pytest.mark.parametrize("text", [
    "I would like to see you on Monday, don't worry.",
    "Emoji 😀👍🏽 and ZWJ 👩‍👩‍👧 sequences",
    "Другие письменности: мир, 你好, مرحبا, नमस्ते",
    "Numbers 1234567 and 3.14159",
    "Tabs\tand  double  spaces",
])
def test_round_trip(sp, text):
    assert sp.decode(sp.encode(text)) == text


def test_case_punctuation_and_digits(sp):
    pieces = sp.encode("I don't 2024", out_type=str)
    assert sp.decode(sp.encode("I don't 2024")) == "I don't 2024"  # case and apostrophe kept
    assert sp.encode("I") != sp.encode("i")
    assert "2" in pieces and "0" in pieces and "4" in pieces  # digits split
    assert sp.eos_id() == EOS_ID


def test_corpus_too_small_for_vocab(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("tiny text only\n")
    with pytest.raises(TokenizerError, match="--vocab-size 4000 is too large"):
        train_tokenizer(f, TokenizerConfig(vocab_size=4000, fit_to_text=False))
    # without an explicit size, the largest the text allows
    assert load_tokenizer(train_tokenizer(f, TokenizerConfig(vocab_size=4000))).vocab_size() < 4000


def test_empty_training_text(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("")
    with pytest.raises(TokenizerError, match="empty"):
        train_tokenizer(f, TokenizerConfig(vocab_size=300))
