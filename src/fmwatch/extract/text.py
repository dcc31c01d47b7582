"""Text and spans: the ``Document`` the extractor reads, its sentences, spans into its fields,
the kind of each sentence (a statement of the study, or an objective, background or wish), and
cached pattern look-ups shared by every part of the record."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from . import fastre, statements as st
from ..records import ArticleRecord, FmArticle


MAX_FIELD_CHARS = 60_000  # a 100 kB "abstract" is read up to here; the rest cannot be an abstract
# A sentence ends at . ! ? and white space before a capital, digit or bracket, or at a line break.
# (Led by one set of the stops and the line break, each alternative then asking by a look-behind
# which it was: re skips straight to the next such character, in C, only when a pattern opens with
# a set; as r"[.!?]\s+(?=...)|\n+" it tried every position.)
SENTENCE_END = re.compile(r"[.!?\n](?:(?<=[.!?])\s+(?=[A-Z0-9(\"“])|(?<=\n)\n*)")
# A stop that ends an abbreviation, not a sentence: "(i.e. 400 mg/day)", "(e.g. Zinc)", "approx. 12 mmol",
# "Smith et al. 2010", "vs. Placebo", "cf. Fig. 2" (lower case, as the text before the stop ends).
ABBREVIATIONS_BEFORE_STOP = ("i.e", "e.g", "approx", " cf", "(cf", "et al", " vs", "(vs", " fig", "(fig", " viz",
                             " ref", "(ref", " resp", " incl")


@dataclass
class Document:
    """One record as the extractor reads it: named text fields (``title``, ``abstract`` or ``body``,
    and ``publication_types`` / ``mesh`` as "; "-joined text so that values read from them have
    spans too) and the record's identifiers. The ``_`` fields cache what the stages find in it
    (sentences, lower-case text, pattern look-ups); a Document is read by one extraction.

    Example: ``Document("pubmed:1", "pubmed", "A trial", {"title": "A trial", "abstract": "..."})``."""

    record_id: str
    source: str
    title: str
    fields: dict[str, str]  # field name -> text; spans index into these
    pmid: str | None = None
    doi: str | None = None
    publication_types: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    language: str | None = None
    _sentences: list | None = field(default=None, repr=False, compare=False)
    _lower: str | None = field(default=None, repr=False, compare=False)
    _found: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_article(cls, record: ArticleRecord) -> "Document":
        """A PubMed record's Document: title, abstract, publication types and MeSH descriptors as
        fields; the first language as ``language``."""
        fields = {"title": record.title or "", "abstract": record.abstract or ""}
        if record.publication_types:
            fields["publication_types"] = "; ".join(record.publication_types)
        if record.mesh:
            fields["mesh"] = "; ".join(m.descriptor for m in record.mesh)
        return cls(f"pubmed:{record.pmid}", "pubmed", record.title or "", fields, record.pmid, record.doi,
                   record.publication_types, [m.descriptor for m in record.mesh],
                   record.languages[0] if record.languages else None)

    @classmethod
    def from_fm_article(cls, article: FmArticle) -> "Document":
        """A Fibromyalgia Network page's Document: its title and body (source ``fmnetwork``)."""
        return cls(article.record_id, "fmnetwork", article.title, {"title": article.title, "body": article.body})

    @property
    def text_fields(self) -> list[str]:
        """The prose fields present, in reading order: a subset of ``["title", "abstract", "body"]``."""
        return [name for name in ("title", "abstract", "body") if self.fields.get(name)]


class Sentence(NamedTuple):
    """One sentence of a field: ``text == doc.fields[field][start:end]`` (character offsets).
    (A named tuple: a document makes one per sentence, and a tuple is made fastest.)"""

    field: str
    start: int
    end: int
    text: str


def span(doc: Document, field_name: str, start: int, end: int) -> dict:
    """An evidence span: ``{"text", "start", "end", "field"}`` with ``text`` the field's characters
    ``start:end``. Example: ``span(doc, "abstract", 0, 5)`` -> ``{"text": "Forty", "start": 0, ...}``."""
    return {"text": doc.fields[field_name][start:end], "start": start, "end": end, "field": field_name}


def sentence_span(doc: Document, sentence: Sentence) -> dict:
    """A whole sentence as an evidence span, marked ``"role": "sentence"``: the span a reason may
    quote (a word or a number never stands as a quote)."""
    return {**span(doc, sentence.field, sentence.start, sentence.end), "role": "sentence"}


def sentences(doc: Document) -> list[Sentence]:
    """The sentences of every prose field (title first), each with its offsets in its field; a
    sentence ends at . ! or ? before a capital, a digit or a bracket, or at a line break, but not at
    the stop of an abbreviation ("i.e.", "e.g.", "approx.", "et al.": ``ABBREVIATIONS_BEFORE_STOP``).
    Fields are read up to ``MAX_FIELD_CHARS``. Cached on the document.

    Example: "Ten took it. Pain fell." -> two sentences, (0, 12) and (13, 23)."""
    if doc._sentences is not None:
        return doc._sentences
    found = []
    for name in doc.text_fields:
        text = doc.fields[name][:MAX_FIELD_CHARS]
        start = 0
        for match in SENTENCE_END.finditer(text):
            stop = match.start()
            if text[stop] == "." and text[max(0, stop - 6):stop].lower().endswith(ABBREVIATIONS_BEFORE_STOP):
                continue  # "(i.e. 400 mg/day)": the sentence goes on
            end = stop + (text[stop] != "\n")  # the stop stays in its sentence
            if end > start:
                found.append(Sentence(name, start, end, text[start:end]))
            start = match.end()
        if start < len(text):
            found.append(Sentence(name, start, len(text), text[start:]))
    doc._sentences = found
    return found


