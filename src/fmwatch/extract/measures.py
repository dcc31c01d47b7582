"""Outcome measures named in a result clause, beyond the fixed fibromyalgia vocabulary of
``lexicon.MEASURES``: whatever the clause says changed ("PLMS associated with arousals decreased",
"a significant decrease in the vocalization thresholds", "magnesium reduced morphine consumption",
"improved in their morning stiffness and pain analog scores").

Pure text functions: they read one clause and return where each measure is, its label and its
polarity (whether higher is better). The outcome extractor (``core.outcomes``) gives them a
direction and evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CHANGE_BASE = (r"(?:decreas\w*|reduc\w*|improv\w*|increas\w*|declin\w*|diminish\w*|fell|rose|drop\w*|lower(?:ed)?|"
               r"worsen\w*|deteriorat\w*|attenuat\w*|elevat\w*")
CHANGE = CHANGE_BASE + r")"
# (with the rarer change verbs, for the clauses that hold one: ``VERB_WIDE``)
CHANGE_WIDE = CHANGE_BASE + r"|(?:down|up)-?regulat\w*)"
# How long something lasted, changed: "the block was prolonged", "shortened the recovery" (a pattern of its own,
# run only when the clause says it: ``VERB`` is tried at every space).
LENGTH_CHANGE = r"(?:prolong\w*|shorten\w*|lengthen\w*)"
NULL = (r"(?:did\s+not\s+(?:\w+\s+)?(?:change|differ|improve|decrease|increase)|(?:was|were|are|is)\s+not\s+"
        r"(?:significantly\s+|statistically\s+)?(?:different|changed|improved|reduced|affected)|"
        r"(?:was|were|remained)\s+unchanged|(?:was|were)\s+similar)")
ADVERB = r"(?:(?:also|significantly|moderately|markedly|slightly|further|statistically|only|both|all)\s+)*"
# (with the adverbs that say a change was not significant or only in numbers: ``VERB_WIDE``)
ADVERB_WIDE = (r"(?:(?:also|significantly|moderately|markedly|slightly|further|statistically|only|both|all|non-?significantly|"
               r"insignificantly|numerically|nominally|marginally)\s+)*")

# "<measure> (was) (significantly) decreased": the measure is the subject, the words before the verb.
# ("was three times lower", "were 2-fold higher": how many times, between the verb and its auxiliary)
TIMES = r"(?:(?:two|three|four|five|ten|\d+(?:\.\d+)?)[\s-]*(?:times|fold)\s+)?"
VERB = re.compile(rf"\s(?:(?:was|were|are|is|had|have)\s+)?{ADVERB}{TIMES}(?P<verb>{CHANGE}|{NULL})\b", re.I)
VERB_WIDE = re.compile(rf"\s(?:(?:was|were|are|is|had|have)\s+)?{ADVERB_WIDE}{TIMES}(?P<verb>{CHANGE_WIDE}|{NULL})\b", re.I)
LENGTH_VERB = re.compile(rf"\s(?:(?:was|were|are|is|had|have)\s+)?{ADVERB}(?P<verb>{LENGTH_CHANGE})\b", re.I)
ORDINAL = re.compile(r"\b1st\b")
# "was (more than) 20% less than", "were 35% higher": by how much, before the comparative.
PERCENT_BY = r"(?:(?:more|less)\s+than\s+|about\s+|approximately\s+|nearly\s+|almost\s+)?\d+(?:\.\d+)?\s*%\s+"
# "<measure> was (significantly) longer in the magnesium group": a comparative said of the subject.
PREDICATE = re.compile(rf"\b(?:was|were|is|are|remained)\s+{ADVERB}(?:statistically\s+significant\s+)?(?:{PERCENT_BY}"
                       r"(?:less|lower|more|fewer|higher|greater|smaller|larger|shorter|longer)|higher|longer|"
                       r"shorter|greater|smaller|larger|less(?!\s+than)|(?:more|less)\s+(?:common|frequent|prevalent))\b",
                       re.I)
# (as one search of the clause in lower case: cheaper than a test per word)
PREDICATE_NEEDLE = re.compile(r"higher|longer|shorter|greater|smaller|larger|less|more (?:common|frequent|prevalent)|"
                              r"% (?:lower|more|fewer)")
# "The clinical asthma score also showed significant improvement": a change noun said of the subject.
SHOWED_CHANGE = re.compile(r"\b(?:(?:also|further)\s+)?(?:showed|demonstrated|exhibited|displayed|underwent)\s+(?:an?\s+)?"
                           r"(?:(?:early|significant|marked|greater|further|slight|substantial|statistically\s+significant)"
                           r"\s+(?:and\s+)?)*(?:improvements?|reductions?|decreases?|increases?|declines?|rises?|"
                           r"worsening)\b", re.I)
SHOWED_NEEDLE = re.compile(r"showed|demonstrated|exhibited|displayed|underwent")
# "fewer subjects who developed hypertension of pregnancy", "more patients with nausea": a count of
# people with an event, whose measure is the event.
FEWER_WITH = re.compile(r"\bfewer\s+(?:\w+\s+)?(?:subjects|patients|participants|women|men|children|"
                        r"cases|infants|people)\s+(?:who\s+(?:developed|had|experienced|required|needed|reported)|with|"
                        r"developing|experiencing|requiring|needing|reporting)\s+(?:a\s+|an\s+)?"
                        r"(?P<np>[A-Za-z][\w'/-]*(?:\s+(?!(?:than|compared|versus|in|at|after|during|was|were)\b)[\w'/-]+)"
                        r"{0,5}?)(?=\s*(?:\(|,|;|\.|$|\s+(?:than|compared|versus|vs|in|at|after|during|and|was|were)\b))",
                        re.I)
SUBJECT_WORDS = 12
# The words that say a subject's "in ..." is where (an arm), not part of the measure.
ARM_WORDS = frozenset("group groups arm arms patients subjects participants".split())
# Where a subject cannot reach back past: a conjunction or relative pronoun opens another clause.
SUBJECT_STOP = frozenset("that which where whereas while but because when showed show although though than "
                         "demonstrated demonstrate exhibited revealed".split())

# "a (significant) decrease in the vocalization thresholds", "improvements in walking speed".
CHANGE_IN = re.compile(
    r"\b(?:decrease|reduction|increase|improvement|decline|drop|fall|rise|elevation|worsening|deterioration)s?"
    r"\s+(?:of\s+[\d.,%±\s-]+\s+)?"
    # "improvement as compared to the placebo group in PEFR": the comparison said between
    r"(?:(?:as\s+)?(?:compared\s+(?:with|to)|versus|vs\.?|over|relative\s+to)\s+(?:the\s+)?[\w-]+(?:\s+groups?)?\s+)?"
    r"(?:in|of)\s+(?:the\s+|their\s+)?(?P<np>[A-Za-z][\w'/-]*(?:\s+[\w'/-]+){0,6}?)"
    r"(?=\s*(?:\(|,|;|:|\.|$|\s+(?:at|after|from|compared|versus|vs|than|by|with|in|of\s+\d|reflecting|and\s+(?:a|an|the)|"
    r"was|were|among|amongst)\b))",
    re.I)
# "magnesium reduced cumulative morphine consumption by 24.4%"; "improved significantly in their
# morning stiffness and pain scores"; "improved ... with respect to sleep pattern".
VERB_OBJECT = re.compile(
    rf"\b(?P<verb>reduc\w*|decreas\w*|improv\w*|increas\w*|lowered|attenuat\w*|elevat\w*|worsen\w*|prolong\w*|"
    rf"shorten\w*|(?:down|up)-?regulat\w*)\s+{ADVERB}(?:(?:the\s+)?(?:(?:gene|mRNA|protein)\s+)?expressions?\s+of\s+)?(?:(?:in|on|with\s+respect\s+to|regarding)\s+)?(?:the\s+|their\s+|its\s+)?"
    r"(?P<np>[A-Za-z][\w'/-]*(?:\s+(?!(?:by|at|after|from|compared|versus|than|in\s+(?:the|both|all|patients))\b)"
    r"[\w'/-]+){0,8}?)(?=\s*(?:\(|,|;|\.|$|\s+\d|\s+(?:by|at|after|from|compared|versus|vs|than|in\s+(?:the|both|all|"
    r"patients|\d)|when|during|over|within)\b))", re.I)

# "had a beneficial effect on X", "a positive effect on X": a change said as the effect it had.
EFFECT_ON = re.compile(
    r"\b(?:beneficial|positive|favou?rable)\s+effects?\s+on\s+(?:the\s+|their\s+)?"
    r"(?P<np>[A-Za-z][\w'/-]*(?:\s+[\w'/-]+){0,8}?)(?=\s*(?:\(|,|;|\.|$|\s+(?:at|after|from|compared|versus|vs|than|in\s+"
    r"(?:the|both|all|patients)|with|during|over|when)\b))", re.I)
# "clinical variables assessed by the SK score": a generic head measured by an instrument is the instrument.
ASSESSED_BY = re.compile(r"(?:[\w-]+\s+){0,2}?(?:variables|parameters|outcomes|measures|indices|indicators|status|"
                         r"symptoms)\s+(?:as\s+)?(?:assessed|measured|evaluated|determined|rated)\s+(?:by|with|using|on)\s+"
                         r"(?:the\s+|a\s+)?", re.I)
# "no significant change in grip strength", "no differences were found in cramp duration between
# groups": a null said of the measure that follows it.
NULL_IN = re.compile(
    r"\bno\s+(?:(?:statistically\s+)?significant\s+|clinically\s+\w+\s+|further\s+|major\s+|statistical\s+|"
    r"between[\s‐-]+groups?\s+)?(?:changes?|differences?|"
    r"effects?|increases?|decreases?|reductions?|improvements?)\s+(?:\([^()]{0,30}\)\s*)?"
    # "no effect of prebiotics on diarrhoea": the treatment between the effect and the measure
    r"(?:of\s+(?!the\s+(?:groups|two|three))[\w\s/+-]{1,40}?\s+(?=on\s))?"
    r"(?:(?:was|were)\s+(?:found|seen|observed|noted|detected|identified)\s+)?"
    # "no differences between groups were observed in", "no difference between the studied groups regarding"
    r"(?:(?:between|among)\s+(?:the\s+)?(?:two\s+|three\s+|\d\s+)?(?:(?:treatment|study|studied|intervention)\s+)?"
    r"(?:groups|arms|drugs|treatments|regimens|conditions)\s+(?:(?:was|were)\s+(?:found|seen|observed|noted|detected|"
    r"identified)\s+)?)?(?:in|on|for|regarding|with\s+(?:regard|respect)\s+to|in\s+terms\s+of)\s+(?:the\s+|their\s+)?"
    # "no difference between the two drugs in preventing supraventricular arrhythmia": the event prevented
    r"(?:(?:preventing|reducing|the\s+prevention\s+of|the\s+reduction\s+of)\s+)?"
    r"(?!(?:any|all|each|either|every|none|multiple|several|various)\b)(?P<np>[A-Za-z][^.;():]{1,150}?)(?=\s*(?:\(|;|:|\.\s|\.$|$|\s+(?:between|among|in\s+(?:any|either|both|all|each|the)|"
    r"at|after|from|compared|versus|vs|than|was|were|during|over|within)\b))", re.I)

# "Differences between the groups were nonsignificant with regard to A, B and C": a null said before its
# measures.
NONSIGNIFICANT_REGARDING = re.compile(
    r"\bdifferences?\s+(?:between|among)\s+(?:the\s+)?(?:\w+\s+){0,2}?(?:groups|arms|treatments)\s+(?:was|were)\s+"
    r"(?:non-?\s?significant|not\s+(?:statistically\s+)?significant|insignificant)\s+(?:with\s+(?:regard|respect)\s+to|"
    r"regarding|in\s+terms\s+of|for|in)\s+(?:the\s+)?(?P<np>[A-Za-z][^.;()]{1,150}?)(?=\s*(?:\(|;|\.\s|\.$|$|"
    r"\s+(?:at|after|from|compared|versus|vs|during|over|within)\b))", re.I)

# "had lower peak inotropic scores than", "a shorter duration of mechanical ventilation (...)": a
# comparative before the measure it compares.
NULL_IN_NEEDLES = ("change", "differen", "effect", "increase", "decrease", "reduction", "improvement")

COMPARATIVE_NP = re.compile(
    r"\b(?:had|have|has|showed|show|with|experienced|achieved|reported|a|an|and|needed|required|requested|used|"
    r"consumed|received|took|was\s+given|were\s+given)\s+(?:(?:significantly|statistically|"
    r"markedly|slightly|much|consistently)\s+){0,2}(?:lower|higher|shorter|longer|smaller|larger|fewer|greater|better|worse|"
    r"reduced|increased|improved|decreased|more|less)\s+(?P<np>[A-Za-z][\w'/-]*(?:\s+(?!(?:than|compared|versus|vs|in|at|after|"
    r"during|with|and|or|but|by)\b)[\w'/-]+){0,8}?)(?=\s*(?:\(|,|;|\.|$|\s+(?:than|compared|versus|vs|in\s+(?:the|both|all|"
    r"patients|\d)|at|after|during|over|within|with|and\s+(?:a|an|the|shorter|longer|lower|higher))\b))", re.I)
COMPARATIVE_NEEDLES = ("lower", "higher", "shorter", "longer", "smaller", "larger", "fewer", "greater", "better", "worse",
                       "reduced", "increased", "improved", "decreased", "more ", "less ")

# "complete pain relief", "partial relief of pain": relief is itself the improvement.
RELIEF = re.compile(r"\b(?P<np>(?:[a-z-]+\s+)?relief)\b", re.I)
# Words a measure's name never holds: verbs, relative pronouns, the people and the treatments.
NOT_IN_MEASURE = frozenset("""who which that showed show shows had has have received receiving experienced was were
is are did does patients subjects participants group groups rat rats mouse mice women men people children volunteers
controls magnesium mg placebo treatment therapy supplementation drug infusion study trial we they bid tid daily
tablet tablets capsule capsules limb limbs dose doses combination combined addition program programme regimen
trend trends tendency therapies treatments technique techniques approach approaches modality modalities
staff residents nurses physicians caregivers""".split())
# Words that make no measure by themselves ("other secondary endpoints", "subscale scores").
GENERIC_WORDS = frozenset("""score subscale total secondary primary other endpoint outcome parameter measure variable
value level result change effect difference mean rate overall main significant slight marked small large modest
greater magnitude efficacy improvement reduction increase decrease demographic characteristic clinically
meaningful clinical safety evaluated end point pretreatment incidence occurrence
sustained rapid transient persistent progressive gradual consistent""".split())
# A measure's name does not open with a preposition, an adverb or a verb: "from 54", "by the second
# week", "significantly", "stayed better".
NOT_FIRST = re.compile(r"(?:from|at|by|to|in|on|after|before|during|over|within|than|significantly|stayed|remained|"
                       r"became|got|was|were|both|each|either|neither|no|not|only|also|further|markedly|for|i\.e|e\.g)\b",
                       re.I)
# The head a list of modifiers shares: "patient and physician global assessments".
SHARED_HEAD = re.compile(r"\s(?P<head>(?:global\s+)?(?:assessments?|scores?|ratings?|evaluations?|impressions?|indices|"
                         r"index|scales?))$", re.I)
# "After 4 weeks, ...", "Following magnesium treatment, ...": an opening phrase, not the measure.
INTRO = re.compile(r"(?:after|following|upon|in|at|during|compared|when|of|among|with|for|overall|by|from|on|within|across|"
                   r"over|between|relative)\b[^,:]*[,:]\s*", re.I)
# A statistic in brackets before the measure: "Mean (± SD) recovery time", "median (IQR) stay".
STATISTIC_BRACKET = re.compile(r"(?:(?:the\s+)?(?:mean|median|average)\s+)?\((?:\s*(?:±|\+/-|mean|median|SDs?|SEM?|IQR|range|"
                               r"95\s*%\s*CI|CI|s\.d\.|and|or)[\s,±/]*)+\)\s*", re.I)
# A threshold after the measure's name: "DBT 100%", "TOF ratio 0.9" is not read (a percentage only).
THRESHOLD_AFTER = re.compile(r"\s+\d+(?:\.\d+)?\s*%\s*$")
ABBREVIATED = re.compile(r"\b[A-Z]{2,}")
TRAILING_TIME = re.compile(r"\s+(?:at|after|during|over|within|for|from)\s+(?:\d|baseline|the\s+end|week|month|day)"
                           r".*$", re.I)
AS_ASSESSED = re.compile(r"\s+as\s+(?:assessed|measured|determined|evaluated|estimated|rated|quantified)\b.*$", re.I)
PREPOSITION_PART = re.compile(r"^(?:at|on|in|during|with|after)\s+\w+", re.I)
STOP = frozenset("the a an of in on at to and or with without their its his her this that these those both all "
                 "each was were is are".split())
# Not measures: people, groups, treatments, statistics, time.
NOT_MEASURE = re.compile(
    r"^(?:it|this|that|there|which|they|we|these|those|patients?|subjects?|participants?|women|men|groups?|arms?|"
    r"differences?|significant\s+differences?|changes?|effects?|results?|values?|levels?|scores?|doses?|"
    r"treatment|therapy|placebo|controls?|baseline|time|rates?|number|proportion|mean|median|p|ratio|data|"
    r"magnesium|mg|study|trial|analysis|both|all|none|some|most|"
    # a number, a time or a direction word alone ("one", "days", "reduced", "decline") names nothing measured
    r"one|two|three|days?|weeks?|months?|hours?|years?|periods?|{change}|declines?|reductions?|increases?|"
    r"improvements?|"
    # how a measure went, not what was measured ("the time course or magnitude of CK release")
    r"(?:the\s+)?(?:time[\s-]+courses?|courses?|patterns?|magnitudes?|extents?|degrees?|profiles?|trends?)"
    r"(?:\s+of\s+(?:the\s+)?(?:{change}|declines?|reductions?|increases?|improvements?|changes?|effects?))?)$".replace(
        "{change}", CHANGE), re.I)
# ("mean" is a statistic before most measures, but a word of the name in "mean arterial pressure", "mean
# corpuscular volume", "mean platelet volume": there it stays)
LEADING = re.compile(r"^(?:(?:the|a|an|their|its|also|both|all|mean(?!\s+(?:arterial|corpuscular|platelet|cell)\b)|overall|"
                     r"total|this|these|that|those)\s+)+", re.I)
# Whether more of a measure is better: most measures reported in trials are of symptoms or use.
HIGHER_IS_BETTER = re.compile(
    r"efficien|quality|threshold|function|relief|strength|well-?being|satisfaction|energy|mobility|range|distance|"
    r"speed|survival|tolerance|response|remission|activity|performance|capacity|sleep\s+time|health|global|"
    # what a person is better for having more of: mindfulness, self-efficacy, adherence, knowledge
    r"mindfulness|self-?compassion|self-?efficacy|self-?esteem|resilience|empowerment|adherence|compliance|knowledge|"
    r"confidence|motivation|"
    # the time until a bad event and how long analgesia lasts: longer is better
    r"time\s+to\s+(?:the\s+)?(?:first\s+|1st\s+)?(?:\w+\s+)?(?:analgesi|rescue|request|pain|recurrence|relapse|"
    r"progression|failure|death|event|attack|seizure)|duration\s+of\s+(?:\w+\s+){0,2}(?:analgesia|block|relief|"
    r"remission|response)|(?:analgesi[ac]|block|relief|remission|response)\s+duration|pain-?free|"
    # what the body does well when there is more of it: good cholesterol, oxygen, airflow, consciousness
    r"\bHDL\b|high[\s-]+density\s+lipoprotein|saturation|\bSa?p?O2\b|peak\s+(?:expiratory\s+)?flow|\bPEFR?\b|"
    r"\bFEV1?\b|\bFVC\b|vital\s+capacity|(?:inspiratory|expiratory)\s+(?:muscle\s+)?(?:pressure|strength)|"
    r"\bM[IE]P\b|glasgow\s+coma|\bGCS\b|apgar|success|\bcure|appetite|ejection\s+fraction|\bL?VEF\b|"
    r"bone\s+(?:mineral\s+)?density|\bBMD\b", re.I)
# The head of a measure that is bad to have more of, whatever the words before it ("sleep quality
# problems", "activity limitation", "sleep disturbance"): these win over ``HIGHER_IS_BETTER``.
LOWER_IS_BETTER_HEAD = re.compile(
    r"\b(?:disturbances?|disorders?|problems?|complaints?|impairments?|limitations?|latency|difficult(?:y|ies)|"
    r"disabilit(?:y|ies)|interference|consumption|requirements?|dependence|failures?|losses|loss|deficits?)$", re.I)
# A time until or a duration of something good: its head says what, the time decides the polarity.
TIME_UNTIL = re.compile(r"^(?:the\s+)?(?:time\s+to|duration\s+of|length\s+of)\b", re.I)


@lru_cache(maxsize=256)  # (pure: the same labels recur within a record and between near ones)
def higher_is_better(label: str) -> bool:
    """Whether more of a measure is better, from its own words: a head that is bad to have more of
    ("sleep disturbance", "analgesic consumption", "functional impairment") says no, whatever the
    words before it; else ``HIGHER_IS_BETTER`` ("quality of life", "pain threshold", "time to first
    analgesic request", "HDL cholesterol"); else no (most measures reported are symptoms or use).

    >>> higher_is_better("sleep quality disturbance"), higher_is_better("sleep quality"), higher_is_better("cramp frequency")
    (False, True, False)"""
    label = label.strip()
    if LOWER_IS_BETTER_HEAD.search(label, max(0, len(label) - 14)) and not TIME_UNTIL.match(label):
        # (the head is the label's last word, 12 letters at most: only the end is searched)
        return False
    return bool(HIGHER_IS_BETTER.search(label))
SUBSTANCE_SUBJECT = re.compile(r"\b(?:magnesium|mg|treatment|therapy|supplementation|intervention|infusion|drug|"
                               r"(?:cortico)?steroids?|antibiotics?|probiotics?|prebiotics?|supplements?|vaccines?|"
                               r"administration|"
                               # a drug by its name's ending (-ine, -ol; gabapentin, pregabalin, -mab, -pril, -statin ...)
                               r"[a-z]{2,}(?:[a-z](?:ine|ol|ide|ate)|pentin|gabalin|mab|nib|pril|sartan|statin|azole|cillin|"
                               r"mycin|profen|oxetine|afil|parin|formin|triptan|dronate|tidine|oxacin|vir))\b[^,;]{0,30}$", re.I)


# Substrings (lower case) one of which each pattern needs: in an ASCII clause holding none of them,
# the pattern is not run (a substring test costs far less than the regex).
CHANGE_IN_NEEDLES = ("decrease", "reduction", "increase", "improvement", "decline", "drop", "fall", "rise", "elevation",
                     "worsening", "deterioration")
VERB_OBJECT_NEEDLES = ("reduc", "decreas", "improv", "increas", "lowered", "attenuat", "elevat", "worsen", "prolong",
                       "shorten", "regulat")
VERB_NEEDLES = ("decreas", "reduc", "improv", "increas", "declin", "diminish", "fell", "rose", "drop", "lower", "worsen",
                "deteriorat", "attenuat", "elevat", "not", "unchanged", "similar", "regulat")
# The first words ``TIME_UNTIL`` can open with (a test before the join and the match).
TIME_UNTIL_FIRST = frozenset({"the", "time", "duration", "length"})
WORD_RUN = re.compile(r"\S+")


# The endings of a change noun that ``CHANGE`` also matches ("reductions", "improvement", "elevation"), and
# the verb a noun phrase it heads is the subject of ("the risk reduction was more marked").
NOUN_ENDINGS = frozenset({"tion", "ions", "ment", "ents"})
NOUN_SUBJECT_VERB = re.compile(r"(?:\s+(?:and\s+)?[\w-]+){0,3}?\s+(?:was|were|is|are|had|has|did|remained)\b", re.I)


def _outside_brackets(words: list[re.Match]) -> list[re.Match]:
    """The words of a run that stand outside brackets: "(54.3 ± 12.1 μg)" takes no place among the
    words a subject may have (``SUBJECT_WORDS``)."""
    kept, depth = [], 0
    for word in words:
        said = word.group(0)
        opened = depth > 0 or said.startswith("(")
        depth += said.count("(") - said.count(")")
        depth = max(depth, 0)
        if not opened:
            kept.append(word)
    return kept


def _holds_any(lowered: str | None, needles: tuple[str, ...]) -> bool:
    """Whether an ASCII clause in lower case holds one of the needles (always True for None: a
    clause that is not ASCII runs every pattern)."""
    return lowered is None or any(n in lowered for n in needles)


# (compiled once: these run on every candidate measure)
ALNUM_RUN = re.compile(r"[a-z0-9]+")
LETTER_RUN = re.compile(r"[a-z]+")
OF_LIKE = re.compile(r"\s(?:of|in|on|at|to)\s")
PREPOSITION_IN = re.compile(r"\s+(?:at|on|in|during|with|after)\s+\w+")
CONJUNCTION = re.compile(r"(?:and|or|but|of)\s+(?:the\s+|their\s+)?", re.I)
LONE_DIGIT = re.compile(r"(?<![A-Za-z-])\d")
# An abbreviation numbered after a hyphen ("IP-10", "IL-12", "MSWS-12"): a name, not a number.
NUMBERED_NAME = re.compile(r"\b[A-Z]{2,5}-\d{1,2}\b")


@dataclass(frozen=True)
class Measure:
    """A measure found in a clause: offsets in the clause, its label as written (or with a shared
    head: "physician global assessments"), and whether more of it is better."""

    start: int  # within the clause
    end: int
    label: str
    higher_is_better: bool


def tokens(text: str) -> set[str]:
    """Content words of a label, lower case, a plural "s" dropped: {"pain", "score"} for "pain scores"."""
    words = ALNUM_RUN.findall(text.lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words} - STOP


# "(PLMS per hour of total sleep time ...)": a count per hour of sleep, which the field names the
# index of what is counted (periodic limb movement index, apnoea-hypopnoea index).
PER_HOUR_INDEX = re.compile(r"\(\s*(?P<abbr>[A-Z][A-Za-z-]{1,9})\s+per\s+hour\b")
# "complete relief", "partial pain relief": how much relief is a count of responders, not a measure.
DEGREE = re.compile(r"^(?:complete|partial|total|full|significant|marked|moderate|substantial|some|good|excellent|"
                    r"adequate|effective|satisfactory)\s+", re.I)
# "the mean difference in", "between-group differences in": the comparison, not the measure's name.
DIFFERENCE_IN = re.compile(r"^(?:the\s+)?(?:(?:mean|median|adjusted|average|overall|between[\s-]groups?|treatment)\s+)*"
                           r"differences?\s+(?:in|of)\s+(?:the\s+)?(?=\w)", re.I)
DOSES_OF_USE = re.compile(r"^(?:the\s+)?(?:total\s+)?doses?\s+of\s+(?=[\w-]+\s+(?:usage|use|consumption|requirements?)\b)", re.I)
# "long form (ABBR)": an abbreviation the text defines (the long form is read back from the bracket).
ABBREVIATION = re.compile(r"[A-Z][A-Za-z0-9-]{1,9}")
DEFINED = re.compile(r"\(\s*(?P<short>[A-Z][A-Za-z0-9-]{1,9})\s*\)")
LONG_WORD = re.compile(r"[A-Za-z][\w'-]*")
LONG_WORD_END = re.compile(r"[A-Za-z][\w'-]*$")


def plain_label(label: str) -> str:
    """A measure's label without a degree word; bare relief is pain relief (the IMMPACT outcome).

    >>> plain_label("complete relief"), plain_label("partial pain relief"), plain_label("pain scores")
    ('pain relief', 'pain relief', 'pain scores')"""
    plain = DEGREE.sub("", label.strip())
    if "differen" in plain.lower():
        plain = DIFFERENCE_IN.sub("", plain)  # "the mean difference in HbA1c" is HbA1c
    if "dose" in plain.lower():
        plain = DOSES_OF_USE.sub("", plain)  # "Doses of morphine usage" is morphine usage
    return "pain relief" if plain.lower() == "relief" else plain


def abbreviations(text: str) -> dict[str, str]:
    """The abbreviations a text defines as "long form (ABBR)", the long form being the last words
    whose initials spell the abbreviation: {"NS": "numerical scale"} for "on pain [Neuropathic Pain
    Symptom Inventory (NPSI) and numerical scale (NS)]". An abbreviation with no such words is left out."""
    found: dict[str, str] = {}
    for match in DEFINED.finditer(text):
        short = match.group("short")
        letters = re.sub(r"[^a-z]", "", short.lower())
        words: list[str] = []  # the words right before the bracket, nearest last
        for token in reversed(text[max(0, match.start() - 150):match.start()].split()):
            if len(words) == 8:
                break
            if LONG_WORD.fullmatch(token):
                words.insert(0, token)
                continue
            tail = LONG_WORD_END.search(token)  # "[Neuropathic": the word after the bracket opens
            if tail:
                words.insert(0, tail.group(0))
            break
        for count in range(1, min(len(words), len(letters) + 2) + 1):
            candidate = words[-count:]
            if "".join(w[0] for w in candidate).lower() == letters:
                found.setdefault(short, " ".join(candidate))
                break
    return found


