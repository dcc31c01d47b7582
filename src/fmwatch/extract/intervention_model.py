"""A small learned tagger of intervention and comparator spans: which words of a sentence name
what a trial gave its groups ("zoledronic acid 4 mg", "a home-based walking programme",
"placebo"), including names no lexicon of ours holds. The EBM-NLP "I" label (Nye et al., ACL
2018), learned by ``fmwatch.extract.train_interventions`` from the crowd-labelled abstracts of
SciBERT's EBM-NLP development file that ``fmwatch eval`` never scores.

The model is a binary logistic regression over sparse features of each word: the word itself, its
prefix and suffixes, its shape, the words up to two either side (and the bigrams with them),
whether it or a neighbour names a substance we know (``substances``: the lexicon or a drug-name
ending), whether a dose follows it, and cue words of its sentence ("randomized", "received",
"versus", "group"). It is stored as plain JSON (``models/intervention_model.json``: intercept,
one weight per kept feature, the tagging threshold, version and fingerprints of the data and code
that made it). JSON, not pickle: loading it runs no code. Inference is pure Python (a few
microseconds a word, from per-word parts cached on the model), and extraction asks it only where
the arm rules found no tested arm, and only of the title (``model_arms``, ``arm_names``);
``evaluate`` scores its spans over whole abstracts (``document_spans``).
"""

from __future__ import annotations

import json
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .direction_model import model_json
from .substances import _word_name, substance_mentions
from .text import Document, sentences

MODEL_PATH = Path(__file__).parent / "models" / "intervention_model.json"
# Bump when ``sentence_features`` changes: a model trained on other features must not be loaded.
FEATURES_VERSION = "1"
FORMAT = "fmwatch-intervention-model"
CACHE_MAX = 100_000  # words whose parts a model keeps (emptied when full: a long run's memory stays bounded)

# A word (letters and digits, inner hyphens, stops, commas, slashes and apostrophes kept: "5-FU",
# "2.5", "mg/kg", "1,000"), else one character of punctuation.
TOKEN = re.compile(r"[A-Za-z0-9\u00C0-\u024F\u0370-\u03FF]+(?:[-'’.,/+][A-Za-z0-9\u00C0-\u024F\u0370-\u03FF]+)*|[^\s]")
DOSE_UNITS = frozenset("""mg g µg μg mcg ug microg microgram micrograms mmol meq iu ml mg/kg mg/day mg/d g/day
mcg/kg µg/kg μg/kg mg/kg/day mg/m2 units u""".split())
# Sentence cue words: a sentence that allocates or compares groups names its interventions.
CUES = {"randomized": "rand", "randomised": "rand", "randomly": "rand", "allocated": "rand", "assigned": "rand",
        "received": "recv", "receive": "recv", "receiving": "recv", "given": "recv", "treated": "recv",
        "administered": "recv", "versus": "vs", "vs": "vs", "compared": "vs", "comparing": "vs", "or": "or",
        "group": "group", "groups": "group", "arm": "group", "arms": "group", "placebo": "placebo",
        "effect": "effect", "effects": "effect", "efficacy": "effect", "trial": "trial"}


