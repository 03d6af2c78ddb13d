"""Choosing a bundle by language (issue 24, in part): Engine.load(lang=...), nextkey suggest
--lang and nextkey demo --lang look for the shipped bundle or one installed in
$XDG_DATA_HOME/nextkey/bundles/LANG, and say how to build one that is missing."""

from __future__ import annotations

import json
import shutil

import pytest

from nextkey.engine import Engine
from nextkey.engine.engine import bundle_for, installed_bundle_dir
from nextkey.engine.errors import BundleError


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    return tmp_path


def install_as(bundle, lang: str):
    """A copy of ``bundle`` installed as the ``lang`` bundle (its manifest says so)."""
    dest = installed_bundle_dir(lang)
    shutil.copytree(bundle, dest)
    manifest = dest / "manifest.json"
    data = json.loads(manifest.read_text())
    data["language"] = lang
    manifest.write_text(json.dumps(data, indent=2))
    return dest


def test_the_shipped_language_loads_the_shipped_bundle(data_home):
    assert Engine.load(lang="en").pack.code == "en"
    assert bundle_for("en").name == "default_bundle"


def test_a_language_with_no_bundle_says_how_to_build_one(data_home, monkeypatch):
    monkeypatch.setattr("nextkey.engine.engine.SHIPPED_BUNDLES", data_home / "none")
    with pytest.raises(BundleError, match=r"no 'de' bundle is installed.*nextkey corpus --lang de.*bundles/de"):
        Engine.load(lang="de")
    with pytest.raises(ValueError, match="known languages"):
        Engine.load(lang="xx")


def test_the_shipped_german_bundle_loads_and_an_installed_one_wins(data_home, tiny_bundle):
    from nextkey.engine.engine import SHIPPED_BUNDLES, shipped_languages

    assert shipped_languages() == ["en", "de"] and bundle_for("de") == SHIPPED_BUNDLES / "de"
    assert Engine.load(lang="de").manifest.data["language"] == "de"
    install_as(tiny_bundle, "de")
    assert bundle_for("de") == installed_bundle_dir("de")  # the user's own build


def test_an_installed_bundle_is_found_and_its_language_checked(data_home, tiny_bundle):
    install_as(tiny_bundle, "de")
    eng = Engine.load(lang="de")
    assert eng.pack.code == "de" and eng.pack.fold("Schön") == "schoen"  # the German pack's rules are in use
    assert all(s.word.lower().startswith("i") for s in eng.suggest("Ich", 3))
    with pytest.raises(BundleError, match="is in 'de', not 'en'"):
        Engine.load(installed_bundle_dir("de"), lang="en")


def test_the_cli_takes_a_language(data_home, tiny_bundle, capsys, monkeypatch):
    from nextkey.cli.main import main

    monkeypatch.setattr("nextkey.engine.engine.SHIPPED_BUNDLES", data_home / "none")
    assert main(["suggest", "Das ist", "--lang", "de"]) == 2
    assert "no 'de' bundle is installed" in capsys.readouterr().err
    install_as(tiny_bundle, "de")
    assert main(["suggest", "I would like to ", "--lang", "de"]) == 0
    assert capsys.readouterr().out.strip()