# A last word that says how a measure was counted, not what it is: "questionnaire score", "pain scores".
# (Lower case only: "Leeds Neuropathy Score" is an instrument's name, score and all.)
TRAILING_GENERIC = re.compile(r"(?:\s+(?:scores?|values?|ratings?))+$")


@lru_cache(maxsize=256)  # (pure: the same labels recur within a record and between near ones)
def key_of(label: str) -> str:
    """A measure key from a label: lower case words joined by "_", without leading "the/mean/total"
    or a trailing "score(s)" ("PLMS index" -> "plms_index"; "menstrual distress questionnaire
    scores" -> "menstrual_distress_questionnaire"; a bare "scores" stays "scores")."""
    label = LEADING.sub("", label)
    label = TRAILING_GENERIC.sub("", label) or label
    if not label.isascii():  # "carotid β-stiffness", "TNF-α": the letter's name, not nothing
        label = label.translate(GREEK)
    if "density" in label or "lyc" in label or "eactive" in label or "A1c" in label or "a1c" in label:
        long_name = LONG_NAME.search(label)
        if long_name:  # "plasma high-density lipoprotein cholesterol concentration": hdl_cholesterol
            short = next(abbr for name, abbr in LONG_NAMES.items() if long_name.group(name))
            if "cholesterol" in long_name.group(0).lower():
                short += "_cholesterol"
            return short if not NOT_LONG_NAME.sub("", label[:long_name.start()] + " " + label[long_name.end():]).strip() \
                else "_".join(re.findall(r"[a-z0-9]+", (label[:long_name.start()] + short + label[long_name.end():]).lower()))
    return "_".join(re.findall(r"[a-z0-9]+", label.lower()))


