"""bench/learning_curve.py: a run's loss history and KSR points, kept across calls and plotted."""

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "bench" / "learning_curve.py"
_spec = importlib.util.spec_from_file_location("learning_curve", _PATH)
learning_curve = importlib.util.module_from_spec(_spec)
sys.modules["learning_curve"] = learning_curve
_spec.loader.exec_module(learning_curve)


def test_history_and_ksr_point_of_a_run(tiny_run, tiny_corpus, tmp_path, monkeypatch):
    from nextkey.export.lexicon import LexiconConfig

    hist, minutes = learning_curve.history(tiny_run)
    assert len(hist) >= 2 and all({"step", "valid_ce", "minutes"} <= set(h) for h in hist)
    assert minutes >= hist[-1]["minutes"] > 0

    real = learning_curve.ksr_point
    monkeypatch.setattr(learning_curve, "ksr_point",
                        lambda *a, **k: real(*a, **k, lexicon=LexiconConfig.tiny()))
    out = tmp_path / "curve"
    argv = [str(tiny_run), "--ksr", "--text", str(tiny_corpus / "valid.txt"), "--sentences", "5", "--out", str(out)]
    assert learning_curve.main(argv) == 0
    data = json.loads(out.with_suffix(".json").read_text())
    run = data["runs"][tiny_run.name]
    assert run["history"] == hist
    (point,) = run["ksr"].values()
    best = min(hist, key=lambda h: h["valid_ce"])
    assert point["step"] == best["step"] and point["sentences"] == 5
    assert 0 < point["ksr"] < 1
    assert out.with_suffix(".png").stat().st_size > 0

    # a second call keeps the point (one per step of the weights) and adds a reference run
    ref = tmp_path / "ref"
    shutil.copytree(tiny_run, ref)
    assert learning_curve.main([str(tiny_run), "--ref", f"copy={ref}", "--out", str(out)]) == 0
    data = json.loads(out.with_suffix(".json").read_text())
    assert list(data["runs"][tiny_run.name]["ksr"].values()) == [point]
    assert data["runs"]["copy"]["history"] == hist


def test_refuses_what_does_not_compare(tiny_run, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(tiny_run, other)
    (other / "tokenizer.model").write_bytes(b"another tokenizer")
    with pytest.raises(SystemExit, match="another tokenizer"):
        learning_curve.main([str(tiny_run), "--ref", f"x={other}", "--out", str(tmp_path / "c")])
    with pytest.raises(SystemExit, match="no ckpt"):
        learning_curve.history(tmp_path)
    with pytest.raises(SystemExit, match="not a folder"):
        learning_curve.main([str(tmp_path / "missing"), "--out", str(tmp_path / "c")])


def test_finish_script_refuses_a_run_that_has_not_finished(tiny_run, tmp_path):
    """bench/long_run_finish.sh makes the figures of a finished run only: a run folder without
    its report.json (still training, or stopped) is refused before anything is written."""
    import subprocess

    run = tmp_path / "unfinished"
    shutil.copytree(tiny_run, run)
    (run / "report.json").unlink()
    script = Path(__file__).resolve().parents[1] / "bench" / "long_run_finish.sh"
    done = subprocess.run(["bash", str(script), str(run)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "has not finished" in done.stderr and str(run) in done.stderr
    assert not (run / "bundle-int8").exists()
