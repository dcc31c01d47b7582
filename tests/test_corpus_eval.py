"""Our blind labels on corpus abstracts (tests/gold/corpus_labels.jsonl): every labelled document is
found in ../shared and read in place, the labels keep the mgfm_dev schema, the split follows its
stated rule, and `fmwatch eval` prints the table with both parts.

The labels are ours; the texts are read from ../shared and never copied. The few sentences below
were written for these tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fmwatch import cli
from fmwatch.extract.corpus_texts import corpus_texts, relevant_docs
from fmwatch.extract.mgfm import (FIELDS, MgfmRecord, evaluate_corpus, evaluate_parts, labelled, load, load_corpus,
                                  read_labels, split)

from .conftest import SHARED

EVAL = SHARED / "eval"
LABELS = Path(__file__).resolve().parent / "gold" / "corpus_labels.jsonl"
# Every field of the mgfm_dev label schema (its README), which the blind labels must all give.
SCHEMA = ("id", "design_type", "randomized", "blinding", "placebo_controlled", "crossover", "n_enrolled",
          "n_controls", "n_analyzed", "sex", "arms", "duration_weeks", "outcomes", "outcomes_significant",
          "mg_levels", "mg_correlation", "claims", "claims_optional", "is_magnesium_trial", "category", "notes")
DESIGNS = {"rct", "non_randomized_trial", "single_arm_trial", "crossover", "case_control", "cross_sectional",
           "cohort", "review", "systematic_review", "meta_analysis", "case_report", "protocol", "animal",
           "in_vitro", "other"}
ROUTES = {"oral", "transdermal", "intravenous", "intramuscular", "topical", "other", None}


def _labels() -> list[dict]:
    return read_labels(LABELS)


def _accepted(value) -> list:
    return value if isinstance(value, list) else [value]


def test_the_label_file_says_how_it_was_written_and_names_texts_by_id_only():
    header = LABELS.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("#") and "blind" in header and "one annotator" in header
    for label in _labels():
        assert set(label) >= set(SCHEMA), label["id"]
        assert not {"title", "abstract", "text"} & set(label), label["id"]  # ids only, never the text


def test_every_label_names_a_relevant_document_once_and_there_are_enough():
    named = set(relevant_docs(EVAL))
    labels = _labels()
    assert len(labels) >= 24
    assert len({label["id"] for label in labels}) == len(labels)
    for label in labels:
        assert (label["corpus_file"], label["doc_id"]) in named, label["id"]


def test_the_loader_finds_every_labelled_document_in_shared():
    labels = _labels()
    records = list(load_corpus(LABELS, EVAL))
    assert [r.label["id"] for r in records] == [label["id"] for label in labels]
    for record in records:
        title, abstract = record.doc.fields["title"], record.doc.fields["abstract"]
        assert title and len(abstract) > len(title), record.label["id"]
        assert record.text == f"{title}\n{abstract}"
        if record.label["doc_id"].startswith("PMID "):
            assert record.doc.pmid == record.label["doc_id"].removeprefix("PMID ")


def test_each_corpus_reader_splits_title_from_abstract():
    # one document of each corpus file the labels use, read in place
    texts = corpus_texts(EVAL, relevant_docs(EVAL))
    by_file: dict[str, list[tuple[str, str]]] = {}
    for (corpus_file, _), text in texts.items():
        by_file.setdefault(corpus_file, []).append(text)
    assert {label["corpus_file"] for label in _labels()} <= set(by_file)
    for corpus_file, found in by_file.items():
        for title, abstract in found:
            # a title is one sentence: the abstract does not start inside it, and it holds no second sentence
            assert not re.search(r"[.?] [A-Z][a-z]+ [a-z]+ [a-z]+ ", title[:-1]), (corpus_file, title)
            assert abstract and (abstract[0].isupper() or abstract[0].isdigit() or abstract[0] in "[("), corpus_file


def test_a_document_missing_from_its_corpus_is_a_clear_error(tmp_path):
    label = {**_labels()[0], "id": "ours", "doc_id": "PMID 1"}  # no such EBM-NLP/PubMed id in any corpus
    label["corpus_file"] = "ebm_nlp/ebm_nlp_difficulty.tar.gz"
    path = tmp_path / "labels.jsonl"
    path.write_text("# written by us\n" + json.dumps(label) + "\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="ours"):
        list(load_corpus(path, EVAL))
    with pytest.raises(ValueError, match="no reader"):
        corpus_texts(EVAL, [("somewhere/else.txt", "PMID 1")])


def test_labels_keep_the_mgfm_dev_value_conventions():
    for label in _labels():
        where = label["id"]
        assert set(_accepted(label["design_type"])) <= DESIGNS, where
        assert set(_accepted(label["blinding"])) <= {"double", "single", "open", "none", None}, where
        assert set(_accepted(label["sex"])) <= {"female", "male", "mixed", None}, where
        lo, hi = label["duration_weeks"]
        assert (lo is None) == (hi is None) and (lo is None or lo <= hi), where
        assert isinstance(label["is_magnesium_trial"], bool), where
        assert set(label["outcomes_significant"]) == set(label["outcomes"]), where
        for key, direction in label["outcomes"].items():
            assert set(_accepted(direction)) <= {"improved", "worsened", "no_difference"}, (where, key)
        for arm in label["arms"]:
            for intervention in arm["interventions"]:
                assert isinstance(intervention["substance"], str), where  # the scorer needs one name
                assert intervention["substance"] == intervention["substance"].lower(), where
                assert set(_accepted(intervention["route"])) <= ROUTES, where
        # no study here is a fibromyalgia study of magnesium: any linked claim is an error
        assert label["claims"] == {} and label["claims_optional"] == {}, where


def test_the_split_follows_its_stated_rule():
    labels = _labels()
    parts = split("corpus_split.toml")
    in_gold = sorted(label["id"] for label in labels if label["in_team_gold"])
    others = sorted(label["id"] for label in labels if not label["in_team_gold"])
    assert sorted(parts["development"]) == sorted(in_gold + others[1::2])
    assert sorted(parts["measured"]) == others[0::2]
    # the gold file really holds the documents marked as in it (the reason they are development)
    gold_sources = {json.loads(line)["text_source"] for line in
                    (LABELS.parent / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
    for label in labels:
        source = "ebm_nlp:" + label["doc_id"].removeprefix("PMID ")
        assert label["in_team_gold"] == (label["corpus_file"].startswith("ebm_nlp/") and source in gold_sources)


def test_the_corpus_evaluation_counts_both_parts_and_lists_only_development_misses():
    parts, misses = evaluate_corpus(LABELS, EVAL)
    split_ids = split("corpus_split.toml")
    assert set(parts) == {"development", "measured"}
    assert parts["development"].records == len(split_ids["development"])
    assert parts["measured"].records == len(split_ids["measured"])
    assert parts["development"].records + parts["measured"].records == len(_labels())
    assert {m["id"] for m in misses} <= set(split_ids["development"])
    assert {m["field"] for m in misses} <= set(FIELDS)


def test_a_split_that_misses_a_labelled_record_is_an_error():
    items = list(load(EVAL))[:2]
    with pytest.raises(ValueError, match="neither part"):
        evaluate_parts(items, {"development": [items[0].label["id"]], "measured": []}, EVAL)
    with pytest.raises(ValueError, match="labels lack"):
        evaluate_parts(items, {"development": [i.label["id"] for i in items], "measured": ["nowhere"]}, EVAL)


def test_read_labels_skips_comments_and_blank_lines(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('# written by us\n\n{"id": "a"}\n  # an indented comment\n{"id": "b"}\n', encoding="utf-8")
    assert [label["id"] for label in read_labels(path)] == ["a", "b"]


def test_labelled_pairs_each_label_with_its_document():
    records = list(labelled([{"id": "x"}], lambda label: ("A title we wrote.", "An abstract we wrote."),
                            lambda label, title, abstract: load_document(label, title, abstract)))
    assert isinstance(records[0], MgfmRecord) and records[0].text == "A title we wrote.\nAn abstract we wrote."


def load_document(label, title, abstract):
    from fmwatch.extract.core import Document
    return Document(f"ours:{label['id']}", "file", title, {"title": title, "abstract": abstract})


def test_fmwatch_eval_prints_the_blind_labels_table_with_both_parts(capsys, monkeypatch):
    printed = []
    monkeypatch.setattr(cli.out, "print", lambda *args, **kwargs: printed.append(" ".join(map(str, args))))
    monkeypatch.setattr(cli, "_print_rows", lambda header, rows, fmt: printed.append(
        " | ".join(header) + "\n" + "\n".join(" | ".join(map(str, row)) for row in rows)))
    misses = cli._print_corpus_labels(LABELS, EVAL)
    text = "\n".join(printed)
    parts = split("corpus_split.toml")
    assert "our blind labels on corpus abstracts" in text
    assert f"development ({len(parts['development'])})" in text and f"measured ({len(parts['measured'])})" in text
    assert all(f"\n{name} | " in text for name in FIELDS)
    assert {m["id"] for m in misses} <= set(parts["development"])


def test_fmwatch_eval_says_so_when_the_labels_are_missing(tmp_path, monkeypatch):
    printed = []
    monkeypatch.setattr(cli.out, "print", lambda *args, **kwargs: printed.append(" ".join(map(str, args))))
    assert cli._print_corpus_labels(tmp_path / "none.jsonl", EVAL) == []
    assert "no blind corpus labels" in printed[0]