# Greek letters in measures' names ("IL-1β", "TNF-α", "IFN-γ", "NF-κB"), spelled out for keys.
GREEK = str.maketrans({"α": " alpha ", "β": " beta ", "γ": " gamma ", "δ": " delta ", "κ": " kappa ", "ω": " omega "})
# Long names that the labels key by their abbreviation (lipids, glycated haemoglobin, C-reactive protein).
LONG_NAMES = {"hdl": "hdl", "ldl": "ldl", "vldl": "vldl", "hba1c": "hba1c", "hscrp": "hs_crp", "crp": "crp"}
LONG_NAME = re.compile(
    r"(?P<vldl>very[\s-]+low[\s-]+density\s+lipoproteins?(?:\s*\(\s*VLDL(?:-C)?\s*\))?(?:[\s-]+cholesterol)?)|"
    r"(?P<hdl>high[\s-]+density\s+lipoproteins?(?:\s*\(\s*HDL(?:-C)?\s*\))?(?:[\s-]+cholesterol)?)|"
    r"(?P<ldl>low[\s-]+density\s+lipoproteins?(?:\s*\(\s*LDL(?:-C)?\s*\))?(?:[\s-]+cholesterol)?)|"
    r"(?P<hba1c>(?:glycated|glycosylated)\s+(?:ha?emoglobin|hb)(?:\s*a1c?)?|ha?emoglobin\s+a1c)|"
    r"(?P<hscrp>high[\s-]+sensitiv\w*[\s-]+c[\s-]+reactive\s+protein)|(?P<crp>c[\s-]+reactive\s+protein)", re.I)
