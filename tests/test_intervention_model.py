"""The learned intervention-span tagger (``extract/intervention_model.py``) and its training script
(``extract/train_interventions.py``): the stored model is small versioned JSON that loads without
any import and matches the code and data that made it; inference is deterministic and its fast
sums equal the feature sums; it tags a drug no lexicon holds and not a measured concentration; and
``arms`` reads a tested arm named by it where the rules found none.

Every sentence and abstract below was written for these tests (invented trials; none is copied
from ../shared); the EBM-NLP development file is read in place from ../shared for the training and
fingerprint tests only."""

from __future__ import annotations

import builtins
import hashlib
import json
import math

import pytest

from fmwatch.extract import intervention_model as im
from fmwatch.extract import train_interventions as ti
from fmwatch.extract.arms import arms
from fmwatch.extract.core import Document

from .conftest import SHARED

EVAL = SHARED / "eval"
HAS_EBM = (EVAL / ti.DATA_FILE).is_file() and (EVAL / ti.ARCHIVE).is_file()


def _words(text: str) -> list[str]:
    return [text[s:e] for s, e in im.tokens(text)]


def _tagged(text: str) -> list[str]:
    return [text[s:e] for s, e in im.load_model().tag(text)]


def test_the_stored_model_is_small_versioned_json_and_loads_without_any_import(monkeypatch):
    assert im.MODEL_PATH.is_file() and im.MODEL_PATH.stat().st_size < 1_500_000
    text = im.MODEL_PATH.read_text(encoding="utf-8")
    loaded = []
    real_import = builtins.__import__

    def watching(name, *args, **kwargs):
        loaded.append(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", watching)
    model = im.InterventionModel.from_json(text)
    monkeypatch.undo()
    assert not [m for m in loaded if m.split(".")[0] in ("sklearn", "scipy", "numpy", "pickle")]
    meta = model.metadata
    assert model.version == ti.MODEL_VERSION and meta["training"]["data"] == ti.DATA_FILE
    assert 0.0 < model.threshold < 1.0 and meta["threshold"] == model.threshold
    assert 1000 < len(model.weights) <= meta["hyper_parameters"]["max_features"]
    assert model.to_json() == text  # the writer gives back the stored bytes


def test_the_model_matches_the_code_and_lexicon_that_made_it():
    """A change of the tagger's code or of the substance lexicon its features read makes the stored
    model stale: retrain it (``python -m fmwatch.extract.train_models``)."""
    training = im.load_model().metadata["training"]
    now = ti.fingerprint(None)
    assert training["code_sha256"] == now["code_sha256"], "intervention tagger code changed: retrain the model"
    assert training["lexicon_sha256"] == now["lexicon_sha256"], "substance lexicon changed: retrain the model"


@pytest.mark.skipif(not HAS_EBM, reason="EBM-NLP is not in ../shared/eval")
def test_the_model_matches_its_training_data_and_never_saw_a_scored_abstract():
    training = im.load_model().metadata["training"]
    assert training["data_sha256"] == hashlib.sha256((EVAL / ti.DATA_FILE).read_bytes()).hexdigest()
    documents = ti.training_documents(EVAL)
    scored = ti.scored_pmids(EVAL)
    assert len(documents) == training["abstracts"] == 544 and len(scored) > 1900
    assert not set(documents) & scored
    assert not set(documents) & set(ti.read_conll(EVAL / "ebm_nlp" / "scibert_ebmnlp_test.txt"))


def test_a_model_of_other_features_is_refused():
    data = json.loads(im.MODEL_PATH.read_text(encoding="utf-8"))
    data["model"]["options"]["features_version"] = "0"
    with pytest.raises(ValueError, match="retrain"):
        im.InterventionModel.from_json(json.dumps(data))
    with pytest.raises(ValueError, match="not an fmwatch intervention model"):
        im.InterventionModel.from_json(json.dumps({"model": {"format": "fmwatch-direction-model"}, "weights": {}}))


SENTENCES = [
    "Sixty adults with gout were randomized to zelvorin 20 mg once daily or placebo for 12 weeks.",
    "Serum magnesium concentrations were measured at baseline and after 8 weeks in all women.",
    "Ninety women with fibromyalgia were randomly assigned to brastolimab 40 mg every two weeks or matching placebo.",
    "Tender point counts fell in both groups (P = 0.02), but pain did not differ between them.",
]


def test_inference_is_deterministic_and_its_fast_sums_equal_the_feature_sums():
    model = im.load_model()
    for sentence in SENTENCES:
        words = _words(sentence)
        first = model.word_probabilities(words)
        assert [model.word_probabilities(words) for _ in range(2)] == [first, first]
        fresh = im.InterventionModel.from_json(model.to_json())  # empty cache
        assert fresh.word_probabilities(words) == first
        for title in (frozenset(), frozenset({"zelvorin", "gout"})):
            fast = model.word_probabilities(words, first=True, title=title)
            slow = []
            for row in im.sentence_features(words, first=True, title=title):
                score = model.intercept + sum(model.weights.get(name, 0.0) for name in row)
                slow.append(1.0 / (1.0 + math.exp(-score)) if score > -30 else 0.0)
            assert fast == pytest.approx(slow, abs=1e-12)


def test_features_of_a_word():
    rows = im.sentence_features(["received", "zelvorin", "20", "mg", "daily"], first=True)
    assert {"w=zelvorin", "w-1=received", "w+1=20", "w+2=mg", "b-=received|zelvorin", "sh=x", "s3=rin",
            "s4=orin", "p3=zel", "dose+", "S:recv", "S:first"} <= set(rows[1])
    assert {"num", "dose"} <= set(rows[2]) and "lex" not in rows[1]
    assert "lex" in im.sentence_features(["received", "pregabalin"])[1][1:]  # a drug we know
    assert im.tokens("Oral 5-FU, 2.5 mg/kg") == [(0, 4), (5, 9), (9, 10), (11, 14), (15, 20)]


def test_a_drug_no_lexicon_holds_is_tagged_with_its_comparator():
    tagged = _tagged(SENTENCES[0])
    assert tagged[0] == "zelvorin" and any("placebo" in span for span in tagged)
    assert not any(word in span for span in tagged for word in ("adults", "gout", "randomized", "weeks"))
    tagged = _tagged(SENTENCES[2])
    assert tagged[0] == "brastolimab 40 mg" and tagged[-1] == "or matching placebo"


def test_a_measured_concentration_and_a_result_are_not_tagged():
    assert _tagged(SENTENCES[1]) == []
    assert _tagged(SENTENCES[3]) == []


def test_the_name_a_span_gives_an_arm():
    assert im._arm_name("either zelvorin 20 mg daily") == "zelvorin"
    assert im._arm_name("a home-based walking programme") == "home-based walking programme"
    assert im._arm_name("the control group") is None  # nothing but generic words
    assert im._arm_name("magnesium sulfate") is None  # the lexicon's: the rules read it
    assert im._arm_name("magnesium sulfate", lexicon=False) == "magnesium sulfate"
    assert im._arm_name("placebo-controlled") is None and im._arm_name("the study protocol") is None  # design
    assert im._arm_name("computer workers") is None  # people
    assert im._arm_name("mg/day") is None and im._arm_name("40 mg") is None  # a unit, a dose: no name


TITLE = "Zelvorin for acute gout: a randomised, placebo-controlled trial"
# (one arm in the allocating sentence and the control in another: no "A or B" for arm_syntax to read)
ABSTRACT = ("Sixty adults with gout were randomly assigned to zelvorin 20 mg once daily for 12 weeks. "
            "Controls received an identical placebo. Pain on a visual analogue scale fell further with zelvorin.")


def _doc(title: str, abstract: str) -> Document:
    return Document("file:ours", "file", title, {"title": title, "abstract": abstract})


def test_arms_read_a_tested_arm_the_tagger_names_where_the_rules_found_none(monkeypatch):
    # off by default (its speed cost): the rules answer alone, the placebo arm only
    assert [a["label"] for a in arms(_doc(TITLE, ABSTRACT))] == ["placebo"]
    with im.options(arms=True):
        found = arms(_doc(TITLE, ABSTRACT))
    assert [(a["label"], a["is_control"]) for a in found] == [("zelvorin", False), ("placebo", True)]
    zelvorin = found[0]["interventions"][0]
    assert (zelvorin["name"], zelvorin["dose_mg"], zelvorin["named_by"]) == ("zelvorin", 20.0, "model")
    assert "named_by" not in found[1]["interventions"][0]
    # without the model the rules answer alone: the placebo arm only
    monkeypatch.setattr(im, "load_model", lambda *args: None)
    with im.options(arms=True):
        assert [a["label"] for a in arms(_doc(TITLE, ABSTRACT))] == ["placebo"]


def test_a_name_must_be_in_the_title_and_in_an_allocating_sentence():
    # the title names no intervention: nothing is added
    assert im.arm_names(_doc("Gout in adults: a randomised trial", ABSTRACT)) == ()
    # the title names it but no sentence allocates people: nothing is added
    assert im.arm_names(_doc(TITLE, "Sixty adults with gout took zelvorin 20 mg once daily for 12 weeks.")) == ()
    assert im.arm_names(_doc(TITLE, ABSTRACT)) == (("zelvorin", "zelvorin", "zelvorin", None),)


@pytest.mark.skipif(not HAS_EBM, reason="EBM-NLP is not in ../shared/eval")
def test_training_is_deterministic():
    first = ti.train(EVAL, limit=40, c_grid=(0.5,), max_features=2000, log=lambda *_: None)
    again = ti.train(EVAL, limit=40, c_grid=(0.5,), max_features=2000, log=lambda *_: None)
    assert first.to_json() == again.to_json() and len(first.weights) <= 2000
    assert first.metadata["training"]["abstracts"] == 40


@pytest.mark.skipif(not (EVAL / "ebm_nlp" / "scibert_ebmnlp_test.txt").is_file(), reason="EBM-NLP is not in ../shared/eval")
def test_the_tagger_is_scored_beside_the_rules_on_the_expert_test_file():
    from fmwatch.extract.evaluate import SPAN_SOURCES, evaluate_scibert_interventions
    scores = evaluate_scibert_interventions(EVAL)
    assert set(scores) == set(SPAN_SOURCES)
    gold = {name: s.tp + s.fn for name, s in scores.items()}
    assert len(set(gold.values())) == 1 and gold["rules"] > 2000  # the same I-INT tokens for every source
    assert scores["union"].tp >= max(scores["rules"].tp, scores["model"].tp)
    assert scores["rules"].tp <= scores["rules_else_model"].tp <= scores["union"].tp
    assert scores["model"].recall > scores["rules"].recall  # what it is for: names the rules miss
