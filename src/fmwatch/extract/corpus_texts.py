"""The title and abstract of one document of the annotated corpora in ``../shared/eval``, read in
place (never copied): EBM-NLP (the difficulty archive's tokens, or the SciBERT dev file's),
Evidence Inference 2.0 (``abstracts.jsonl.gz``) and the PICO corpus (``pico_corpus.jsonl``).

A document is named as ``relevant_docs.tsv`` names it: the corpus file (relative to the eval
folder) and its id (``PMID 12238830``, ``PMC3685774``). Token files are joined with single spaces,
so "grafting ." keeps its space; the title is the tokens up to the first sentence end.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Collection, Iterable
from functools import cache
from pathlib import Path

from .core import Document
from .evaluate import EbmCorpus

EBM_DIFFICULTY = "ebm_nlp/ebm_nlp_difficulty.tar.gz"
EBM_DEV = "ebm_nlp/scibert_ebmnlp_dev.txt"
EVIDENCE_INFERENCE = "evidence_inference/abstracts.jsonl.gz"
PICO = "pico_corpus/pico_corpus.jsonl"
RELEVANT_DOCS = "relevant_docs.tsv"
# A title ends at its first full stop or question mark followed by a capital (PICO's single string).
_TITLE_END = re.compile(r"[.?] (?=[A-Z])")


def relevant_docs(shared_eval: Path) -> list[tuple[str, str]]:
    """The ``(corpus_file, doc_id)`` pairs of ``relevant_docs.tsv``, in its order, each pair once.

    Raises FileNotFoundError when the list is missing."""
    rows = (shared_eval / RELEVANT_DOCS).read_text(encoding="utf-8").splitlines()[1:]
    seen: dict[tuple[str, str], None] = {}
    for row in rows:
        if row.strip():
            corpus_file, doc_id = row.split("\t")[:2]
            seen.setdefault((corpus_file, doc_id), None)
    return list(seen)


def _bare(doc_id: str) -> str:
    """``PMID 12238830`` -> ``12238830``; other ids unchanged."""
    return doc_id.removeprefix("PMID ").strip()


def _split_tokens(tokens: list[str]) -> tuple[str, str]:
    """Title (tokens up to and including the first ``.`` or ``?`` token) and the rest, space-joined."""
    end = next((i for i, token in enumerate(tokens) if token in {".", "?"}), len(tokens) - 1)
    return " ".join(tokens[: end + 1]), " ".join(tokens[end + 1:])


@cache
def _ebm_difficulty(archive: Path) -> EbmCorpus:
    return EbmCorpus(archive)


def _ebm_dev_tokens(path: Path, wanted: frozenset[str]) -> dict[str, list[str]]:
    """Tokens of the wanted PMIDs in SciBERT's CoNLL-like EBM-NLP file (``token POS O LABEL`` lines)."""
    found: dict[str, list[str]] = {}
    current = None
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("-DOCSTART-"):
                pmid = line[line.find("(") + 1: line.find(")")]
                current = found.setdefault(pmid, []) if pmid in wanted else None
            elif current is not None and line.strip():
                current.append(line.split(" ", 1)[0])
    return found


# Each line of ``abstracts.jsonl.gz`` opens with its PMC id: read first, so only the lines asked for are parsed.
_PMCID_FIRST = re.compile(r'\{\s*"pmcid"\s*:\s*"([^"]+)"')
# The two forms of an Evidence Inference abstract (``evidence_inference_texts``).
EI_FORMS = ("flat", "sections")


def evidence_inference_texts(path: Path, pmcids: Collection[str], form: str = "flat") -> dict[str, tuple[str, str]]:
    """``{pmcid: (title, abstract)}`` for the asked PMC ids found in Evidence Inference 2.0's
    ``abstracts.jsonl.gz`` (DeYoung et al., BioNLP 2020), read in place in one pass.

    ``form`` says how the abstract reads:
    - ``"flat"``: the corpus's ``abstract`` string, title and abstract stripped (as our blind
      corpus labels were written from it);
    - ``"sections"``: the ``abstract_sections`` joined as "Heading: text" (a heading capitalised,
      a section without one as its bare text), the way a structured PubMed abstract reads; the
      title as given. An abstract with no sections is "" in this form.

    Raises ValueError for another form, FileNotFoundError when the file is missing."""
    if form not in EI_FORMS:
        raise ValueError(f"unknown Evidence Inference abstract form {form!r}: one of {', '.join(EI_FORMS)}")
    wanted = frozenset(pmcids)
    found = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            first = _PMCID_FIRST.match(line)
            if first is not None and first.group(1) not in wanted:
                continue
            entry = json.loads(line)
            if entry["pmcid"] not in wanted:
                continue
            if form == "flat":
                found[entry["pmcid"]] = (entry["title"].strip(), entry["abstract"].strip())
            else:
                found[entry["pmcid"]] = (entry.get("title") or "", " ".join(
                    f"{heading.strip().capitalize()}: {text}" if heading else text
                    for heading, text in entry.get("abstract_sections") or []))
    return found


def _pico(path: Path, wanted: frozenset[str]) -> dict[str, tuple[str, str]]:
    found = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if any(f'"{pmid}"' in line[:40] for pmid in wanted):
                entry = json.loads(line)
                if entry["pmid"] in wanted:
                    text = entry["text"].strip()
                    end = _TITLE_END.search(text)
                    title, abstract = (text[: end.start() + 1], text[end.end():]) if end else (text, "")
                    found[entry["pmid"]] = (title, abstract)
    return found


def corpus_texts(shared_eval: Path, names: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """``{(corpus_file, doc_id): (title, abstract)}`` for each named document found; a document its
    corpus lacks is left out (the caller decides whether that is an error). Each corpus file is read
    once, whatever the number of documents asked of it.

    Raises ValueError for a corpus file this module cannot read, FileNotFoundError when a file is missing."""
    by_file: dict[str, dict[str, str]] = {}  # corpus file -> bare id -> the id as named
    for corpus_file, doc_id in names:
        by_file.setdefault(corpus_file, {})[_bare(doc_id)] = doc_id
    texts: dict[tuple[str, str], tuple[str, str]] = {}
    for corpus_file, ids in by_file.items():
        path, wanted = shared_eval / corpus_file, frozenset(ids)
        if corpus_file == EBM_DIFFICULTY:
            docs = _ebm_difficulty(path).documents()
            found = {pmid: _split_tokens(docs[pmid]) for pmid in wanted if pmid in docs}
        elif corpus_file == EBM_DEV:
            found = {pmid: _split_tokens(tokens) for pmid, tokens in _ebm_dev_tokens(path, wanted).items()}
        elif corpus_file == EVIDENCE_INFERENCE:
            found = evidence_inference_texts(path, wanted, "flat")
        elif corpus_file == PICO:
            found = _pico(path, wanted)
        else:
            raise ValueError(f"no reader for corpus file {corpus_file}")
        for bare, doc_id in ids.items():
            if bare in found:
                texts[(corpus_file, doc_id)] = found[bare]
    return texts


def corpus_document(record_id: str, corpus_file: str, doc_id: str, title: str, abstract: str) -> Document:
    """The extractor's input for one corpus document (a PubMed-like record: title and abstract)."""
    bare = _bare(doc_id)
    return Document(f"corpus:{record_id}", "pubmed", title, {"title": title, "abstract": abstract},
                    pmid=bare if bare.isdigit() else None)