# What may stand around a long name and leave the measure the same: where and how much of it was measured,
# and its abbreviation in brackets.
NOT_LONG_NAME = re.compile(r"\b(?:plasma|serum|blood|circulating|levels?|concentrations?|values?|of|in|the|"
                           r"hs|hdl|ldl|vldl|c|crp|hba1c|a1c)\b|[()\[\]-]", re.I)


LIST_BOUND = re.compile(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s+as\s+well\s+as\s+")
LIST_WORDS = frozenset({"and", "or", "as"})


def _split_list(np: str, at: int) -> list[tuple[int, int, str]]:
    """'NPSI, NS and quality of life' -> three (start, end, label); 'patient and physician global
    assessments' stays one (a shared head noun), as does 'PLMS associated with arousals'; 'pain
    scores at rest and on movement' -> 'pain scores at rest', 'pain scores on movement'."""
    parts, start = [], 0
    listed = "," in np or not LIST_WORDS.isdisjoint(np.lower().split())  # (else one part: spare the regex)
    for match in LIST_BOUND.finditer(np) if listed else ():
        parts.append((start, match.start()))
        start = match.end()
    parts.append((start, len(np)))
    words = [len(np[a:b].split()) for a, b in parts]
    if (len(parts) > 1 and all(w == 1 for w in words[:-1]) and words[-1] > 1 and np[parts[0][0]].islower()
            and (len(parts) == 2 or SHARED_HEAD.search(np[parts[-1][0]:parts[-1][1]]))
            and not OF_LIKE.search(np, parts[-1][0], parts[-1][1])):
        return [(at, at + len(np), np)]  # "patient and physician global assessments": one head
    if (len(parts) == 2 and "of" in np and USE_OF_DRUG.search(np, parts[0][0], parts[0][1])
            and len(np[parts[1][0]:parts[1][1]].split()) == 1 and LIST_BOUND.match(np, parts[0][1]).group(0).strip() == "and"):
        return [(at, at + len(np), np)]  # "the total dose of fentanyl and bupivacaine (required)": one use
    found = []
    head = None
    shared = SHARED_HEAD.search(np[parts[-1][0]:parts[-1][1]]) if len(parts) > 1 else None
    for index, (a, b) in enumerate(parts):
        if b <= a:
            continue
        piece = np[a:b]
        if (shared and index < len(parts) - 1 and len(piece.split()) == 1 and piece.islower()
                and index == len(parts) - 2):
            found.append((at + a, at + b, f"{piece} {shared.group('head')}"))
            continue
        prep = PREPOSITION_IN.search(piece)
        if head is None and prep:
            head = piece[:prep.start()]
        label = f"{head} {piece}" if head and PREPOSITION_PART.match(piece) else piece
        if index + 1 < len(parts) and " " not in piece.strip():
            # "Systolic, diastolic and mean arterial pressures": the first item of several words gives the noun
            following = next((np[c:d] for c, d in parts[index + 1:] if " " in np[c:d].strip()
                              or not PAIRED_ADJECTIVE.fullmatch(np[c:d].strip())), np[parts[index + 1][0]:parts[index + 1][1]])
            label = _with_next_head(piece, following) or label
        found.append((at + a, at + b, label))
    return found


# The dose of a drug named before a second drug given with it: "dose of fentanyl [and bupivacaine]".
USE_OF_DRUG = re.compile(r"\bdoses?\s+of\s+[\w-]+$", re.I)


# Adjectives that pair with another before a shared noun: "systolic and diastolic blood pressure",
# "physical and mental component scores", "anterior and posterior ...".
PAIRED_ADJECTIVE = re.compile(r"[A-Za-z]{3,}(?:ic|al|ar|ive|ous|ary|ile)", re.I)


def _with_next_head(word: str, following: str) -> str | None:
    """A lone adjective with the noun of the next list item it pairs with ("Systolic", "diastolic
    blood pressure" -> "Systolic blood pressure"), or None when they do not pair."""
    rest = following.split()
    if len(rest) > 1 and PAIRED_ADJECTIVE.fullmatch(word.strip()) and (PAIRED_ADJECTIVE.fullmatch(rest[0])
                                                                       or rest[0].lower() in ("mean", "peak", "total")):
        return f"{word.strip()} {' '.join(rest[1:])}"
    return None


TRAILING_BRACKET = re.compile(r"\s*\([^)]*\)?\s*$")
# A treatment as the subject of a change verb: "(Synergistic) use of A and B", "administration of A".
TREATMENT_SUBJECT = re.compile(r"(?:(?:RESULTS?|Results?)\s*:\s*)?(?:[A-Za-z-]+\s+)?(?:use|administration|application|"
                               r"co-?administration|combination)\s+of\s", re.I)
# A bracket after a lone adjective, then the next item of its list: "diastolic [(p = 0.007) and mean blood pressure]".
BRACKET_THEN_ITEM = re.compile(r"\s*\([^()]{0,40}\)\s*(?:,\s*)?(?:and|or)\s+(?P<item>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){1,3})")


def _clean(clause: str, start: int, end: int) -> tuple[int, int] | None:
    text = clause[start:end]
    intro = INTRO.match(text)  # "Following magnesium treatment, PLMS ..." -> "PLMS ..."
    if intro:
        start, text = start + intro.end(), text[intro.end():]
    if ": " in text:
        cut = text.rfind(": ")
        start, text = start + cut + 2, text[cut + 2:]
    trailing = TRAILING_TIME.search(text)
    if trailing and trailing.start() > 0 and not text.lower().startswith(("at ", "on ")):
        text = text[:trailing.start()]
    purpose = _purpose_at(text) if " for " in text or " to " in text else -1
    if purpose > 0:
        text = text[:purpose]  # "morphine usage for controlling pain": the use, not its purpose
    method = AS_ASSESSED.search(text) if " as " in text else None
    if method and method.start() > 0:
        text = text[:method.start()]  # "infarct size as assessed by the creatine kinase peak": the measure, not its method
    lead = LEADING.match(text)
    if lead:
        start, text = start + lead.end(), text[lead.end():]
    paren = TRAILING_BRACKET.search(text) if "(" in text else None  # "PLMS associated with arousals (PLMS-A)"
    if paren and paren.start() > 0:
        end, text = start + paren.start(), text[:paren.start()]
    text = text.rstrip()
    end = start + len(text)
    conjunction = CONJUNCTION.match(text)  # ("reduction of X": X)
    if conjunction:
        start, text = start + conjunction.end(), text[conjunction.end():]
    start, end = _unquoted(clause, start, start + len(text))
    while end > start and " " in clause[start:end] and clause[start:end].rsplit(None, 1)[-1].lower() in DANGLING_WORDS:
        end = start + len(clause[start:end].rsplit(None, 1)[0].rstrip())  # "peak troponin release as": cut short
    text = clause[start:end]
    words = set(LETTER_RUN.findall(text.lower()))
    if "dose" in text.lower() and ("dose of " in text.lower() or "doses of " in text.lower() or RESCUE_DOSES.search(text)):
        # "total dose of fentanyl", "Doses of morphine usage", "more morphine doses": another drug's use (the
        # arms' own is left out later)
        words -= {"dose", "doses"}
    if TIME_UNTIL.match(text):  # "time to 1st analgesic dose": the dose and the ordinal name the event
        words -= {"dose", "doses", "st", "nd", "rd", "th"}
        text = re.sub(r"\b\d+(?:st|nd|rd|th)\b", "first", text)
    if (not text or NOT_MEASURE.match(text) or not tokens(text.replace("-", "") if "-" in text else text) - GENERIC_WORDS or len(text) > 80
            or (len(text) < 3 and not text.isupper())
            or words & NOT_IN_MEASURE or NOT_FIRST.match(text) or (LONE_DIGIT.search(text) and LONE_DIGIT.search(NUMBERED_NAME.sub("", text))) or is_fragment(text)):
        return None
    return start, end


# "morphine doses", "rescue analgesic doses": a count of doses of a rescue drug is a measure of its use.
RESCUE_DOSES = re.compile(r"\b(?:rescue|analgesics?|opioids?|morphine|fentanyl|sufentanil|remifentanil|tramadol|"
                          r"pethidine|meperidine|oxycodone|hydromorphone|ketorolac|paracetamol|acetaminophen|"
                          r"ibuprofen|diclofenac|metamizole|nalbuphine|ketamine|"
                          # or a drug's name by its ending (methadone, pethidine, tramadol, ketorolac, midazolam)
                          r"[a-z]{4,}(?:ine|one|ol|ac|il|yl|am|ide|en))\s+doses?\b", re.I)
# "Doses of morphine usage for controlling postoperative pain": what the drug was used for is no part of
# the measure's name.
FOR_PURPOSE = re.compile(r"(?:control|treat|reliev|manag|prevent|alleviat|eas)\w*\b", re.I)


def _purpose_at(text: str) -> int:
    """Where " for controlling ..." or " to treat ..." starts in a measure's words (``FOR_PURPOSE``
    after "for"/"to"), or -1."""
    for word in (" for ", " to "):
        at = text.find(word)
        while at >= 0:
            if FOR_PURPOSE.match(text, at + len(word)):
                return at
            at = text.find(word, at + 1)
    return -1


FRAGMENT_WORDS = frozenset("""of to in into with for a an the and or by on at from than as its their significant
non-significant insignificant statistically clinically more less greater respectively plus""".split())
TIME_WORDS = frozenset("hour day week month year minute".split())
# A discourse word that opens a clause ("However, IBS scores ...", "Moreover, an increase in ..."):
# it links the sentence to the one before and is no part of a measure's name.
DISCOURSE = re.compile(r"(?:however|moreover|furthermore|additionally|in\s+addition|also|especially|particularly|"
                       r"notably|importantly|interestingly|finally|generally|similarly|likewise|conversely|"
                       r"in\s+contrast|by\s+contrast|thus|therefore|hence|consequently|nevertheless|nonetheless|"
                       r"in\s+particular|specifically|surprisingly|unexpectedly|accordingly|again|respectively)\b"
                       r"[,:)]?\s*", re.I)
# A section heading in capitals without a colon, as tokenised corpora give it ("CONCLUSIONS Incidence of AF").
HEADING = re.compile(r"(?:RESULTS?|CONCLUSIONS?|METHODS?|BACKGROUND|OBJECTIVES?|FINDINGS|INTERPRETATION|"
                     r"DISCUSSION|PURPOSE|AIMS?)\b\s*[:.]?\s+|"
                     # a heading in title case with its colon, as structured abstracts print it ("Results: ...")
                     r"(?:Results?|Conclusions?|Findings|Interpretation|Main\s+results|Outcomes?)\s*:\s+")
# A preposition, article or conjunction a cut phrase ends with ("... release as", "... horses with an").
DANGLING_WORDS = frozenset("as with a an the of to into for by on at from than and or".split())
# The last word of a fragment cut from a longer phrase ("degree of", "resulted in a", "seemed to",
# "along with a non-significant"): a measure's name ends with a noun (``FRAGMENT_WORDS``).
# Words of a sentence's verb phrase or of its method, never of a measure's name ("resulted in",
# "demonstrated a", "seemed to drop", "when analyzed by gender", "compared with standard care").
VERB_WORDS = frozenset("""resulted demonstrated led seemed seems seem translated observed appeared tended produced
caused revealed indicated suggested using exceeding analyzed analysed adjusted stratified compared versus relative
unlike whereas respectively failed could would may might can will should does produces based significantly provide
provides provided defined displayed displays exhibited besides""".split())
# "Twenty-four hours after surgery", "12 weeks after treatment": when, not what.
TIME_PHRASE = re.compile(r"^(?:[\w-]+\s+)?(?:hours?|days?|weeks?|months?|years?|minutes?)\s+(?:after|before|post|"
                         r"following|from|of)\b", re.I)
# A unit said alone ("mmol/L", "mg/dl", "%"): the value's unit, not what was measured.
UNIT_ONLY = re.compile(r"(?:mmol|µmol|nmol|mg|g|kg|ml|dl|l|µg|mcg|ng|pg|iu|u|meq|mm|cm|%)(?:\s*/\s*[a-zµ]+)*", re.I)


@lru_cache(maxsize=256)  # (pure: the same labels recur within a record and between near ones)
def is_fragment(label: str) -> bool:
    """Whether a candidate measure name is a piece of a sentence rather than a name: a discourse
    word or an adverb alone ("However", "respectively", "effectively"), a phrase that ends in a
    function word ("degree of", "resulted in a"), one that holds a verb of the sentence or of the
    method ("seemed to", "analyzed by gender"), or a unit alone ("mmol/L").

    >>> is_fragment("However"), is_fragment("magnitude of"), is_fragment("pain scores")
    (True, True, False)"""
    label = label.strip()
    lowered = label.lower()
    if not lowered or label.endswith("-") or label.count("(") != label.count(")"):
        return True  # "medium-", "stage)": cut from a longer phrase or a bracketed list
    words = lowered.split()
    if all(w.endswith("ly") or w in ("more", "most", "less", "very") for w in words) and lowered.endswith("ly"):
        return True  # "respectively", "more importantly": an adverb alone
    if words[-1].strip(",;:") in FRAGMENT_WORDS or (len(words) <= 2 and DISCOURSE.fullmatch(label)):
        return True
    if len(label) <= 12 and UNIT_ONLY.fullmatch(label):
        return True
    if len(words) > 1 and any(w.rstrip("s") in TIME_WORDS for w in words[:2]) and TIME_PHRASE.match(label):
        return True
    return bool(set(LETTER_RUN.findall(lowered)) & VERB_WORDS)


# "other operative or postoperative measurements", "the remaining secondary outcomes": every measure
# not named, which a blanket null speaks of (``outcomes._blanket_null``), never one measure.
OTHER_WORDS = ("other ", "the other ", "remaining ", "the remain", "all other", "any other")
OTHER_COLLECTIVE = re.compile(r"(?:the\s+)?(?:other|remaining|all\s+other|any\s+other)\s+(?:[\w-]+\s+){0,4}?"
                              r"(?:(?:or|and)\s+[\w-]+\s+)?(?:measurements?|parameters?|variables?|outcomes?|"
                              r"end-?points?|findings|values|data|characteristics|indices|measures|assessments|"
                              r"results|tests)\s*$", re.I)

QUOTES = "'\"‘’“”`"


def _unquoted(clause: str, start: int, end: int) -> tuple[int, int]:
    """The span without the quotation marks around it ("‘coughing’" -> "coughing")."""
    while start < end and clause[start] in QUOTES:
        start += 1
    while end > start and clause[end - 1] in QUOTES:
        end -= 1
    return start, end


# The next item of a list a measure opens: "in the frequency[, severity, and duration of headache]".
LIST_ITEM = re.compile(r"\s*,\s*(?:and\s+|or\s+)?(?P<item>[A-Za-z][\w'/-]*(?:\s+(?!(?:in|at|after|among|between|than|"
                       r"compared|versus|vs|was|were|is|are|had|did|during|from|with|by|for|and|or)\b)[\w'/-]+){0,5})")
ITEM_END = re.compile(r"\s*(?:\(|,|;|\.|$)|\s+(?:in|at|after|among|between|than|compared|versus|vs|during|from|with|by|"
                      r"for|and|or)\b")


def _list_end(clause: str, end: int) -> int:
    """Where a list that a measure opens ends: "a decrease in the frequency, severity, and duration of
    headache in both groups" -> after "headache" (the list is split later, ``_split_list``). A comma
    item followed by a verb ("..., fatigue was unchanged") opens another clause and is left out."""
    while end < len(clause) and clause[end] == ",":
        item = LIST_ITEM.match(clause, end)
        if item is None or not ITEM_END.match(clause, item.end()):
            break
        end = item.end()
    return end


AND_ANOTHER = re.compile(r"\s+and\s+(?:the|a|an|their)\s+")


def generic_measures(clause: str, narrow: bool = False) -> list[Measure]:
    """The measures a result clause reports a change in, with positions in the clause.
    ``narrow``: only the null before a measure ("no change in X") and the comparative before one
    ("had lower X than"), for a clause with no change verb (a cheaper pass).

    Example: "PLMS associated with arousals (PLMS-A) decreased significantly" -> one measure,
    "PLMS associated with arousals", lower is better. Returns [] when the clause names none."""
    found: list[Measure] = []
    candidates: list[tuple[int, int]] = []
    lowered = clause.lower()
    ascii_lowered = lowered if clause.isascii() else None  # (None: every pattern is run)
    if not narrow and " in " in lowered and _holds_any(ascii_lowered, CHANGE_IN_NEEDLES):
        for match in CHANGE_IN.finditer(clause):
            candidates.append((match.start("np"), _list_end(clause, match.end("np"))))
    for match in VERB_OBJECT.finditer(clause) if not narrow and _holds_any(ascii_lowered, VERB_OBJECT_NEEDLES) else ():
        if match.group("verb")[:6].lower() == "improv" or SUBSTANCE_SUBJECT.search(clause, max(0, match.start() - 60),
                                                                                      match.start()):
            candidates.append((match.start("np"), match.end("np")))
    wide = ("regulat" in lowered or "significantly" in lowered and ("non" in lowered or "insignif" in lowered)
            or "numerically" in lowered or "nominally" in lowered or "marginally" in lowered)
    verbs = list((VERB_WIDE if wide else VERB).finditer(clause)) if not narrow and _holds_any(ascii_lowered, VERB_NEEDLES) \
        else []
    if not narrow and ("prolong" in lowered or "shorten" in lowered or "lengthen" in lowered):
        verbs += list(LENGTH_VERB.finditer(clause))
    if PREDICATE_NEEDLE.search(lowered):
        verbs += [m for m in PREDICATE.finditer(clause) if not any(v.start() == m.start() for v in verbs)]
    if not narrow and SHOWED_NEEDLE.search(lowered):
        verbs += [m for m in SHOWED_CHANGE.finditer(clause) if not any(v.start() == m.start() for v in verbs)]
    if "fewer" in lowered:
        candidates += [(m.start("np"), m.end("np")) for m in FEWER_WITH.finditer(clause)]
    for match in verbs:
        if "verb" in match.re.groupindex and match.group("verb")[-4:].lower() in NOUN_ENDINGS \
                and not NOUN_SUBJECT_VERB.match(clause, match.end()):
            continue  # "produced robust reduction (70%)", "greater pain reductions than": a change noun that
            # heads no subject ("the risk reduction was more marked" does)
        start = match.start()
        window = clause[max(0, start - 200):start]
        words = list(WORD_RUN.finditer(window))
        if "(" in window:
            words = _outside_brackets(words)
        words = words[-SUBJECT_WORDS:]
        stops = [i for i, w in enumerate(words) if w.group(0).lower().strip(",;:") in SUBJECT_STOP]
        if stops:
            words = words[stops[-1] + 1:]
        restart = next((i for i in range(len(words) - 1, 0, -1) if words[i - 1].group(0).endswith(",")
                        and words[i].group(0).lower() == "the"), None) if ", the " in window or ", The " in window else None
        if restart is not None:
            words = words[restart:]  # "upon correction of the deficiency, the serum IP-10 levels were ...": the subject
        while words and not words[0].group(0).lstrip(QUOTES)[:1].isalpha():
            words.pop(0)
        at_arm = next((i for i, w in enumerate(words) if i and w.group(0).lower() in ("in", "among", "for")
                       and {v.group(0).lower().strip(",;:()") for v in words[i + 1:i + 5]} & ARM_WORDS), None)
        if at_arm is not None:  # "morphine consumption in the magnesium group (was lower)": where, not what
            words = words[:at_arm]
            while words and words[-1].group(0).lower() in ("required", "needed", "used", "consumed", "given"):
                words = words[:-1]
        last = {w.group(0).lower().strip(",;:()") for w in words[-3:]}
        if words and words[0].group(0).lower() in TIME_UNTIL_FIRST \
                and TIME_UNTIL.match(" ".join(w.group(0) for w in words[:3])) or "of" in last:
            last -= {"dose", "doses"}  # "time to first analgesic dose", "dose of morphine": not a dose of the arm
        if words and TREATMENT_SUBJECT.match(clause, max(0, start - 200) + words[0].start()):
            continue  # "Synergistic use of A and B (Group 3) significantly reduced pain": the treatment, not a measure
        if last & NOT_IN_MEASURE:
            continue  # "peri-operative magnesium reduced ...", "the amitriptyline group improved": the
            # subject is the treatment or the people; the measure, if any, is the object
        if words:
            offset = max(0, start - 200)
            candidates.append((offset + words[0].start(), offset + words[-1].end()))
    for match in EFFECT_ON.finditer(clause) if not narrow and " effect" in lowered else ():
        start, end = match.start("np"), match.end("np")
        method = ASSESSED_BY.match(clause, start, end)
        candidates.append((method.end() if method else start, end))
    for match in NULL_IN.finditer(clause) if "no " in lowered and _holds_any(ascii_lowered, NULL_IN_NEEDLES) else ():
        candidates.append((match.start("np"), _list_end(clause, match.end("np"))))
    for match in NONSIGNIFICANT_REGARDING.finditer(clause) if "differen" in lowered and "signific" in lowered else ():
        candidates.append((match.start("np"), _list_end(clause, match.end("np"))))
    compared = any(n in lowered for n in ("than", "compar", "versus", " vs"))  # (a comparative needs a comparison)
    for match in COMPARATIVE_NP.finditer(clause) if compared and _holds_any(ascii_lowered, COMPARATIVE_NEEDLES) else ():
        candidates.append((match.start("np"), match.end("np")))
    for match in RELIEF.finditer(clause) if not narrow and _holds_any(ascii_lowered, ("relief",)) else ():
        candidates.append((match.start("np"), match.end("np")))
    for start, end in candidates:
        # a subject may run over an earlier clause: "... diminishes and the emotional component improves"
        joined = list(AND_ANOTHER.finditer(clause[start:end])) if "and" in clause[start:end] else []
        if joined and re.search(CHANGE, clause[start:start + joined[-1].start()], re.I):
            start += joined[-1].end()
        while (intro := INTRO.match(clause, start, end) or DISCOURSE.match(clause, start, end)
               or HEADING.match(clause, start, end)) is not None:
            start = intro.end()  # "After 4 weeks, NPSI ..." -> "NPSI ..."; "However, IBS ..." -> "IBS ..."
        if "(" in clause[start:start + 12] and (stat := STATISTIC_BRACKET.match(clause, start, end)):
            start = stat.end()  # "Mean (± SD) DBT ...": the statistic, then the measure
        trailing = TRAILING_TIME.search(clause, start, end)
        if trailing and trailing.start() > start:
            end = trailing.start()
        if "%" in clause[start:end] and (threshold := THRESHOLD_AFTER.search(clause, start, end)) \
                and threshold.start() > start and ABBREVIATED.search(clause, start, threshold.start()):
            end = threshold.start()  # "DBT 100%": the measure (an abbreviation), read at a threshold
        if clause[start:start + 10].lower().startswith(OTHER_WORDS) and OTHER_COLLECTIVE.match(clause, start, end):
            continue  # "no differences in other operative or postoperative measurements": a blanket, no measure
        for a, b, label in _split_list(clause[start:end], start):
            piece = _clean(clause, a, b)
            if piece is None and label != clause[a:b]:
                piece = (a, b)  # "patient [global assessments]": the shared head makes it a measure
            if piece is None or any(m.start <= piece[0] < m.end or piece[0] <= m.start < piece[1] for m in found):
                continue
            if label == clause[a:b]:
                label = clause[piece[0]:piece[1]]
            if " " not in label and "(" in clause[piece[1]:piece[1] + 3] and PAIRED_ADJECTIVE.fullmatch(label):
                # "an elevation in diastolic (p = 0.007) and mean blood pressure (p = 0.015)": the noun after the bracket
                after = BRACKET_THEN_ITEM.match(clause, piece[1])
                label = (_with_next_head(label, after.group("item")) or label) if after else label
            if label[:4].lower() in ("time", "the ") and ORDINAL.search(label):
                label = ORDINAL.sub("first", label)  # "time to 1st analgesic dose": named as the field names it
            found.append(Measure(piece[0], piece[1], label, higher_is_better(label)))
    return found




# --- the subject of a result said by its predicate ------------------------------------------------
# "Ablation volume was not significantly different between ...", "Diurnal IOP showed no difference",
# "Bowel sounds on day 2 in the TEA group were significantly greater than in the control group", "The time
# to stone expulsion in groups 1 and 2 was 9.5 and 14.7 days, respectively (p = 0.005)": the measure is the
# sentence's subject, and what is said of it is a null, a comparative or figures per arm. (Read only where
# the change verbs and nouns above found no measure in the sentence: ``subject_measure``.)
SUBJECT_PREDICATE = re.compile(
    r"\s*(?:\([^()]{0,80}\)\s*)?,?\s(?:(?:was|were|remained)\s+"
    # "The incidence of X was low and was not significantly different": what it was, then the result
    r"(?:(?:low|high|rare|small|infrequent|uncommon|common|frequent)\s+(?:overall\s+)?and\s+(?:was\s+|were\s+)?)?"
    r"(?:(?:also|significantly|statistically|much|markedly|"
    r"slightly|somewhat|numerically|substantially|clinically|not)\s+)*(?P<pred>similar|comparable|unchanged|(?:different|"
    r"changed|altered|affected)\b|higher|greater|lower|less|more|longer|shorter|better|worse|earlier|later|fewer|smaller|"
    r"larger|superior|inferior|(?:about\s+|approximately\s+|only\s+)?[−–-]?\d)|"
    r"did\s+not\s+(?:\w+ly\s+)?(?P<not>change|differ|vary)\b|showed\s+no\s+(?:\w+\s+){0,2}?(?P<no>differences?|changes?)\b|"
    # "Differences in X were not statistically significant": said of a difference whose measure follows "in"
    r"(?:was|were)\s+not\s+(?:statistically\s+)?(?P<nsig>significant))",
    re.I)
# A treatment's use for a measure, as a comparison's subject: "The use of A for total arrhythmia".
USE_FOR = re.compile(r"(?:the\s+)?use\s+of\s+[\w\s/+-]{1,40}?\s+(?:for|in\s+preventing|to\s+prevent|against)\s+(?:the\s+)?"
                     r"(?P<measure>\w[\w\s-]{1,60})$", re.I)
# A phrase in commas between the subject and its predicate: "Ventricular arrhythmia, in the form of extra
# systoles, was more common".
APPOSITION = re.compile(r"(?P<subject>[^,]{2,80}?),\s+(?:in\s+the\s+form\s+of|i\.e\.|namely|such\s+as|including|"
                        r"defined\s+as|(?:as\s+)?(?:measured|assessed|rated)\s+(?:by|with|as|on))\b[^,]{1,80},\s*$", re.I)
# The difference a "not significant" subject names, before its measure: "(the) differences (between the
# groups) in", "the difference between conditions for", "differences between" (then the measures).
DIFFERENCE_OF = re.compile(r"(?:the\s+)?(?:(?:mean|observed|estimated)\s+)?differences?\s+(?:between\s+(?:the\s+)?"
                           r"(?:\w+\s+){0,2}?(?:groups?|conditions|arms|treatments)\s+)?(?:in|for|of|regarding|between)\s+"
                           r"(?:the\s+)?", re.I)
# The words one of which opens the predicate (the first found by one search; ``SUBJECT_PREDICATE`` is matched there).
PREDICATE_OPENER = re.compile(r" (?:was|were|remained|did not|showed no) ")  # (the first of them, one search)
# Where the subject says in whom or when, not what: "... in the TEA group", "... on day 2", "... at 6 months".
SUBJECT_WHERE = re.compile(r"\s+(?:(?:(?:in|for|among|with|between)\s+|of\s+(?=the\s|both\s|all\s|each\s|these\s))"
                           r"(?:the\s+|both\s+|all\s+|each\s+|these\s+)?"
                           r"(?:[\w+/&-]+\s+|\(\s*[+-]?\s*\)\s+){0,5}?(?:groups?|arms?|patients|subjects|participants|cohorts?|children|"
                           r"women|men|households|eyes)\b|(?:on|at|after|by)\s+(?:postoperative\s+)?(?:day|week|month|year|"
                           r"visit|\d)\b).*$", re.I)
# Words that make a subject no measure: the people, the arms, a statistic of the study itself.
SUBJECT_NOT = frozenset("""groups group arm arms patients subjects participants mean median difference differences
baseline characteristics demographic demographics age sex gender study trial sample population randomization
randomisation we it this there they""".split())
# A predicate of figures only ("was 9.5 days"): the sentence must compare figures and test them.
FIGURES_TESTED = re.compile(r"\b[Pp]\s*[<=>≤≥]|\bCI\b|confidence\s+interval|\bNS\b")


def subject_measure(text: str) -> tuple[list[Measure], str] | None:
    """The measures a sentence reports as its subject (a list: "A and B were similar" names two), with the kind of predicate said of it
    (``"null"``, ``"comparative"`` or ``"figures"``), or None: "Ablation volume was not significantly
    different between the groups" -> (ablation volume, "null"); "Bowel sounds on day 2 in the TEA
    group were significantly greater than in the control group" -> (bowel sounds, "comparative");
    "The time to stone expulsion in groups 1 and 2 was 9.5 and 14.7 days, respectively (p = 0.005)"
    -> (time to stone expulsion, "figures"). The subject runs from the sentence's start (an opening
    phrase, discourse word or heading skipped) to the predicate, cut before where or when it was
    measured; figures need a p-value, an interval or "NS" in the sentence and a second figure."""
    opener = PREDICATE_OPENER.search(text, 1)
    if opener is None:
        return None
    at = opener.start()
    bracket = text.rfind("(", 0, at)  # "X (mean ± SD) was ...": the predicate may follow a bracket
    if bracket > 0 and text.find(")", bracket, at) > 0 and not text[text.find(")", bracket, at) + 1:at].strip(" ,"):
        at_np = bracket
    else:
        at_np = at
    found = SUBJECT_PREDICATE.match(text, at_np)
    if found is None:
        return None
    start = 0
    while (intro := INTRO.match(text, start, at_np) or DISCOURSE.match(text, start, at_np)
           or HEADING.match(text, start, at_np)) is not None and intro.end() > start:
        start = intro.end()
    if found.group("nsig"):
        of = DIFFERENCE_OF.match(text, start, at_np)
        if of is None:
            return None  # "X was not significant" is read by the change rules (a later null)
        start = of.end()
    apposition = APPOSITION.match(text, start, at_np) if "," in text[start:at_np] else None
    if apposition is not None:
        at_np = apposition.end("subject")  # "X, in the form of Y, was more common": X is the subject
    where_at = SUBJECT_WHERE.search(text, start, at_np) if "(" in text[start:at_np] else None
    bracket_free = where_at.start() if where_at is not None else at_np  # ("X in the A (+) versus A (-) group was ...")
    if not 2 <= at_np - start <= 112 or not text[start:start + 1].isalpha() or any(c in text[start:bracket_free] for c in ";:()") \
            or ("," in text[start:at_np] and any(len(p.split()) > 4 for p in text[start:at_np].split(","))):
        return None  # (a subject is a short phrase, or a list of them, with no clause or bracket in it)
    pred = (found.group("pred") or "").lower()
    kind = ("null" if found.group("not") or found.group("no") or found.group("nsig")
            or pred in ("similar", "comparable", "unchanged")
            or pred in ("different", "changed", "altered", "affected") else
            "figures" if pred[-1:].isdigit() else "comparative")
    if pred in ("different", "changed", "altered", "affected") and " not " not in found.group(0).lower():
        return None  # "was significantly different": a difference with no direction, read elsewhere
    if kind == "figures" and not (FIGURES_TESTED.search(text) and len(re.findall(r"\d", text[found.end():])) >= 2):
        return None  # "was 40 years": a value, not a result
    np_start, np_end = start, len(text[:at_np].rstrip())
    where = SUBJECT_WHERE.search(text, np_start, np_end)
    if where is not None:
        np_end = where.start()
    if kind == "figures" and "respectively" in text and " in " in text[np_start:np_end]:
        np_end = text.rfind(" in ", np_start, np_end)  # "X in Endobutton and Rigidfix were 135 and 129, respectively"
    if text[np_start:np_start + 8].lower().startswith(("the use", "use of")):
        use = USE_FOR.match(text, np_start, np_end)
        if use is not None:
            np_start = use.start("measure")  # "The use of A for total arrhythmia was more effective than B"
    words = set(LETTER_RUN.findall(text[np_start:np_end].lower()))
    if not words or words <= SUBJECT_NOT | STOP or words & {"we", "there", "it", "this", "they", "which", "who"}:
        return None
    if words & SUBJECT_STOP or words & {"group", "groups", "arm", "arms"} or VERB_IN_SUBJECT.search(text, np_start, np_end):
        return None  # "Pain improved over time but ...": a clause of its own before the predicate
    measures = []
    for a, b, label in _split_list(text[np_start:np_end], np_start):
        piece = _clean(text, a, b)
        if piece is not None:
            label = label if label != text[a:b] else text[piece[0]:piece[1]]
            measures.append(Measure(piece[0], piece[1], label, higher_is_better(label)))
    return (measures, kind) if measures else None


# A change verb inside a would-be subject: the subject is a clause, not a measure.
VERB_IN_SUBJECT = re.compile(rf"\s{CHANGE}\b", re.I)



# --- counts of people compared -------------------------------------------------------------------------
# "More patients in the A group achieved remission", "a greater proportion of A-treated patients reported
# adverse events", "significantly fewer participants required rescue analgesia": the measure is what the
# people had, and its direction is the count's (more of it, or less).
PEOPLE_COUNT = re.compile(
    r"\b(?P<amount>more|fewer|(?:a\s+)?(?:significantly\s+|statistically\s+significantly\s+)?(?:greater|higher|larger|smaller|"
    r"lower)\s+(?:proportion|percentage|number)\s+of)\s+(?:[\w-]+\s+){0,2}?(?:subjects|patients|participants|women|men|"
    r"children|infants|people|cases)\s+(?:(?:in|of|from|on)\s+the\s+(?:[\w/+-]+\s+){0,3}?(?:groups?|arms?)\s+|(?:treated|"
    r"receiving|given|taking)\s+(?:with\s+)?[\w/+-]+\s+)?(?:who\s+)?(?:reported|had|experienced|achieved|developed|required|"
    r"needed|requested|showed|suffered\s+from|attained|reached)\s+(?:a\s+|an\s+)?"
    r"(?P<np>[A-Za-z][\w'/-]*(?:\s+(?!(?:than|compared|versus|vs|in|at|after|during|was|were|and|with)\b)[\w'/-]+){0,5}?)"
    r"(?=\s*(?:\(|,|;|\.|$|\s+(?:than|compared|versus|vs|in|at|after|during|and|was|were|with)\b))", re.I)
PEOPLE_COUNT_NEEDLES = ("more ", "fewer ", "proportion of", "percentage of", "number of")


def people_count_measures(clause: str) -> list[tuple[Measure, bool]]:
    """The measures a count of people compared reports, each with whether the count is the larger
    (``True``: "more patients achieved remission"; ``False``: "fewer patients required rescue
    analgesia"). [] when the clause compares no count of people."""
    lowered = clause.lower()
    if not any(n in lowered for n in PEOPLE_COUNT_NEEDLES):
        return []
    found = []
    for match in PEOPLE_COUNT.finditer(clause):
        piece = _clean(clause, match.start("np"), match.end("np"))
        if piece is None:
            continue
        label = clause[piece[0]:piece[1]]
        amount = match.group("amount").lower()
        more = amount == "more" or any(w in amount for w in ("greater", "higher", "larger"))
        found.append((Measure(piece[0], piece[1], label, higher_is_better(label)), more))
    return found


# --- named instruments -------------------------------------------------------------------------------
# Scales and tests that pain, arthritis and rehabilitation trials report by name, each with the key the
# field names it by and whether more of it is better (each instrument's own scoring: a higher WOMAC,
# Oswestry, Roland-Morris, Lequesne, HAQ, DAS28 or SDAI score is more disease; a longer Timed Up and Go
# is worse mobility; a longer six-minute walk and a higher SF-36 or FFbH are better). Their results are
# reported under these names, not as one generic pain score (issue 12 item 6: measures outside
# fibromyalgia recognised). A WOMAC subscale keeps its name ("WOMAC pain" is ``womac_pain``).
NAMED = [
    ("womac", r"(?-i:\bWOMAC\b)(?:\s+(?:OA\s+)?(?:index\s+)?(?:LK\s*3\.1\s+)?(?:OA\s+index\s+)?)?"
              r"(?:(?:physical\s+)?function(?:al)?|pain|stiffness|total|composite|global)?(?:\s+(?:sub)?(?:scales?|"
              r"scores?|index))?|\bWestern\s+Ontario\s+and\s+McMaster\s+Universit(?:y|ies)(?:\s+[\w.]+){0,4}?\s+Index",
     False),
    ("odi", r"\bOswestry(?:\s+(?:low\s+back\s+pain\s+)?disability)?(?:\s+(?:index|questionnaire|scores?))?|(?-i:\bODI\b)", False),
    ("rmdq", r"\bRoland[\s-]+Morris(?:\s+disability)?(?:\s+(?:questionnaire|scale|index|scores?))?|(?-i:\bRMDQ\b|\bRDQ\b)",
     False),
    ("lequesne", r"\bLequesne(?:'s)?(?:\s+(?:algo-?)?functional)?(?:\s+(?:index|scores?))?", False),
    ("nips", r"\bneonatal\s+infant\s+pain\s+scale|(?-i:\bNIPS\b)", False),
    ("sdai", r"\bsimplified\s+disease\s+activity\s+index|(?-i:\bSDAI\b)", False),
    ("cdai", r"\bclinical\s+disease\s+activity\s+index|(?-i:\bCDAI\b)", False),
    ("das28", r"\bdisease\s+activity\s+score(?:\s+(?:in|of|based\s+on)\s+28\s+joints|\s*28)?|\b28-joint\s+disease\s+"
              r"activity\s+score|(?-i:\bDAS-?28(?:-?(?:CRP|ESR))?\b)", False),
    ("haq", r"\bhealth\s+assessment\s+questionnaire(?:\s+disability\s+index)?|(?-i:\bHAQ(?:-DI)?\b)", False),
    ("sf36", r"\b36-item\s+short[\s-]+form(?:\s+health\s+survey)?|\bshort[\s-]+form[\s-]+36|\bshort[\s-]+form\s+health\s+"
             r"survey|\bSF-?36\b", True),
    ("tug", r"\btimed\s+up[\s-]+(?:and|&)[\s-]+go(?:\s+test)?|(?-i:\bTUG(?:\s+test)?\b)", False),
    ("6mwd", r"\b(?:six|6)[\s-]*min(?:ute)?[\s-]+walk(?:ing)?(?:\s+(?:test|distances?))?|(?-i:\b6\s*-?MW[DT]\b)", True),
    ("sf_mpq", r"\b(?:short[\s-]+form\s+)?McGill\s+pain\s+questionnaire|(?-i:\bSF-?MPQ(?:-?2)?\b)|(?-i:\bMPQ\b)", False),
    ("ffbh", r"(?-i:\bFFbH(?:-?R)?\b)|\bHannover\s+functional\s+ability\s+questionnaire", True),
]
# (abbreviations in capitals only: "ODI", "TUG", "NIPS" are names, "tug" and "nips" are words)
NAMED_PATTERNS = [(key, re.compile(pattern, re.I), better) for key, pattern, better in NAMED]
# Substrings one of which a text needs for ``NAMED`` to be run on it: the long forms in lower case, the
# abbreviations as written (a text in lower case is no test for "ODI": "periodic", "sodium").
NAMED_NEEDLES = ("womac", "western ontario", "oswestry", "roland", "lequesne", "neonatal infant", "disease activity",
                 "health assessment", "short form", "short-form", "sf-36", "sf36", "36-item", "timed up", "minute walk",
                 "minute-walk", "min walk", "mcgill", "ffbh", "hannover")
# Per instrument: (needles in lower case, needles as written) one of which its pattern needs.
NAMED_KEY_NEEDLES = {
    "womac": (("womac", "western ontario"), ()), "odi": (("oswestry",), ("ODI",)), "rmdq": (("roland",), ("RDQ", "RMDQ")),
    "lequesne": (("lequesne",), ()), "nips": (("neonatal infant",), ("NIPS",)), "sdai": (("simplified disease",), ("SDAI",)),
    "cdai": (("clinical disease",), ("CDAI",)), "das28": (("disease activity",), ("DAS",)),
    "haq": (("health assessment",), ("HAQ",)), "sf36": (("short form", "short-form", "sf-36", "sf36", "36-item"), ()),
    "tug": (("timed up",), ("TUG",)), "6mwd": (("minute walk", "minute-walk", "min walk", "min-walk"), ("MW",)),
    "sf_mpq": (("mcgill",), ("MPQ",)), "ffbh": (("hannover",), ("FFbH",)),
}
NAMED_CAPITALS = ("WOMAC", "ODI", "RMDQ", "RDQ", "NIPS", "SDAI", "CDAI", "DAS", "HAQ", "TUG", "MW", "MPQ", "FFbH")

WOMAC_PART = re.compile(r"(?P<part>(?:physical\s+)?function|pain|stiffness)", re.I)
DEFINED_AFTER = re.compile(r"\s*\(\s*(?P<short>[A-Z][A-Za-z0-9-]{1,9})\s*\)")


def named_key(key: str, label: str) -> str:
    """The key of a named instrument as found (``NAMED``): a WOMAC subscale is its own measure.

    >>> named_key("womac", "WOMAC pain scores"), named_key("womac", "WOMAC physical function"), named_key("odi", "ODI")
    ('womac_pain', 'womac_function', 'odi')"""
    if key == "womac":
        part = WOMAC_PART.search(label)
        if part:
            return "womac_" + part.group("part").lower().split()[-1]
    return key


def holds_named(text: str, lowered: str | None = None) -> bool:
    """Whether a text may name an instrument of ``NAMED`` (a substring pre-test; ``lowered``: the
    text in lower case, when the caller has it)."""
    lowered = text.lower() if lowered is None else lowered
    return any(n in lowered for n in NAMED_NEEDLES) or any(n in text for n in NAMED_CAPITALS)


def _named_patterns_for(text: str) -> list[tuple[str, re.Pattern, bool]]:
    """The patterns of ``NAMED`` whose needles the text holds (``NAMED_KEY_NEEDLES``)."""
    lowered = text.lower()
    return [(key, pattern, better) for key, pattern, better in NAMED_PATTERNS
            if any(n in lowered for n in NAMED_KEY_NEEDLES[key][0]) or any(n in text for n in NAMED_KEY_NEEDLES[key][1])]


def named_measures(text: str, defined: dict[str, tuple[str, bool]] | None = None) -> list[tuple[int, int, str, bool]]:
    """The named instruments a sentence reports (``NAMED``, and the abbreviations the record defines
    for them, ``defined``), as ``(start, end, key, higher_is_better)`` in the order written, none
    overlapping: "WOMAC pain (P = 0.26) and the TUG test" -> womac_pain, tug. [] when none."""
    found: list[tuple[int, int, str, bool]] = []
    if holds_named(text):
        for key, pattern, better in _named_patterns_for(text):
            for match in pattern.finditer(text):
                if not any(a <= match.start() < b or match.start() <= a < match.end() for a, b, _, _ in found):
                    listed = _womac_list(text, match.end()) if key == "womac" and \
                        text[match.end():match.end() + 3].lstrip().startswith(":") else []
                    # "aspects of WOMAC: pain (...), function (...)": the subscales listed are the measures
                    found += listed or [(match.start(), match.end(), named_key(key, match.group(0)), better)]
    for short, (key, better) in (defined or {}).items():
        if short in text:
            for match in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text):
                if not any(a <= match.start() < b or match.start() <= a < match.end() for a, b, _, _ in found):
                    found.append((match.start(), match.end(), key, better))
    return sorted(found)


