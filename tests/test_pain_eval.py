"""Our blind labels on pain and analgesia trials (tests/gold/pain_labels.jsonl), a third measured set:
the documents are the ones the rule stated in pain_split.toml gives, each is found in ../shared and
read in place, the labels keep the mgfm_dev schema (with the two scorer conventions this set adds),
and `fmwatch eval` prints the table with both parts.

The labels are ours; the texts are read from ../shared and never copied. The outcome and arm values
in the scorer tests below were written by us for these tests."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from fmwatch import cli
from fmwatch.extract import pain_split
from fmwatch.extract.corpus_texts import EVIDENCE_INFERENCE, relevant_docs
from fmwatch.extract.mgfm import (FIELDS, _intervention_ok, evaluate_pain, load_corpus, outcomes_ok, read_labels,
                                  split)

from .conftest import SHARED
from .test_corpus_eval import DESIGNS, ROUTES, SCHEMA

EVAL = SHARED / "eval"
GOLD = Path(__file__).resolve().parent / "gold"
LABELS = GOLD / "pain_labels.jsonl"
SPLIT = "pain_split.toml"
SPLITS = EVAL / "evidence_inference" / "splits"


def _labels() -> list[dict]:
    return read_labels(LABELS)


def _accepted(value) -> list:
    return value if isinstance(value, list) else [value]


def _split_members(name: str) -> set[str]:
    return {f"PMC{line.strip()}" for line in (SPLITS / name).read_text().splitlines() if line.strip()}


def _pmcid(label_id: str) -> str:
    return label_id.removeprefix("evidence_inference:")


# --- the documents: the stated rule gives exactly these -----------------------------------------------

def test_the_split_file_is_what_the_stated_rule_gives_from_shared():
    assert pain_split.select(EVAL, GOLD) == split(SPLIT)


def test_the_rule_the_code_applies_is_the_one_the_split_file_states():
    header = (Path(pain_split.__file__).with_name(SPLIT)).read_text(encoding="utf-8")
    assert pain_split.PAIN_TITLE.pattern in header  # the same title pattern, written before any text was read
    assert "test_article_ids.txt" in header and "train_article_ids.txt" in header and "sha1" in header


def test_each_part_is_the_first_twenty_by_sha1_of_its_own_evidence_inference_split():
    parts = split(SPLIT)
    excluded = {doc_id for corpus_file, doc_id in relevant_docs(EVAL) if corpus_file == EVIDENCE_INFERENCE}
    titles = {}
    with gzip.open(EVAL / EVIDENCE_INFERENCE, "rt", encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            if entry["abstract"].strip():
                titles[entry["pmcid"]] = entry["title"]
    for part, split_file in (("measured", "test_article_ids.txt"), ("development", "train_article_ids.txt")):
        chosen = [_pmcid(i) for i in parts[part]]
        members = _split_members(split_file)
        assert len(chosen) == pain_split.PART_SIZE == len(set(chosen)), part
        sha = [hashlib.sha1(p.encode()).hexdigest() for p in chosen]
        assert sha == sorted(sha), part
        for pmcid in chosen:
            assert pmcid in members and pmcid not in excluded, pmcid
            assert pain_split.PAIN_TITLE.search(titles[pmcid]), pmcid
        # no candidate of that split that sorts before the last chosen one was left out
        skipped = [p for p, title in titles.items() if p in members and p not in excluded and p not in chosen
                   and pain_split.PAIN_TITLE.search(title) and hashlib.sha1(p.encode()).hexdigest() < sha[-1]]
        assert skipped == [], (part, skipped)
    # the measured part never comes from the splits rules are tuned on
    tuned = _split_members("train_article_ids.txt") | _split_members("validation_article_ids.txt")
    assert not {_pmcid(i) for i in parts["measured"]} & tuned


def test_the_selection_script_prints_ids_and_titles_only(capsys, monkeypatch):
    monkeypatch.chdir(GOLD.parent.parent)
    pain_split.main([str(EVAL)])
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if not line.startswith("#")]
    assert len(rows) == 2 * pain_split.PART_SIZE
    assert all(len(row.split("\t")) == 2 and row.startswith("evidence_inference:PMC") for row in rows)
    assert "# development (20)" in lines and "# measured (20)" in lines


# --- the labels ---------------------------------------------------------------------------------------

def test_the_label_file_says_how_it_was_written_and_labels_exactly_the_split():
    header = LABELS.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("#") and "blind" in header and "one annotator" in header
    labels = _labels()
    parts = split(SPLIT)
    assert sorted(label["id"] for label in labels) == sorted(parts["development"] + parts["measured"])
    for label in labels:
        assert set(label) >= set(SCHEMA), label["id"]
        assert not {"title", "abstract", "text"} & set(label), label["id"]  # ids only, never the text
        assert label["corpus_file"] == EVIDENCE_INFERENCE and label["id"] == f"evidence_inference:{label['doc_id']}"


def test_every_labelled_document_is_found_in_shared():
    records = list(load_corpus(LABELS, EVAL))
    assert [r.label["id"] for r in records] == [label["id"] for label in _labels()]
    for record in records:
        title, abstract = record.doc.fields["title"], record.doc.fields["abstract"]
        assert pain_split.PAIN_TITLE.search(title) and len(abstract) > len(title), record.label["id"]


def test_labels_keep_the_mgfm_dev_value_conventions():
    for label in _labels():
        where = label["id"]
        assert set(_accepted(label["design_type"])) <= DESIGNS, where
        assert set(_accepted(label["blinding"])) <= {"double", "single", "open", "none", None}, where
        assert set(_accepted(label["sex"])) <= {"female", "male", "mixed", None}, where
        lo, hi = label["duration_weeks"]
        assert (lo is None) == (hi is None) and (lo is None or lo <= hi), where
        assert label["is_magnesium_trial"] is False and label["mg_levels"] == {}, where  # no magnesium study here
        assert set(label["outcomes_significant"]) == set(label["outcomes"]), where
        for key, direction in label["outcomes"].items():
            assert key == key.lower() and " " not in key, (where, key)
            assert set(_accepted(direction)) <= {"improved", "worsened", "no_difference", None}, (where, key)
        for arm in label["arms"]:
            assert arm["interventions"], where
            for intervention in arm["interventions"]:
                names = _accepted(intervention["substance"])
                assert names and all(isinstance(n, str) and n == n.lower() for n in names), where
                assert set(_accepted(intervention["route"])) <= ROUTES, where
                if intervention.get("dose_mg_per_kg") is not None:  # weight-based: no mg dose
                    assert intervention["dose_mg"] is None, where
        assert label["claims"] == {} and label["claims_optional"] == {}, where


# --- the scorer conventions this set adds (values written by us) -------------------------------------

def test_a_label_may_accept_several_names_for_one_substance():
    gold = {"substance": ["tens", "transcutaneous electrical nerve stimulation"], "route": None, "dose_mg": None}
    assert _intervention_ok({"substance": "TENS", "route": None, "dose_mg": None}, gold)
    assert _intervention_ok({"substance": "transcutaneous electrical nerve stimulation", "route": None,
                             "dose_mg": None}, gold)
    assert not _intervention_ok({"substance": "acupuncture", "route": None, "dose_mg": None}, gold)
    # a single name still works, with the scorer's synonyms (saline is a placebo)
    assert _intervention_ok({"substance": "saline", "route": None, "dose_mg": None},
                            {"substance": "placebo", "route": None, "dose_mg": None})


def test_an_outcome_with_a_null_direction_is_optional():
    gold = {"pain_vas|vas": "improved", "adverse_events": None}
    pain = {"measure": "pain_vas", "label": "VAS pain", "direction": "improved"}
    events = {"measure": "adverse_events", "label": "adverse events", "direction": "worsened"}
    assert outcomes_ok([pain], gold)              # left out: fine
    assert outcomes_ok([pain, events], gold)      # reported with any direction: fine
    assert not outcomes_ok([events], gold)        # a required measure is still required


def test_a_direction_list_holding_null_is_optional_but_restricts_a_reported_direction():
    gold = {"dizziness": "improved", "complications": ["improved", None]}
    dizziness = {"measure": "dizziness", "label": "dizziness", "direction": "improved"}
    assert outcomes_ok([dizziness], gold)
    assert outcomes_ok([dizziness, {"measure": "complications", "label": "complications", "direction": "improved"}], gold)
    assert not outcomes_ok([dizziness, {"measure": "complications", "label": "complications",
                                        "direction": "worsened"}], gold)


# --- the evaluation and its table ----------------------------------------------------------------------

def test_the_pain_evaluation_counts_both_parts_and_lists_only_development_misses():
    parts, misses = evaluate_pain(LABELS, EVAL)
    split_ids = split(SPLIT)
    assert set(parts) == {"development", "measured"}
    assert parts["development"].records == len(split_ids["development"]) == pain_split.PART_SIZE
    assert parts["measured"].records == len(split_ids["measured"]) == pain_split.PART_SIZE
    assert {m["id"] for m in misses} <= set(split_ids["development"])
    assert {m["field"] for m in misses} <= set(FIELDS)


def test_fmwatch_eval_prints_the_pain_labels_table_with_both_parts(monkeypatch):
    printed = []
    monkeypatch.setattr(cli.out, "print", lambda *args, **kwargs: printed.append(" ".join(map(str, args))))
    monkeypatch.setattr(cli, "_print_rows", lambda header, rows, fmt: printed.append(
        " | ".join(header) + "\n" + "\n".join(" | ".join(map(str, row)) for row in rows)))
    misses = cli._print_pain_labels(LABELS, EVAL)
    text = "\n".join(printed)
    assert "our blind labels on pain trials" in text
    assert "development (20)" in text and "measured (20)" in text
    assert all(f"\n{name} | " in text for name in FIELDS)
    assert {m["id"] for m in misses} <= set(split(SPLIT)["development"])


def test_fmwatch_eval_says_so_when_the_pain_labels_are_missing(tmp_path, monkeypatch):
    printed = []
    monkeypatch.setattr(cli.out, "print", lambda *args, **kwargs: printed.append(" ".join(map(str, args))))
    assert cli._print_pain_labels(tmp_path / "none.jsonl", EVAL) == []
    assert "no blind pain-trial labels" in printed[0]


def test_the_eval_command_has_a_pain_labels_option():
    from typer.testing import CliRunner
    result = CliRunner().invoke(cli.app, ["eval", "--help"])
    assert result.exit_code == 0 and "--pain-labels" in result.output
