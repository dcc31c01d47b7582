"""Measuring on public annotated corpora read in place from ``../shared/eval``: result direction on
Evidence Inference 2.0 (evidence sentence given) and the number of participants on the PICO corpus.

Published figures are given beside ours in the README; these functions only count.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import lexicon as lx
from .core import Document, extract, population
from .corpus_texts import EVIDENCE_INFERENCE, evidence_inference_texts
from .direction import DECREASED, INCREASED, NO_DIFFERENCE, result_direction

EI_LABELS = {"significantly increased": INCREASED, "significantly decreased": DECREASED,
             "no significant difference": NO_DIFFERENCE}


@dataclass
class ClassScore:
    """Confusion counts of a three-way label; None as a prediction is a miss of every class."""

    pairs: Counter = field(default_factory=Counter)  # (gold, predicted) -> count

    def add(self, gold: str, predicted: str | None) -> None:
        self.pairs[(gold, predicted)] += 1

    @property
    def total(self) -> int:
        return sum(self.pairs.values())

    @property
    def accuracy(self) -> float:
        return sum(n for (g, p), n in self.pairs.items() if g == p) / self.total if self.total else 0.0

    def f1(self, label: str) -> float:
        tp = self.pairs[(label, label)]
        fp = sum(n for (g, p), n in self.pairs.items() if p == label and g != label)
        fn = sum(n for (g, p), n in self.pairs.items() if g == label and p != label)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    @property
    def macro_f1(self) -> float:
        return sum(self.f1(label) for label in EI_LABELS.values()) / len(EI_LABELS)

    @property
    def unanswered(self) -> int:
        return sum(n for (_, p), n in self.pairs.items() if p is None)


def evidence_inference_prompts(shared_eval: Path, split: str, in_abstract: bool = True) -> list[dict]:
    """Evidence Inference 2.0 prompts of one ``ev2_split`` (train, validation, test) whose evidence
    is inside the abstract: ``{"prompt_id", "outcome", "intervention", "comparator", "label",
    "evidence"}``, label in our three names, evidence the first in-abstract annotation whose label a
    verifier accepted. Prompts without a majority label are left out. ``in_abstract=False``: every
    prompt of the split, evidence the first accepted annotation's wherever it is (full text too)."""
    prompts = []
    path = shared_eval / "evidence_inference" / "v2_prompts.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        prompt = json.loads(line)
        label = EI_LABELS.get(prompt.get("majority_label"))
        if prompt["ev2_split"] != split or label is None:
            continue
        evidence = [a["evidence"] for a in prompt["annotations"]
                    if (a["evidence_in_abstract"] or not in_abstract) and a["valid_label"]]
        if not evidence:
            continue
        prompts.append({"prompt_id": prompt["prompt_id"], "outcome": prompt["outcome"],
                        "intervention": prompt["intervention"], "comparator": prompt["comparator"],
                        "label": label, "evidence": " ".join(evidence[0].split())})
    return prompts


def evaluate_evidence_inference(shared_eval: Path, split: str = "test") -> ClassScore:
    """Direction accuracy and macro-F1 of ``result_direction`` on one split's in-abstract prompts."""
    score = ClassScore()
    for prompt in evidence_inference_prompts(shared_eval, split):
        score.add(prompt["label"], result_direction(prompt["evidence"], prompt["outcome"]))
    return score