def _womac_list(text: str, at: int) -> list[tuple[int, int, str, bool]]:
    """The WOMAC subscales a list after "WOMAC:" names, up to the end of the sentence or clause."""
    stop = min((i for i in (text.find(";", at), text.find(". ", at)) if i >= 0), default=len(text))
    return [(m.start(), m.end(), "womac_" + m.group("part").lower().split()[-1], False)
            for m in WOMAC_PART.finditer(text, at, stop)]


def named_abbreviations(text: str) -> dict[str, tuple[str, bool]]:
    """The abbreviations a record defines for named instruments, "long form (ABBR)" with the long
    form one of ``NAMED``: {"RM": ("rmdq", False)} for "Roland-Morris questionnaire (RM)". Only
    abbreviations ``NAMED`` does not already know."""
    found: dict[str, tuple[str, bool]] = {}
    if not holds_named(text):
        return found
    for key, pattern, better in _named_patterns_for(text):
        for match in pattern.finditer(text):
            after = DEFINED_AFTER.match(text, match.end())
            if after and not any(p.fullmatch(after.group("short")) for _, p, _ in NAMED_PATTERNS):
                found.setdefault(after.group("short"), (named_key(key, match.group(0)), better))
    return found



# --- change scores -----------------------------------------------------------------------------------
# "a significantly greater mean change in score (final minus baseline) compared to the vehicle group for
# pain (-5.2 vs. -3.3), physical function (-13.4 vs. -6.9) and stiffness": a change score compared
# between the groups, for the measures listed after "for" (or "in").
CHANGE_SCORE = re.compile(r"\b(?:greater|larger|bigger)\s+(?:mean\s+|average\s+|median\s+)?(?P<what>change|reduction|"
                          r"decrease|improvement|fall|drop|increase)s?\b", re.I)