def tokens(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` character offsets of the words and punctuation marks of ``text`` as the
    tagger reads them. Example: ``tokens("Oral 5-FU, 2.5 mg/kg")`` -> offsets of ``Oral``, ``5-FU``,
    ``,``, ``2.5``, ``mg/kg``."""
    return [m.span() for m in TOKEN.finditer(text)]


def _shape(word: str) -> str:
    """A word's shape: ``d`` digits only, ``D`` digits with other marks, ``X`` all capitals, ``Xx``
    capitalised, ``x`` lower case, ``m`` mixed (letters and digits), ``p`` punctuation."""
    if word.isdigit():
        return "d"
    if word[0].isdigit():
        return "D"
    if not word[0].isalpha():
        return "p"
    if word.isalpha():
        if word.isupper():
            return "X" if len(word) > 1 else "Xx"
        if word.islower():
            return "x"
        return "Xx" if word[0].isupper() and word[1:].islower() else "m"
    return "m"


def sentence_features(words: list[str], first: bool = False, title: frozenset[str] = frozenset()) -> list[list[str]]:
    """The features of each word of one sentence (``words`` as written; ``first``: the document's
    first sentence, usually its title), one list per word, in order:

    - ``w`` the lower-case word, ``p3`` its first three letters, ``s3``/``s4`` its last three/four;
    - ``sh`` its shape (``_shape``); ``w-1``/``w-2``/``w+1``/``w+2`` the words around it and
      ``b-``/``b+`` the bigrams with its neighbours (``<s>``/``</s>`` at the edges);
    - ``lex`` the word names a substance (``substances._word_name``), ``lex-1``/``lex+1`` its
      neighbour does; ``dose+`` a dose follows (a number then a unit), ``num`` it is a number;
    - ``S:`` the sentence's cue words (``CUES``), ``S:first`` the first sentence;
    - ``title`` the word (four letters or more) is one of ``title``: the lower-case words of the
      document's first sentence (``title_words``), given for the sentences after it.

    Example: the features of "placebo" in ``["received", "placebo", "daily"]`` include
    ``w=placebo``, ``w-1=received``, ``w+1=daily``, ``sh=x`` and ``S:recv``."""
    lower = [w.lower() for w in words]
    n = len(lower)
    cues = sorted({f"S:{CUES[w]}" for w in lower if w in CUES})
    if first:
        cues.append("S:first")
    named = [_word_name(w) is not None for w in lower]
    padded = ["<s>", "<s>"] + lower + ["</s>", "</s>"]
    rows = []
    for i, w in enumerate(lower):
        shape = _shape(words[i])
        row = [f"w={w}", f"sh={shape}", f"w-1={padded[i + 1]}", f"w-2={padded[i]}", f"w+1={padded[i + 3]}",
               f"w+2={padded[i + 4]}", f"b-={padded[i + 1]}|{w}", f"b+={w}|{padded[i + 3]}"]
        if len(w) > 3:
            row += [f"s3={w[-3:]}", f"p3={w[:3]}"]
            if len(w) > 4:
                row.append(f"s4={w[-4:]}")
        if named[i]:
            row.append("lex")
        if i and named[i - 1]:
            row.append("lex-1")
        if i + 1 < n and named[i + 1]:
            row.append("lex+1")
        if shape in "dD":
            row.append("num")
            if i + 1 < n and lower[i + 1] in DOSE_UNITS:
                row.append("dose")
        elif (i + 2 < n and lower[i + 1][:1].isdigit() and lower[i + 2] in DOSE_UNITS):
            row.append("dose+")
        if w in title:
            row.append("title")
        row += cues
        rows.append(row)
    return rows


def title_words(text: str) -> frozenset[str]:
    """The lower-case words of four letters or more of a document's first sentence (its title):
    the ``title`` feature of the sentences after it. Example: ``title_words("Zelvorin for gout")``
    -> ``{"zelvorin", "gout"}``."""
    return frozenset(w for w in (text[s:e].lower() for s, e in tokens(text)) if len(w) >= 4)


@dataclass(frozen=True)
class InterventionModel:
    """A trained tagger: ``weights[feature]`` one weight each, ``intercept``; a word is tagged when
    its probability reaches ``threshold`` (chosen by the training script on abstracts it did not
    fit; stored in the metadata); ``metadata`` holds version, data and code fingerprints,
    hyper-parameters and scores."""

    intercept: float
    weights: dict[str, float]
    threshold: float
    options: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # word -> ``_parts``

    @property
    def version(self) -> str:
        """The model's version string (``train_interventions.MODEL_VERSION`` when it was trained)."""
        return self.metadata.get("version", "")

    def word_probabilities(self, words: list[str], first: bool = False, title: frozenset[str] = frozenset()) -> list[float]:
        """The probability (0-1) that each word of one sentence is inside an intervention span
        (``first``, ``title``: as ``sentence_features`` reads them). The same sums as over
        ``sentence_features`` (a test holds them equal), computed from per-word parts cached on the
        model (``_parts``) and one look-up per bigram, about four times faster."""
        weights, parts, get = self.weights, self._parts, self.weights.get
        lower = [w.lower() for w in words]
        n = len(lower)
        if not n:
            return []
        base = self.intercept
        for cue in {CUES[w] for w in lower if w in CUES}:
            base += get(f"S:{cue}", 0.0)
        if first:
            base += get("S:first", 0.0)
        rows = [parts(w, l) for w, l in zip(words, lower)]
        edge_left, edge_right = parts("<s>", "<s>"), parts("</s>", "</s>")
        lex_prev, lex_next, title_weight = get("lex-1", 0.0), get("lex+1", 0.0), get("title", 0.0)
        dose_weight, dose_before = get("dose", 0.0), get("dose+", 0.0)
        # each adjacent pair: (weight of "b+=a|b" for the first word, of "b-=a|b" for the second)
        pairs = [(get(f"b+={a}|{b}", 0.0), get(f"b-={a}|{b}", 0.0)) for a, b in zip(lower, lower[1:])]
        out = []
        for i in range(n):
            own, _, _, _, _, named, number = rows[i]
            prev1, prev2 = (rows[i - 1] if i else edge_left), (rows[i - 2] if i > 1 else edge_left)
            next1 = rows[i + 1] if i + 1 < n else edge_right
            next2 = rows[i + 2] if i + 2 < n else edge_right
            score = base + own + prev1[1] + prev2[2] + next1[3] + next2[4]
            score += pairs[i - 1][1] if i else get(f"b-=<s>|{lower[i]}", 0.0)
            score += pairs[i][0] if i + 1 < n else get(f"b+={lower[i]}|</s>", 0.0)
            if i and prev1[5]:
                score += lex_prev
            if i + 1 < n and next1[5]:
                score += lex_next
            if number:
                if i + 1 < n and lower[i + 1] in DOSE_UNITS:
                    score += dose_weight
            elif i + 2 < n and lower[i + 1][:1].isdigit() and lower[i + 2] in DOSE_UNITS:
                score += dose_before
            if lower[i] in title:
                score += title_weight
            out.append(1.0 / (1.0 + math.exp(-score)) if score > -30 else 0.0)
        return out

    def _parts(self, word: str, lower: str) -> tuple:
        """What one word adds wherever it stands, cached: (its own features' weight: ``w``, ``sh``,
        ``s3``, ``p3``, ``s4``, ``lex``; its weight as ``w-1``, ``w-2``, ``w+1``, ``w+2`` of another
        word; whether it names a substance; whether it is a number)."""
        cache = self.cache
        found = cache.get(word)
        if found is not None:
            return found
        get = self.weights.get
        if word in ("<s>", "</s>"):
            found = (0.0, get(f"w-1={word}", 0.0), get(f"w-2={word}", 0.0), get(f"w+1={word}", 0.0),
                     get(f"w+2={word}", 0.0), False, False)
        else:
            shape = _shape(word)
            named = _word_name(lower) is not None
            own = get(f"w={lower}", 0.0) + get(f"sh={shape}", 0.0)
            if len(lower) > 3:
                own += get(f"s3={lower[-3:]}", 0.0) + get(f"p3={lower[:3]}", 0.0)
                if len(lower) > 4:
                    own += get(f"s4={lower[-4:]}", 0.0)
            if named:
                own += get("lex", 0.0)
            if shape in "dD":
                own += get("num", 0.0)
            found = (own, get(f"w-1={lower}", 0.0), get(f"w-2={lower}", 0.0), get(f"w+1={lower}", 0.0),
                     get(f"w+2={lower}", 0.0), named, shape in "dD")
        if len(cache) >= CACHE_MAX:
            cache.clear()
        cache[word] = found
        return found

    def tag(self, text: str, first: bool = False, title: frozenset[str] = frozenset(), threshold: float | None = None,
            joins: tuple[str, ...] = ("-", "/", "+", "and", "or", "plus")) -> list[tuple[int, int]]:
        """The intervention spans of one sentence, as ``(start, end)`` character offsets into
        ``text``: runs of words whose probability reaches ``threshold`` (the model's own when None;
        a single untagged word between two tagged ones is kept inside when it is one of ``joins``,
        so "A plus B" is one span), punctuation trimmed from both ends.

        Example: ``tag("Patients received zelvorin 20 mg or placebo.")`` -> the offsets of
        ``zelvorin 20 mg or placebo`` (one span: "or" joins; with the stored model, 0.2)."""
        offsets = tokens(text)
        if not offsets:
            return []
        words = [text[s:e] for s, e in offsets]
        cut = self.threshold if threshold is None else threshold
        marked = [p >= cut for p in self.word_probabilities(words, first, title)]
        for i in range(1, len(words) - 1):
            if not marked[i] and marked[i - 1] and marked[i + 1] and words[i].lower() in joins:
                marked[i] = True
        spans, start = [], None
        for i, on in enumerate(marked + [False]):
            if on and start is None:
                start = i
            elif not on and start is not None:
                first_i, last_i = start, i - 1
                while first_i <= last_i and not words[first_i][0].isalnum():
                    first_i += 1
                while last_i >= first_i and not words[last_i][-1].isalnum() and words[last_i] != ")":
                    last_i -= 1
                if first_i <= last_i:
                    spans.append((offsets[first_i][0], offsets[last_i][1]))
                start = None
        return spans

    def to_json(self) -> str:
        """The model as the JSON text stored in ``models/`` (keys sorted, one feature a line: the same
        model is the same bytes, a retrained one diffs line by line)."""
        head = {"format": FORMAT, "intercept": self.intercept, "options": self.options,
                "metadata": {**self.metadata, "threshold": self.threshold}}
        return model_json(head, dict(self.weights))

    @classmethod
    def from_json(cls, text: str) -> "InterventionModel":
        """Read a model written by ``to_json``. Raises ValueError for another format or features
        version (retrain with ``python -m fmwatch.extract.train_interventions``)."""
        data = json.loads(text)
        head = data.get("model", {})
        if head.get("format") != FORMAT:
            raise ValueError("not an fmwatch intervention model")
        version = head.get("options", {}).get("features_version")
        if version != FEATURES_VERSION:
            raise ValueError(f"intervention model made with features version {version}, this code reads "
                             f"{FEATURES_VERSION}: retrain it")
        return cls(float(head["intercept"]), {k: float(v) for k, v in data["weights"].items()},
                   float(head["metadata"]["threshold"]), head["options"], head["metadata"])


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> InterventionModel | None:
    """The stored model, read once per process from the package (offline), or None when the file is
    missing (the rules then answer alone). Raises ValueError for another format or features version."""
    if not path.is_file():
        return None
    return InterventionModel.from_json(path.read_text(encoding="utf-8"))


def document_spans(doc: Document, model: InterventionModel | None = None) -> list[tuple[str, int, int]]:
    """The tagger's intervention spans over every sentence of a document, as ``(field, start, end)``
    offsets into ``doc.fields[field]`` (what ``evaluate.intervention_spans`` gives for the rules);
    the first sentence read as the title, its words the ``title`` feature of the rest. Empty when
    there is no stored model."""
    model = model or load_model()
    if model is None:
        return []
    spans, title = [], frozenset()
    for number, sentence in enumerate(sentences(doc)):
        for start, end in model.tag(sentence.text, first=number == 0, title=title):
            spans.append((sentence.field, sentence.start + start, sentence.start + end))
        if number == 0:
            title = title_words(sentence.text)
    return spans


# --- arm names the lexicon lacks ---------------------------------------------------------------------

# A sentence that allocates people: where a span the tagger finds is an arm ("randomized to ...").
ALLOCATES = re.compile(r"\b(?:randomi[sz]\w*|randomly|assigned|allocated)\b", re.I)
ALLOCATE_NEEDLES = ("random", "assign", "allocat")
# Words that open a span without naming the intervention ("a daily", "either the", "oral").
LEADING = frozenset("""a an the either both each one two three four daily weekly single twice once all this that these
those their its or and to of with receive received receiving via after before including regarding during following
within between among""".split())
# A span that names no intervention of its own: groups, care or treatment in general, a comparator the
# rules name already (placebo, saline, sham, control, no treatment, usual care).
GENERIC = frozenset("""treatment treatments therapy therapies intervention interventions group groups arm arms
control controls placebo placebos saline sham standard usual care conventional routine medication medications
drug drugs regimen regimens study trial patients participants subjects management procedure procedures dose doses
active vehicle none nothing program programme""".split())
# A word that ends a name (as do a number, a unit and punctuation): a group word, a preposition, a
# conjunction, a word of frequency.
NAME_STOPS = frozenset("""group groups arm arms for during daily weekly per at twice once every in versus vs or
and plus with which who that was were""".split())
# The people a trial studies, and words of its design: a name ending in the one ("computer workers")
# or holding the other ("placebo-controlled", "double-blind", "study protocol") names no intervention.
PEOPLE = frozenset("""patients patient women men children adults adolescents infants subjects participants volunteers
workers users smokers students mothers people persons individuals""".split())
DESIGN_PARTS = ("controlled", "blind", "randomi", "protocol", "trial", "study", "studies")
# The probability a word needs to be part of an arm's name (higher than the tagger's own threshold,
# which is chosen for token F1: an arm named wrongly costs more than a word missed). Chosen on the
# development ground (README: "Intervention-span model").
ARM_THRESHOLD = 0.25


def _arm_name(text: str, lexicon: bool = True) -> str | None:
    """The name a tagged span gives an arm, as written: its words after any ``LEADING`` word, up to
    a number (its dose), a unit, a mark of punctuation or a ``NAME_STOPS`` word; None when that
    leaves nothing, more than three words or only ``GENERIC`` words, a name ending in a word of
    ``PEOPLE`` or holding one of ``DESIGN_PARTS``, or (unless ``lexicon`` is False: the caller asks
    later) a substance the lexicon names (the rules read those).

    Example: ``_arm_name("either zelvorin 20 mg daily")`` -> ``"zelvorin"``;
    ``_arm_name("the control group")`` -> None."""
    spans = tokens(text)
    words = [text[s:e] for s, e in spans]
    at = 0
    while at < len(words) and words[at].lower() in LEADING:
        at += 1
    end = at
    while (end < len(words) and words[end][0].isalpha() and words[end].lower() not in NAME_STOPS
           and words[end].lower() not in DOSE_UNITS):
        end += 1
    if end == at or end - at > 3 or all(w.lower() in GENERIC or not w[0].isalnum() for w in words[at:end]):
        return None
    if words[end - 1].lower() in PEOPLE or any(part in w.lower() for w in words[at:end] for part in DESIGN_PARTS):
        return None  # "computer workers", "placebo-controlled", "double-blind", "protocol"
    name = text[spans[at][0]:spans[end - 1][1]]
    if len(name) < 3 or (lexicon and substance_mentions(name)):
        return None
    return name


def _said_as_word(text: str, name: str) -> str | None:
    """``name`` as ``text`` writes it (any case), where it stands there as a whole word, else None.
    Example: ``_said_as_word("given Zelvorin daily", "zelvorin")`` -> ``"Zelvorin"``."""
    match = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.I)
    return match.group(0) if match else None


def arm_names(doc: Document, model: InterventionModel | None = None) -> tuple[tuple[str, str, str, None], ...]:
    """Names of interventions the tagger finds in a document's first sentence (its title: a
    trial's title names what it tests) that no lexicon of ours holds (``_arm_name``) and that one of
    its allocating sentences (``ALLOCATES``: "randomized", "assigned", "allocated") names too, as
    ``(name as the allocating sentence writes it, name, name, None)``: entries of the kind ``arms``
    reads for an abbreviation the record defines ((abbreviation, name, substance, form); name and
    substance lower case), so that the arms rules read them like any named intervention (doses,
    groups, sizes). Empty without a stored model or an allocating sentence after the first.

    Only the title is tagged (a dozen words: the cost stays small where the rules found no arm), and
    a name must be said again where people are allocated: on the development ground four names in
    five so found are right, against one in two for every name tagged in the allocating sentences.

    Example: for "Zelvorin for gout. Adults with gout were randomized to zelvorin 20 mg daily or
    placebo." -> ``(("zelvorin", "zelvorin", "zelvorin", None),)`` (with the stored model)."""
    model = model or load_model()
    if model is None:
        return ()
    all_sentences = sentences(doc)
    if len(all_sentences) < 2:
        return ()
    head = all_sentences[0].text
    wanted = []  # the title's names, in order (tagging the title first: most records stop here)
    for start, end in model.tag(head, first=True, threshold=ARM_THRESHOLD, joins=("-", "/")):
        name = _arm_name(head[start:end], lexicon=False)
        if name is not None and name.lower() not in {w.lower() for w in wanted}:
            wanted.append(name)
    if not wanted:
        return ()
    found: dict[str, tuple[str, str, str, None]] = {}
    for sentence in all_sentences[1:]:
        lowered = sentence.text.lower()
        if not any(needle in lowered for needle in ALLOCATE_NEEDLES) or not ALLOCATES.search(sentence.text):
            continue
        for name in wanted:
            key = name.lower()
            if key not in found and key in lowered:
                written = _said_as_word(sentence.text, name)
                if written is not None and not substance_mentions(name):
                    found[key] = (written, key, key, None)
    return tuple(found.values())


# Whether extraction reads arms again with the tagger's names (``model_arms``): OFF by default, as the
# result-sentence model's reading of armless trials is. Measured at the session-23 merge (after arm_syntax
# reads allocation sentences first): on the development ground it adds one arm set (mg 8 -> 9 of 18) and one
# outcome set (pain 13 -> 14 of 20) and costs 7% of extraction speed (bench/extraction_speed.py, paired),
# which the 500 abstracts/s bar of issue 12 cannot spare on top of the session's rules. ``options`` turns it
# on for measurement.
_IN_USE = {"arms": False}


@contextmanager
def options(arms: bool = False):
    """A context in which extraction reads arms with the tagger's names (``arms``: see ``model_arms``).
    For measurements; not thread-safe."""
    saved = dict(_IN_USE)
    _IN_USE.update(arms=arms)
    try:
        yield
    finally:
        _IN_USE.update(saved)


def model_arms(doc: Document, read_arms) -> list[dict]:
    """The arms of a document where the rules found no tested arm, read again with the names the
    tagger finds (``arm_names``) standing as names the record defines: ``read_arms`` is
    ``arms._lexicon_arms``, which reads ``doc._found["model_names"]`` as such names (``arms._context``).
    Only for a record that allocates people (``arms`` sets ``doc._found["arm_abbreviations"]``),
    once per document; each intervention so named says ``"named_by": "model"``. Returns [] when the
    tagger names nothing new or the arms read again still hold no tested arm, and always unless
    turned on (``options(arms=True)``)."""
    if not _IN_USE["arms"] or "model_names" in doc._found or not doc._found.get("arm_abbreviations"):
        return []
    names = doc._found["model_names"] = arm_names(doc)
    if not names:
        return []
    for key in [k for k in doc._found if isinstance(k, tuple) and k[:1] == ("arm_context",)]:
        del doc._found[key]  # (read before the names were known)
    found = read_arms(doc)
    if all(a["is_control"] for a in found):
        return []
    named = {name for _, name, _, _ in names}
    for arm in found:
        for intervention in arm["interventions"]:
            if intervention["name"] in named:
                intervention["named_by"] = "model"
    return found