@dataclass
class CountScore:
    """Sample size against the annotated total-participants mentions of each abstract, and arm
    sizes against the annotated intervention- and control-participants mentions.

    The rules of issue 12 were developed on the abstracts with an even PMID only; the odd ones are
    counted apart (``heldout_*``) as the part no rule was tuned on."""

    documents: int = 0
    answered: int = 0
    right_any: int = 0  # our N equals one of the annotated total-participants numbers
    right_first: int = 0  # our N equals the first one annotated
    heldout_documents: int = 0
    heldout_right_any: int = 0
    arm_documents: int = 0  # abstracts with two or more per-arm counts annotated
    arm_answered: int = 0  # ... where our arms have a size
    arm_right: int = 0  # ... and every size we give is one of the annotated per-arm counts
    heldout_arm_answered: int = 0
    heldout_arm_right: int = 0

    def row(self) -> dict:
        share = (lambda n, d: round(n / d, 3) if d else 0.0)
        return {"documents": self.documents, "answered": share(self.answered, self.documents),
                "accuracy_any": share(self.right_any, self.documents),
                "accuracy_first": share(self.right_first, self.documents),
                "precision_any": share(self.right_any, self.answered),
                "accuracy_any_heldout": share(self.heldout_right_any, self.heldout_documents),
                "arm_n_documents": self.arm_documents, "arm_n_answered": share(self.arm_answered, self.arm_documents),
                "arm_n_precision": share(self.arm_right, self.arm_answered),
                "arm_n_precision_heldout": share(self.heldout_arm_right, self.heldout_arm_answered)}