CHANGE_LIST = re.compile(r"\b(?:for|in)\s+(?!scores?\b)(?:the\s+|their\s+)?(?=[A-Za-z])")
BRACKETED = re.compile(r"\([^()]*\)")
CHANGE_COMPARED = re.compile(r"\s(?:than|compared|versus|vs\.?|relative\s+to|over)\s", re.I)
# The first figure in a bracket after a measure: its sign says which way the treated arm's score changed.
SIGNED_FIGURE = re.compile(r"\s*\(\s*(?P<sign>[-−–])?\+?\s*\d")


def change_score_measures(clause: str) -> list[tuple[Measure, str]]:
    """The measures a compared change score is given for, each with which way the treated arm's
    score moved: ``"down"`` (a reduction, or a change whose first figure is negative), ``"up"`` (an
    increase, a positive figure) or ``"better"`` (an improvement, or a change with no figure).
    [] when the clause gives no change score. Example: "greater mean change ... for pain (-5.2 vs.
    -3.3) and stiffness (-1.8 vs. -0.9)" -> pain down, stiffness down."""
    lowered = clause.lower()
    if "greater" not in lowered and "larger" not in lowered and "bigger" not in lowered:
        return []
    score = CHANGE_SCORE.search(clause)
    if score is None:
        return []
    listed = CHANGE_LIST.search(clause, score.end())
    if listed is None or listed.start() - score.end() > 120:
        return []
    what = score.group("what").lower()
    # brackets blanked (offsets kept) so that the list splits on its own commas
    rest = BRACKETED.sub(lambda m: " " * len(m.group(0)), clause[listed.end():])
    compared = CHANGE_COMPARED.search(rest)
    stop = min((i for i in (rest.find(";"), rest.find(". "), compared.start() if compared else -1) if i >= 0),
               default=len(rest.rstrip(". ")))
    found: list[tuple[Measure, str]] = []
    for a, b, label in _split_list(rest[:stop].rstrip(), listed.end()):
        piece = _clean(clause, a, b)
        if piece is None:
            continue
        label = clause[piece[0]:piece[1]]
        figure = SIGNED_FIGURE.match(clause, piece[1])
        way = ("down" if what in ("reduction", "decrease", "fall", "drop") else "up" if what == "increase" else
               "better" if what == "improvement" or figure is None else "down" if figure.group("sign") else "up")
        found.append((Measure(piece[0], piece[1], label, higher_is_better(label)), way))
    return found


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import led  # noqa: E402

VERB_OBJECT, CHANGE_IN, HIGHER_IS_BETTER, PREDICATE, SHOWED_CHANGE = map(
    led, (VERB_OBJECT, CHANGE_IN, HIGHER_IS_BETTER, PREDICATE, SHOWED_CHANGE))
VERB, TRAILING_TIME, PREDICATE_NEEDLE, COMPARATIVE_NP, INTRO = map(
    led, (VERB, TRAILING_TIME, PREDICATE_NEEDLE, COMPARATIVE_NP, INTRO))
