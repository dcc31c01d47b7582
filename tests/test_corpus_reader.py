"""One reader of Evidence Inference 2.0's ``abstracts.jsonl.gz`` with a choice of form
(``corpus_texts.evidence_inference_texts``), used by both callers: the corpus-label loader (flat
abstract) and the prompt measures of ``corpora`` (sections joined with their headings).

The small file below was written by us for these tests; the real corpus is read in place from
../shared and never copied."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from fmwatch.extract import corpora
from fmwatch.extract.corpus_texts import EVIDENCE_INFERENCE, corpus_texts, evidence_inference_texts

from .conftest import SHARED

EVAL = SHARED / "eval"

# written by us: three entries in the corpus's shape (pmcid first, as the corpus writes it; the last
# with its keys in another order, so the reader cannot rely on the order alone)
OURS = [
    {"pmcid": "PMC1", "title": " Magnesium for cramps: a trial \n",
     "abstract_sections": [["BACKGROUND", "Cramps hurt."], ["METHODS ", "We gave magnesium."], ["", "Loose text."]],
     "abstract": " BACKGROUND Cramps hurt. METHODS We gave magnesium. Loose text. "},
    {"pmcid": "PMC2", "title": "No sections here", "abstract_sections": [], "abstract": "Only a flat abstract."},
    {"title": "Keys in another order", "abstract": "Flat words.", "pmcid": "PMC3",
     "abstract_sections": [["results", "It worked."]]},
]


@pytest.fixture
def ours(tmp_path):
    path = tmp_path / "abstracts.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for entry in OURS:
            out.write(json.dumps(entry) + "\n")
    return path


def test_the_flat_form_gives_the_corpus_abstract_string_stripped(ours):
    texts = evidence_inference_texts(ours, {"PMC1", "PMC2", "PMC3", "PMC404"}, "flat")
    assert texts == {"PMC1": ("Magnesium for cramps: a trial", "BACKGROUND Cramps hurt. METHODS We gave magnesium. "
                                                                "Loose text."),
                     "PMC2": ("No sections here", "Only a flat abstract."),
                     "PMC3": ("Keys in another order", "Flat words.")}


def test_the_sections_form_joins_headings_as_a_structured_abstract_reads(ours):
    texts = evidence_inference_texts(ours, ["PMC1", "PMC2", "PMC3"], "sections")
    assert texts["PMC1"] == (" Magnesium for cramps: a trial \n",
                             "Background: Cramps hurt. Methods: We gave magnesium. Loose text.")
    assert texts["PMC2"] == ("No sections here", "")  # no sections: nothing in this form
    assert texts["PMC3"] == ("Keys in another order", "Results: It worked.")


def test_only_the_asked_documents_are_read_and_an_unknown_form_is_an_error(ours):
    assert evidence_inference_texts(ours, {"PMC2"}) == {"PMC2": ("No sections here", "Only a flat abstract.")}
    assert evidence_inference_texts(ours, set()) == {}
    with pytest.raises(ValueError, match="flat, sections"):
        evidence_inference_texts(ours, {"PMC1"}, "html")


def test_both_callers_read_the_real_corpus_through_the_one_reader():
    path = EVAL / EVIDENCE_INFERENCE
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        entries = [json.loads(line) for _, line in zip(range(40), lines)]
    ids = {e["pmcid"] for e in entries}
    flat = evidence_inference_texts(path, ids, "flat")
    sections = evidence_inference_texts(path, ids, "sections")
    assert set(flat) == ids and set(sections) == ids
    # the corpus-label loader reads the flat form ...
    named = corpus_texts(EVAL, [(EVIDENCE_INFERENCE, pmcid) for pmcid in ids])
    assert {doc_id: text for (_, doc_id), text in named.items()} == flat
    # ... the prompt measures the sections form, as Documents (an id without sections left out)
    docs = corpora.evidence_inference_abstracts(EVAL, ids)
    assert {pmcid: doc.fields["abstract"] for pmcid, doc in docs.items()} == {
        pmcid: text[1] for pmcid, text in sections.items() if text[1]}
    for entry in entries:
        title, abstract = sections[entry["pmcid"]]
        assert title == (entry["title"] or "")
        for heading, text in entry["abstract_sections"]:
            assert text in abstract
            if heading:
                assert f"{heading.strip().capitalize()}: {text}" in abstract
        # the two forms hold the same words (the flat one has its headings bare, in capitals)
        words = lambda s: re.findall(r"[a-z0-9]+", s.lower())  # noqa: E731
        assert set(words(abstract)) <= set(words(" ".join([flat[entry["pmcid"]][1]] + [h for h, _ in
                                                                                      entry["abstract_sections"]])))
