"""Rule-based extraction of study details, every value with the text span it came from.

Input is a ``Document``: named text fields (title, abstract or body, and the publication
types and MeSH terms as text, so that values read from them have spans too). Output is one
evidence record per ``shared/contracts/evidence-record.schema.json``; ``claims`` is left
empty here and filled by ``fmwatch.evidence``. Unknown values are null, never guessed.

Rules rather than a model: they run at thousands of abstracts a second on one core, need no
weights, and each value can be traced to the words that produced it.
"""

from __future__ import annotations

from .record import EvidenceRecord
from .text import Document, Sentence, _find, _said, sentence_span, sentences, span
from .design import REVIEW_TYPES, TRIAL_WORDS, design, topics
from .population import population
from .substances import substance_mentions
from .arms import arms
from .duration import duration
from .outcomes import outcomes
from .levels import magnesium_levels

__all__ = ["EXTRACTOR_VERSION", "Document", "Sentence", "arms", "design", "duration", "extract", "magnesium_levels",
           "outcomes", "population", "sentence_span", "sentences", "span", "substance_mentions", "topics"]

EXTRACTOR_VERSION = "rules-11+direction-model-1.1"  # the rules and the direction model they consult; bumped when either changes: `fmwatch reextract` brings old records up


def extract(doc: Document) -> EvidenceRecord:
    """The evidence record of one document (``claims`` empty: the evidence stage fills it); its
    shape is ``extract.record.EvidenceRecord`` (the schema's)."""
    topic = topics(doc)
    arm_list = arms(doc)
    people = population(doc, topic)
    levels = magnesium_levels(doc)
    study_design = design(doc, arm_list, people, levels)
    if study_design["type"] in REVIEW_TYPES or (study_design["type"] in ("case_control", "cross_sectional")
                                                and not any(a["is_control"] for a in arm_list)
                                                and not _said(doc, _find(doc, TRIAL_WORDS))):
        arm_list = []  # a review's or a level study's substances are not arms of its own
    if study_design["type"] == "case_report" and people["n_enrolled"] is None and study_design["type_source"] == "text":
        people["n_enrolled"] = 1  # one person's course ("A 67-year-old man ... received ...")
        people["evidence"][:0] = study_design["evidence"][-1:]  # (the words that made it a case report)
    if len(arm_list) == 1 and not arm_list[0]["is_control"] and arm_list[0]["n"] is None and not (
            study_design["randomized"] or study_design["type"] == "rct"):
        arm_list[0]["n"] = people["n_enrolled"]  # one group: everyone enrolled is in it
    if (study_design["randomized"] or study_design["type"] == "rct") and not study_design["crossover"]:
        # A parallel trial's arm never holds everyone randomised: an arm's count equal to the total, with
        # no other arm sized, is the total read into the arm ("64 patients were randomized to A or B").
        for arm in arm_list:
            others = [a for a in arm_list if a is not arm and a["n"] is not None and a["n"] != arm["n"]]
            if arm["n"] is not None and arm["n"] == people["n_enrolled"] and not others:
                arm["n"] = None
    weeks, duration_evidence = duration(doc)
    return {
        "record_id": doc.record_id,
        "source": doc.source,
        "pmid": doc.pmid,
        "doi": doc.doi,
        "title": doc.title,
        "language": doc.language,
        "topics": topic,
        "design": study_design,
        "population": people,
        "arms": arm_list,
        "duration_weeks": weeks,
        "duration_evidence": duration_evidence,
        "outcomes": outcomes(doc, arm_list, study_design),
        "magnesium_levels": levels,
        "claims": [],
        "extractor": EXTRACTOR_VERSION,
    }
