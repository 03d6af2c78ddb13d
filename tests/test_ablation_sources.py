"""bench/ablation_sources.py (issue 23's ablation): rows of bundles with and without the phrase
source, typed by the selecting typist; the table and JSON it writes."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "bench" / "ablation_sources.py"
_spec = importlib.util.spec_from_file_location("ablation_sources", _PATH)
ablation_sources = importlib.util.module_from_spec(_spec)
sys.modules["ablation_sources"] = ablation_sources
_spec.loader.exec_module(ablation_sources)


def test_rows_with_and_without_the_phrase_source(tiny_bundle, tiny_corpus, tmp_path):
    out = tmp_path / "ablation"
    argv = ["--row", f"GRU alone={tiny_bundle}", "--row", f"+ phrase source={tiny_bundle}+{tiny_corpus}",
            "--text", f"valid={tiny_corpus / 'valid.txt'}", "--sentences", "4", "--prune", "1,1",
            "--work", str(tmp_path / "ngram"), "--out", str(out)]
    assert ablation_sources.main(argv) == 0
    rows = json.loads(out.with_suffix(".json").read_text())["rows"]
    alone, mixed = rows
    assert alone["corpus"] is None and mixed["corpus"] == str(tiny_corpus)
    assert mixed["mb"] == pytest.approx(alone["mb"] + mixed["phrase_mb"], abs=0.011)
    for r in rows:
        v = r["valid"]
        assert 0 < v["ksr"] < 1 and v["keystrokes"] > 20 and v["ms"]["p99"] >= v["ms"]["p50"] > 0
    assert len(list((tmp_path / "ngram").glob("ngram-1-1-*.npz"))) == 1  # built once, kept
    table = out.with_suffix(".md").read_text()
    assert "| GRU alone |" in table and "| + phrase source |" in table and "KSR valid" in table


@pytest.mark.parametrize("bad", ["no-equals", "=bundle", "name="])
def test_a_malformed_row_is_refused(bad, tmp_path, capsys):
    with pytest.raises(SystemExit):
        ablation_sources.main(["--row", bad, "--text", f"t={tmp_path / 't.txt'}"])
    assert "a row is NAME=BUNDLE[+CORPUS]" in capsys.readouterr().err