def evaluate_pico_n(shared_eval: Path) -> CountScore:
    """Our ``n_enrolled`` on every PICO-corpus abstract that has a ``total-participants`` entity
    (Mutinda et al., WIESP 2022). The corpus marks every mention of the total, which may differ
    (randomised, analysed): ``accuracy_any`` accepts any of them, ``accuracy_first`` the first.
    Arm sizes on every abstract with two or more ``intervention-participants`` /
    ``control-participants`` mentions: answered when our arms give a size, right when every size
    given is one of the annotated per-arm counts (which may be randomised or analysed counts)."""
    score = CountScore()
    for line in (shared_eval / "pico_corpus" / "pico_corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        heldout = int(item["pmid"]) % 2 == 1 if item["pmid"].isdigit() else False
        doc = Document(f"pubmed:{item['pmid']}", "pubmed", "", {"abstract": item["text"]}, pmid=item["pmid"])
        per_arm = [_count(e["text"]) for e in item["entities"]
                   if e["type"] in ("intervention-participants", "control-participants")]
        if len(per_arm) >= 2:
            sizes = [a["n"] for a in extract(doc)["arms"] if a["n"] is not None]
            right = bool(sizes) and all(n in per_arm for n in sizes)
            score.arm_documents += 1
            score.arm_answered += bool(sizes)
            score.arm_right += right
            score.heldout_arm_answered += heldout and bool(sizes)
            score.heldout_arm_right += heldout and right
        mentions = [e["text"] for e in item["entities"] if e["type"] == "total-participants"]
        if not mentions:
            continue
        totals = [_count(t) for t in mentions]
        n = population(doc, {"fibromyalgia": False})["n_enrolled"]
        score.documents += 1
        score.answered += n is not None
        score.right_any += n is not None and n in totals
        score.right_first += n is not None and n == totals[0]
        score.heldout_documents += heldout
        score.heldout_right_any += heldout and n is not None and n in totals
    return score


# Control arms whose name the PICO corpus writes otherwise ("control group", "usual care", "saline").
GENERIC_CONTROLS = frozenset({"placebo", "saline", "no treatment", "usual care"})


@dataclass
class ArmAgreement:
    """Arms against the PICO corpus's intervention / control spans and per-arm participant counts,
    counted apart on the development abstracts (even PMID) and the held-out ones (odd PMID).

    ``documents``: abstracts with two or more per-arm counts and an intervention or control span
    annotated; ``sizes_right``: every arm we give has a size, each one of the annotated per-arm
    counts; ``substances_right``: every tested substance of our arms lies in (or holds) an annotated
    intervention or control span, and a control arm we give is matched by a control span;
    ``both_right``: the two together."""

    documents: Counter = field(default_factory=Counter)  # part -> count
    sizes_right: Counter = field(default_factory=Counter)
    substances_right: Counter = field(default_factory=Counter)
    both_right: Counter = field(default_factory=Counter)

    def row(self) -> dict:
        share = (lambda n, d: round(n / d, 3) if d else 0.0)
        return {f"{name}_{part}": share(getattr(self, name)[part], self.documents[part])
                for part in ("development", "heldout") for name in ("sizes_right", "substances_right", "both_right")
                } | {f"documents_{part}": self.documents[part] for part in ("development", "heldout")}


def arms_agree(arms: list[dict], spans: dict[str, list[str]], per_arm: list[float | None]) -> tuple[bool, bool]:
    """(sizes right, substances right) of one abstract's arms against its annotations: ``spans``
    ``{"intervention": [...], "control": [...]}`` (lower case), ``per_arm`` the annotated per-arm
    counts. No arm is neither right."""
    if not arms:
        return False, False
    sizes = [a["n"] for a in arms]
    sizes_ok = all(n is not None and n in per_arm for n in sizes)
    every = spans["intervention"] + spans["control"]
    substances_ok = True
    for arm in arms:
        for item in (i for i in arm["interventions"] if not i.get("background")):
            name = item["name"].lower()
            if name in GENERIC_CONTROLS:
                substances_ok &= bool(spans["control"])
            else:
                substances_ok &= any(name in span or span in name for span in every)
    return sizes_ok, substances_ok


def evaluate_pico_arms(shared_eval: Path) -> ArmAgreement:
    """``ArmAgreement`` of our arms on the PICO corpus (Mutinda et al., WIESP 2022): a generic check
    of what an arm is and how many it held, on abstracts of every field (not only magnesium). The
    issue-12 arm rules were developed on the even PMIDs; the odd ones are held out."""
    score = ArmAgreement()
    for line in (shared_eval / "pico_corpus" / "pico_corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        per_arm = [_count(e["text"]) for e in item["entities"]
                   if e["type"] in ("intervention-participants", "control-participants")]
        spans = {kind: [e["text"].lower() for e in item["entities"] if e["type"] == kind]
                 for kind in ("intervention", "control")}
        if len(per_arm) < 2 or not (spans["intervention"] or spans["control"]):
            continue
        part = "heldout" if item["pmid"].isdigit() and int(item["pmid"]) % 2 == 1 else "development"
        doc = Document(f"pubmed:{item['pmid']}", "pubmed", "", {"abstract": item["text"]}, pmid=item["pmid"])
        sizes_ok, substances_ok = arms_agree(extract(doc)["arms"], spans, per_arm)
        score.documents[part] += 1
        score.sizes_right[part] += sizes_ok
        score.substances_right[part] += substances_ok
        score.both_right[part] += sizes_ok and substances_ok
    return score


def evaluate_direction_model(shared_eval: Path, split: str = "test", in_abstract: bool = True,
                             model=None) -> dict[str, ClassScore]:
    """The rules, the learned model (``direction_model``) and their combination side by side on one
    Evidence Inference 2.0 split, evidence sentence given: ``{"rules", "model", "rules_then_model",
    "rules_then_model_always"}``. ``rules_then_model`` is what extraction does: the rules' direction,
    else the model's where its probability reaches the threshold stored with it (chosen on the
    validation split); ``_always`` lets the model answer wherever the rules abstain. Empty scores
    when no model is stored. ``in_abstract=False``: every prompt of the split (see
    ``evidence_inference_prompts``)."""
    from .direction_model import load_model
    model = model or load_model()
    scores = {name: ClassScore() for name in ("rules", "model", "rules_then_model", "rules_then_model_always")}
    if model is None:
        return scores
    threshold = model.metadata.get("abstain_below", 0.0)
    for prompt in evidence_inference_prompts(shared_eval, split, in_abstract):
        rules = result_direction(prompt["evidence"], prompt["outcome"])
        label, probability = model.predict(prompt["evidence"], prompt["outcome"])
        scores["rules"].add(prompt["label"], rules)
        scores["model"].add(prompt["label"], label)
        scores["rules_then_model"].add(prompt["label"], rules or (label if probability >= threshold else None))
        scores["rules_then_model_always"].add(prompt["label"], rules or label)
    return scores
def _count(mention: str) -> float | None:
    """An annotated count as a number: "13 388" and "1,009" are one number; words ("Twenty") too; a
    mention that is no number ("all patients") is None and matches nothing."""
    digits = mention.replace(" ", "").replace(",", "")
    return lx.words_to_number(digits if digits.isdigit() else mention)


# --- outcomes with direction, end to end, on Evidence Inference abstracts -------------------------

# Words that say how an outcome was counted or when, not what it is: they take no part in matching
# an extracted outcome to a prompt's outcome.
OUTCOME_FILLER = frozenset("""score scores level levels value values rate rates total mean change changes
incidence number proportion percentage patients patient group groups after before during at of in on to
by for with from baseline week weeks month months day days hour hours h min minutes year years end period
time first second third postoperative post treatment significant overall as well""".split())


def _outcome_words(text: str) -> set[str]:
    """Content words of an outcome's name: ``measures.tokens`` without counting or time words."""
    from .measures import GENERIC_WORDS, tokens
    return {w for w in tokens(text) if not w.isdigit()} - OUTCOME_FILLER - GENERIC_WORDS


def outcome_answers_prompt(extracted: dict, prompt_outcome: str) -> bool:
    """Whether an extracted outcome answers to an Evidence Inference prompt's outcome, by content
    words (the rule of ``_outcome_words``): every content word of the shorter name appears in the
    longer one ("pain scores" answers to "Pain at rest at 24 h"; "nausea" to "incidence of
    postoperative nausea and vomiting"; "pain" does not answer to "sleep quality"). A name with no
    content word answers to nothing."""
    ours = _outcome_words(f"{extracted.get('label') or ''} {extracted['measure'].replace('_', ' ')}")
    ours_label = _outcome_words(extracted.get("label") or "") or ours
    theirs = _outcome_words(prompt_outcome)
    if not ours_label or not theirs:
        return False
    shorter, longer = sorted((ours_label, theirs), key=len)
    return shorter <= longer or (len(shorter) > 1 and len(shorter & longer) >= 2)


def raw_direction(extracted: dict) -> str | None:
    """An extracted outcome's direction as Evidence Inference says it (the measure went up, down,
    or did not differ): improved/worsened turned back with the measure's polarity (the fixed
    vocabulary's, else ``measures.HIGHER_IS_BETTER`` on the label, the rule the extractor uses).
    A direction said not significant (``significant`` False) is Evidence Inference's "no
    significant difference"; fmwatch keeps the direction and the significance apart."""
    from .measures import HIGHER_IS_BETTER, LOWER_IS_BETTER_HEAD
    direction = extracted.get("direction")
    if direction == "no_change" or extracted.get("significant") is False:
        return NO_DIFFERENCE  # (Evidence Inference's label for a difference said not significant)
    if direction not in ("improved", "worsened"):
        return None
    better = next((b for key, _, b in lx.MEASURES if key == extracted["measure"]), None)
    if LOWER_IS_BETTER_HEAD.search(extracted.get("label") or ""):
        better = False  # "sleep disturbance" (key sleep): improved is less of what the label names
    if better is None:
        better = bool(HIGHER_IS_BETTER.search(extracted.get("label") or extracted["measure"]))
    up = (direction == "improved") == better
    return INCREASED if up else DECREASED


@dataclass
class OutcomePromptScore:
    """End-to-end outcomes on Evidence Inference abstracts: for each prompt whose evidence is in
    the abstract, is one of our outcomes the prompt's (``found``), and is its direction the
    prompt's label (``right``)? ``extracted`` counts every outcome we report on the abstracts
    scored, ``unmatched`` those that answer to no prompt of their abstract (a rough count of
    measures reported beyond the annotated ones: the prompts do not list every outcome)."""

    prompts: int = 0
    found: int = 0
    right: int = 0
    abstracts: int = 0
    extracted: int = 0
    unmatched: int = 0
    by_label: Counter = field(default_factory=Counter)  # (gold, found?, right?) -> count

    def row(self) -> dict:
        share = (lambda n, d: round(n / d, 3) if d else 0.0)
        return {"prompts": self.prompts, "found_rate": share(self.found, self.prompts),
                "direction_accuracy_when_found": share(self.right, self.found),
                "right_rate": share(self.right, self.prompts), "abstracts": self.abstracts,
                "outcomes_per_abstract": share(self.extracted, self.abstracts),
                "unmatched_share": share(self.unmatched, self.extracted)}


def evidence_inference_abstracts(shared_eval: Path, pmcids: set[str]) -> dict[str, Document]:
    """The Evidence Inference 2.0 abstracts of the given PMC ids as Documents (title, and the
    abstract's sections joined as "Heading: text" the way a structured PubMed abstract reads:
    ``corpus_texts.evidence_inference_texts`` in its ``"sections"`` form); an id without an
    abstract is left out."""
    texts = evidence_inference_texts(shared_eval / EVIDENCE_INFERENCE, pmcids, "sections")
    return {pmcid: Document(f"pmc:{pmcid}", "pmc", title, {"title": title, "abstract": abstract})
            for pmcid, (title, abstract) in texts.items() if abstract}


def evaluate_outcomes_on_prompts(shared_eval: Path, split: str = "validation", limit: int | None = None
                                 ) -> OutcomePromptScore:
    """fmwatch's outcomes, end to end from the abstract, against Evidence Inference 2.0 prompts
    (DeYoung et al., BioNLP 2020) of one ``ev2_split`` whose evidence is in the abstract: a prompt
    is found when an extracted outcome answers to its outcome (``outcome_answers_prompt``), right
    when one that answers has the prompt's direction (``raw_direction``). Develop on ``train`` and
    ``validation``; ``test`` is for reporting. ``limit``: the first N abstracts only (quick runs).

    The prompts name the outcomes an annotator chose, not every one reported, so the found-rate is
    a recall-like figure; ``unmatched_share`` only hints at over-reporting."""
    path = shared_eval / "evidence_inference" / "v2_prompts.jsonl"
    by_article: dict[str, list[dict]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        prompt = json.loads(line)
        label = EI_LABELS.get(prompt.get("majority_label"))
        if prompt["ev2_split"] != split or label is None or not prompt.get("any_evidence_in_abstract"):
            continue
        if not any(a["evidence_in_abstract"] and a["valid_label"] for a in prompt["annotations"]):
            continue
        by_article.setdefault(prompt["pmcid"], []).append({"outcome": prompt["outcome"], "label": label})
    docs = evidence_inference_abstracts(shared_eval, set(by_article))
    score = OutcomePromptScore()
    for pmcid in sorted(docs)[:limit]:
        reported = extract(docs[pmcid])["outcomes"]
        prompts = by_article[pmcid]
        score.abstracts += 1
        score.extracted += len(reported)
        score.unmatched += sum(not any(outcome_answers_prompt(o, p["outcome"]) for p in prompts) for o in reported)
        for prompt in prompts:
            answering = [o for o in reported if outcome_answers_prompt(o, prompt["outcome"])]
            right = any(raw_direction(o) == prompt["label"] for o in answering)
            score.prompts += 1
            score.found += bool(answering)
            score.right += right
            score.by_label[(prompt["label"], bool(answering), right)] += 1
    return score


# --- result sentences: which sentences of an abstract report a result ------------------------------

@dataclass
class LabelledAbstract:
    """One Evidence Inference abstract, its abstract sentences (``text.Sentence``, in order) and for
    each whether it holds an evidence span a verifier accepted (a result sentence)."""

    pmcid: str
    doc: Document
    sentences: list
    results: list[bool]
    sections: list[str | None]  # the heading each sentence falls under (lower case), None before any

    @property
    def trusted(self) -> list[bool]:
        """For each sentence, whether its label can be trusted for training: a result, or a sentence
        under a heading that announces no results (``NON_RESULT_SECTIONS``). Annotators marked the
        evidence of a few outcomes per article, so an unmarked sentence of the results or the
        conclusions may well be a result, and one of an unstructured abstract too."""
        return [r or (s is not None and s in NON_RESULT_SECTIONS) for r, s in zip(self.results, self.sections)]


# Headings of a structured abstract under which no result is reported.
NON_RESULT_SECTIONS = frozenset("""background introduction objective objectives aim aims purpose purposes context
rationale methods method design setting settings participants patients subjects interventions intervention
hypothesis""".split()) | {"materials and methods", "patients and methods", "subjects and methods", "study design",
                          "methods and materials", "design and setting", "main outcome measures", "outcome measures",
                          "trial registration", "registration", "objective and methods", "aims and objectives"}
SECTION_OPENING = re.compile(r"^\s*([A-Za-z][A-Za-z ]{2,40}?)\s*:")


def measured_corpus_pmcids() -> set[str]:
    """The Evidence Inference PMC ids of our blind corpus labels' measured-only half
    (``corpus_split.toml``): never trained or tuned on, so they are left out of every split here."""
    from .mgfm import split
    return {i.split(":", 1)[1] for i in split("corpus_split.toml")["measured"] if i.startswith("evidence_inference:")}


def _evidence_pattern(evidence: str):
    """A regex finding an evidence text in an abstract whatever its whitespace."""
    return re.compile(r"\s+".join(map(re.escape, evidence.split())))


def _covers(start: int, end: int, sentence_start: int, sentence_end: int) -> bool:
    """Whether a span covers at least half of a sentence or half of itself."""
    overlap = min(end, sentence_end) - max(start, sentence_start)
    return overlap > 0 and 2 * overlap >= min(sentence_end - sentence_start, end - start)


def result_sentence_abstracts(shared_eval: Path, split: str, limit: int | None = None) -> list[LabelledAbstract]:
    """The abstracts of one Evidence Inference 2.0 ``ev2_split`` with their sentences labelled:
    a sentence is a result when an accepted in-abstract evidence span of any prompt of its article
    covers at least half of the sentence or half of the span (DeYoung et al., BioNLP 2020: the
    annotators' evidence is the sentence that reports the result). Abstracts with no evidence span
    found in their text are left out, and so are the measured-only documents of our corpus labels
    (``measured_corpus_pmcids``). Sentences as ``text.sentences`` cuts them (title left out);
    ordered by PMC id; ``limit``: the first N abstracts only."""
    from .text import sentences
    evidence: dict[str, set[str]] = {}
    for line in (shared_eval / "evidence_inference" / "v2_prompts.jsonl").read_text(encoding="utf-8").splitlines():
        prompt = json.loads(line)
        if prompt["ev2_split"] != split:
            continue
        for annotation in prompt["annotations"]:
            text = " ".join((annotation["evidence"] or "").split())
            if annotation["evidence_in_abstract"] and annotation["valid_label"] and text:
                evidence.setdefault(prompt["pmcid"], set()).add(text)
    excluded = measured_corpus_pmcids()
    docs = evidence_inference_abstracts(shared_eval, set(evidence) - excluded)
    labelled = []
    for pmcid in sorted(docs):
        doc = docs[pmcid]
        abstract = doc.fields["abstract"]
        spans = []
        for text in sorted(evidence[pmcid]):
            pattern = _evidence_pattern(text)
            match = pattern.search(abstract) or re.compile(pattern.pattern, re.I).search(abstract)
            if match:
                spans.append((match.start(), match.end()))
        if not spans:
            continue
        listed = [s for s in sentences(doc) if s.field == "abstract"]
        results = [any(_covers(s, e, sentence.start, sentence.end) for s, e in spans) for sentence in listed]
        sections, section = [], None
        for sentence in listed:
            opening = SECTION_OPENING.match(sentence.text)
            section = opening.group(1).strip().lower() if opening else section
            sections.append(section)
        labelled.append(LabelledAbstract(pmcid, doc, listed, results, sections))
        if limit is not None and len(labelled) >= limit:
            break
    return labelled


def _chosen(doc: Document, sentences_: list) -> list[bool]:
    """For each sentence, whether it is the evidence sentence of an outcome ``extract`` reports."""
    reported = extract(doc)["outcomes"]
    chosen = {(e["field"], e["start"], e["end"]) for o in reported for e in o["evidence"] if e.get("role") == "sentence"}
    return [(s.field, s.start, s.end) in chosen for s in sentences_]


def rule_result_sentences(abstract: LabelledAbstract, armless_trials: bool = False) -> list[bool]:
    """For each sentence of a labelled abstract, whether the outcome rules alone (no model veto)
    report a result from it: it is the evidence sentence of an extracted outcome. ``armless_trials``:
    read trials whose arms were not found too (what extraction does with the model)."""
    from .result_sentence_model import rules_alone
    with rules_alone(armless_trials):
        return _chosen(abstract.doc, abstract.sentences)


@dataclass
class SentenceScore:
    """Counts of "is a result sentence" against the Evidence Inference evidence sentences."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: bool, predicted: bool) -> None:
        self.tp += gold and predicted
        self.fp += predicted and not gold
        self.fn += gold and not predicted

    def row(self) -> dict:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                "chosen": self.tp + self.fp}


def evaluate_result_sentences(shared_eval: Path, split: str = "validation", limit: int | None = None,
                              model=None) -> dict[str, SentenceScore]:
    """Which sentences of Evidence Inference 2.0 abstracts report a result (DeYoung et al., BioNLP
    2020: a sentence holding an accepted evidence span, ``result_sentence_abstracts``), as the rules
    choose them and as the result-sentence model does, side by side on one split:

    - ``rules``: the evidence sentences of the outcomes the rules alone report (as before the model);
    - ``rules_armless_trials``: the same, trials with no arm found read too, no veto;
    - ``model``: the sentences the model scores at or above its ``decide_at``;
    - ``rules_or_model``: ``rules`` plus the sentences the model admits (``decide_at``);
    - ``rules_vetoed``: the evidence sentences of what extraction reports with the model's veto on
      (every sentence below ``veto_below`` set aside);
    - ``rules_armless_trials_vetoed``: the same with trials whose arms were not found read too (only
      in the sentences ``result_sentence_model.armless_result_sentences`` picks).

    Extraction leaves both model options off (``result_sentence_model._IN_USE``: the README says why),
    so what it reports is ``rules``.

    Develop on ``train`` and ``validation`` (the thresholds were chosen there); ``test`` is for
    reporting. Empty scores without a stored model."""
    from .result_sentence_model import load_model, options, rules_alone
    model = model or load_model()
    names = ("rules", "rules_armless_trials", "model", "rules_or_model", "rules_vetoed", "rules_armless_trials_vetoed")
    scores = {name: SentenceScore() for name in names}
    if model is None:
        return scores
    decide_at = model.metadata.get("decide_at", 0.5)
    for abstract in result_sentence_abstracts(shared_eval, split, limit):
        with rules_alone():
            rules = _chosen(abstract.doc, abstract.sentences)
        with rules_alone(armless_trials=True):
            armless = _chosen(abstract.doc, abstract.sentences)
        with options(veto=True):
            extraction = _chosen(abstract.doc, abstract.sentences)
        with options(veto=True, armless_trials=True):
            extraction_armless = _chosen(abstract.doc, abstract.sentences)
        for sentence, gold, r, a, e, ea in zip(abstract.sentences, abstract.results, rules, armless, extraction,
                                               extraction_armless):
            said = model.probability(sentence.text) >= decide_at
            for name, predicted in zip(names, (r, a, said, r or said, e, ea)):
                scores[name].add(gold, predicted)
    return scores