def _find(doc: Document, pattern: re.Pattern, fields: list[str] | None = None) -> list[dict]:
    key = (id(pattern), tuple(fields) if fields else None)
    if key in doc._found:  # several stages ask the same question of one document
        return doc._found[key]
    spans = doc._found[key] = []
    searched = _fast(pattern) if fields is None else pattern  # (the prose fields: the long texts)
    for name in fields or doc.text_fields:
        for match in searched.finditer(doc.fields.get(name, "")[:MAX_FIELD_CHARS]):
            spans.append(span(doc, name, match.start(), match.end()))
    return spans


# Each pattern as ``fastre.fast`` searches it, by its source and flags (a pattern compiled anew per
# document with the same source shares it); bounded, for patterns built from a record's own words.
_FAST: dict[tuple[str, int], "re.Pattern | fastre.FastPattern"] = {}


def _fast(pattern: "re.Pattern | fastre.FastPattern") -> "re.Pattern | fastre.FastPattern":
    if isinstance(pattern, fastre.FastPattern):
        return pattern
    key = (pattern.pattern, pattern.flags)
    searched = _FAST.get(key)
    if searched is None:
        if len(_FAST) > 2000:
            _FAST.clear()
        searched = _FAST[key] = fastre.fast(pattern)
    return searched


def _lower_text(doc: Document) -> str:
    if doc._lower is None:
        doc._lower = "\n".join(doc.fields[f] for f in doc.text_fields).lower()
    return doc._lower


def _may_say(text: str, needles: tuple[str, ...]) -> bool:
    """False only when ``text`` is ASCII and holds none of the (lower-case) needles."""
    if not text.isascii():
        return True
    lowered = text.lower()
    for needle in needles:  # (a loop: faster than any() over a generator, called per sentence)
        if needle in lowered:
            return True
    return False


def _may_hold(doc: Document, needles: tuple[str, ...]) -> bool:
    """False only when the document's text is ASCII and holds none of the (lower-case) needles: then
    a case-insensitive pattern that needs one of them cannot match (non-ASCII text is always read)."""
    lowered = _lower_text(doc)
    return not all(doc.fields[f].isascii() for f in doc.text_fields) or any(n in lowered for n in needles)


def _find_if(doc: Document, pattern: re.Pattern, needles: tuple[str, ...]) -> list[dict]:
    """_find, skipped when none of the needles is in the text (a substring test costs far less)."""
    found = doc._found.get((id(pattern), None))
    if found is None:
        found = doc._found.get(("unsaid", id(pattern), needles))
    if found is not None:  # asked before of this document
        return found
    lowered = _lower_text(doc)
    for needle in needles:  # (a loop: faster than any() over a generator)
        if needle in lowered:
            return _find(doc, pattern)
    found = doc._found[("unsaid", id(pattern), needles)] = []  # (kept apart: _find itself may still match)
    return found


def _kind(doc: Document, sentence: Sentence) -> str:
    """"wish", "background", "objective" or "statement" (see ``statements``); titles are statements."""
    key = ("kind", sentence.field, sentence.start)
    if key not in doc._found:
        text = sentence.text
        if "lead" not in doc._found:  # the sentences before the study is first spoken of are background
            abstract = [s for s in sentences(doc) if s.field == "abstract"]  # (a news story has no such order)
            count = st.leading_background([s.text for s in abstract])
            doc._found["lead"] = {(s.field, s.start) for s in abstract[:count]}
        kind = "statement" if sentence.field == "title" else st.kind_of(text)
        if kind in ("objective", "statement") and (sentence.field, sentence.start) in doc._found["lead"]:
            kind = "background"
        doc._found[key] = kind
    return doc._found[key]


def _said(doc: Document, spans: list[dict], excluded: tuple[str, ...] = ("wish", "background")) -> list[dict]:
    """The spans that sit in sentences of this study's own (not a wish, not background from elsewhere)."""
    if not spans:
        return spans
    kept = []
    for item in spans:
        sentence = _sentence_at(doc, item["field"], item["start"])
        if sentence is None or _kind(doc, sentence) not in excluded:
            kept.append(item)
    return kept


def _sentence_at(doc: Document, field_name: str, position: int) -> Sentence | None:
    """The sentence of a field that holds a position (a binary search over the sentence starts)."""
    index = doc._found.get("starts")
    if index is None:
        index = doc._found["starts"] = {}
        for sentence in sentences(doc):
            index.setdefault(sentence.field, ([], []))
            index[sentence.field][0].append(sentence.start)
            index[sentence.field][1].append(sentence)
    starts, found = index.get(field_name, ([], []))
    at = bisect.bisect_right(starts, position) - 1
    if at < 0 or position > found[at].end:
        return None
    return found[at]


def _sentence_of(doc: Document, item: dict) -> Sentence:
    return _sentence_at(doc, item["field"], item["start"])


def _dedupe(spans: list[dict]) -> list[dict]:
    seen, unique = set(), []
    for item in spans:
        key = (item["field"], item["start"], item["end"])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
