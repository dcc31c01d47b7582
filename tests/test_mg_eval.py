"""Our blind labels on abstracts of the kinds of study mgfm_dev holds (tests/gold/mg_labels.jsonl), a
fourth measured set: the documents are the ones the rule stated in mg_split.toml gives, from the corpora's
TRAINING halves only, each is found in ../shared and read in place, the labels keep the mgfm_dev schema,
and `fmwatch eval` prints the table with both parts.

The labels are ours; the texts are read from ../shared and never copied."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from fmwatch import cli
from fmwatch.extract import mg_split
from fmwatch.extract.mgfm import FIELDS, evaluate_mg, load_corpus, read_labels, split

from .conftest import SHARED
from .test_corpus_eval import DESIGNS, ROUTES, SCHEMA

EVAL = SHARED / "eval"
GOLD = Path(__file__).resolve().parent / "gold"
LABELS = GOLD / "mg_labels.jsonl"
SPLIT = "mg_split.toml"


def _labels() -> list[dict]:
    return read_labels(LABELS)


def _accepted(value) -> list:
    return value if isinstance(value, list) else [value]


def _all_ids() -> list[str]:
    parts = split(SPLIT)
    return parts["development"] + parts["measured"]


# --- the documents: the stated rule gives exactly these -----------------------------------------------

def test_the_split_file_is_what_the_stated_rule_gives_from_shared():
    assert mg_split.select(EVAL, GOLD) == split(SPLIT)


def test_the_rule_the_code_applies_is_the_one_the_split_file_states():
    header = (Path(mg_split.__file__).with_name(SPLIT)).read_text(encoding="utf-8")
    for kind, pattern in mg_split.KIND_PATTERNS.items():
        assert pattern.pattern in header, kind  # the same title patterns, written before any text was read
    assert "train_article_ids.txt" in header and "EVEN PMID" in header and "sha1" in header
    assert all(f'{quota} "{kind}"' in header for kind, quota in mg_split.QUOTAS.items())


def test_only_training_halves_are_chosen_and_no_document_we_labelled_before():
    ids = _all_ids()
    assert len(ids) == len(set(ids)) == sum(mg_split.QUOTAS.values())
    splits = EVAL / "evidence_inference" / "splits"
    held_out = {f"PMC{line.strip()}" for name in ("test_article_ids.txt", "validation_article_ids.txt")
                for line in (splits / name).read_text().splitlines() if line.strip()}
    test_gold = {json.loads(line)["pmid"] for line in (EVAL / "ebm_nlp" / "test_gold_pio.jsonl").open() if line.strip()}
    dev_file = set(re.findall(r"\((\d+)\)", (EVAL / "ebm_nlp" / "scibert_ebmnlp_dev.txt").read_text()))
    earlier = "".join((GOLD / name).read_text(encoding="utf-8") for name in mg_split.EXCLUDING_GOLD)
    for label_id in ids:
        corpus, bare = label_id.split(":", 1)
        assert bare not in earlier, label_id
        if corpus == "evidence_inference":
            assert bare not in held_out, label_id
        elif corpus == "ebm_nlp":
            assert bare not in test_gold and bare not in dev_file, label_id
        else:
            assert corpus == "pico" and int(bare) % 2 == 0, label_id


def test_each_kind_is_its_first_candidates_by_sha1_and_the_parts_alternate():
    chosen = mg_split.chosen(EVAL, GOLD)
    parts = split(SPLIT)
    titles = mg_split.pool(EVAL, GOLD)
    for kind, ids in chosen.items():
        assert all(mg_split.kind_of(titles[i]) == kind for i in ids), kind
        sha = [hashlib.sha1(i.encode()).hexdigest() for i in ids]
        assert sha == sorted(sha), kind
        skipped = [i for i, title in titles.items() if mg_split.kind_of(title) == kind and i not in ids
                   and hashlib.sha1(i.encode()).hexdigest() < sha[-1]]
        assert skipped == [], (kind, skipped)
        assert set(ids[0::2]) <= set(parts["development"]) and set(ids[1::2]) <= set(parts["measured"]), kind


def test_the_kind_patterns_read_titles_as_stated():
    # titles written by us
    assert mg_split.kind_of("Magnesium in rats: a review") == "other"
    assert mg_split.kind_of("Serum zinc levels in patients with migraine") == "level"
    assert mg_split.kind_of("Oral zinc for migraine") == "mineral"
    assert mg_split.kind_of("Pregabalin for restless legs syndrome") == "pain"
    assert mg_split.kind_of("Insulin for type 2 diabetes") is None


def test_the_selection_script_prints_ids_kinds_and_titles_only(capsys, monkeypatch):
    monkeypatch.chdir(GOLD.parent.parent)
    mg_split.main([str(EVAL)])
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if not line.startswith("#")]
    assert len(rows) == sum(mg_split.QUOTAS.values())
    assert all(len(row.split("\t")) == 3 and row.split("\t")[1] in mg_split.QUOTAS for row in rows)


# --- the labels ---------------------------------------------------------------------------------------

def test_the_label_file_says_how_it_was_written_and_labels_exactly_the_split():
    header = LABELS.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("#") and "blind" in header and "one annotator" in header
    labels = _labels()
    assert sorted(label["id"] for label in labels) == sorted(_all_ids())
    for label in labels:
        assert set(label) >= set(SCHEMA), label["id"]
        assert not {"title", "abstract", "text"} & set(label), label["id"]  # ids only, never the text
        assert label["corpus_file"] == mg_split.corpus_file(label["id"]), label["id"]
        assert label["doc_id"].removeprefix("PMID ") == label["id"].split(":", 1)[1], label["id"]


def test_every_labelled_document_is_found_in_shared():
    records = list(load_corpus(LABELS, EVAL))
    assert [r.label["id"] for r in records] == [label["id"] for label in _labels()]
    for record in records:
        title, abstract = record.doc.fields["title"], record.doc.fields["abstract"]
        assert mg_split.kind_of(title) == record.label["category"], record.label["id"]
        assert len(abstract) > len(title), record.label["id"]


def test_labels_keep_the_mgfm_dev_value_conventions():
    for label in _labels():
        where = label["id"]
        assert set(_accepted(label["design_type"])) <= DESIGNS, where
        assert set(_accepted(label["blinding"])) <= {"double", "single", "open", "none", None}, where
        assert set(_accepted(label["sex"])) <= {"female", "male", "mixed", None}, where
        lo, hi = label["duration_weeks"]
        assert (lo is None) == (hi is None) and (lo is None or lo <= hi), where
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
                if intervention.get("dose_mg_per_kg") is not None or intervention.get("infusion_mg_per_kg_per_h"):
                    assert intervention["dose_mg"] is None, where  # weight-based: no mg dose
        # the corpora hold no magnesium study outside relevant_docs.tsv: none here speaks to a claim
        assert label["claims"] == {} and label["is_magnesium_trial"] is False, where
        assert label["mg_levels"] == {} and label["mg_correlation"] is None, where
        if set(_accepted(label["design_type"])) & {"in_vitro", "animal"}:
            assert label["n_controls"] is None, where


# --- the evaluation and its table ----------------------------------------------------------------------

def test_the_mg_evaluation_counts_both_parts_and_lists_only_development_misses():
    parts, misses = evaluate_mg(LABELS, EVAL)
    split_ids = split(SPLIT)
    assert set(parts) == {"development", "measured"}
    assert parts["development"].records == len(split_ids["development"]) == 18
    assert parts["measured"].records == len(split_ids["measured"]) == 18
    assert {m["id"] for m in misses} <= set(split_ids["development"])
    assert {m["field"] for m in misses} <= set(FIELDS)


def test_fmwatch_eval_prints_the_mg_labels_table_with_both_parts(monkeypatch):
    printed = []
    monkeypatch.setattr(cli.out, "print", lambda *args, **kwargs: printed.append(" ".join(map(str, args))))
    monkeypatch.setattr(cli, "_print_rows", lambda header, rows, fmt: printed.append(
        " | ".join(header) + "\n" + "\n".join(" | ".join(map(str, row)) for row in rows)))
    misses = cli._print_mg_labels(LABELS, EVAL)
    text = "\n".join(printed)
    assert "our blind labels on mgfm_dev-like abstracts" in text
    assert "development (18)" in text and "measured (18)" in text
    assert all(f"\n{name} | " in text for name in FIELDS)
    assert {m["id"] for m in misses} <= set(split(SPLIT)["development"])


def test_fmwatch_eval_says_so_when_the_mg_labels_are_missing(tmp_path, monkeypatch):
    printed = []
    monkeypatch.setattr(cli.out, "print", lambda *args, **kwargs: printed.append(" ".join(map(str, args))))
    assert cli._print_mg_labels(tmp_path / "none.jsonl", EVAL) == []
    assert "no blind mg-set labels" in printed[0]


def test_the_eval_command_has_an_mg_labels_option():
    from typer.testing import CliRunner
    result = CliRunner().invoke(cli.app, ["eval", "--help"])
    assert result.exit_code == 0 and "--mg-labels" in result.output
