"""Duration: how long the treatment (or exposure) lasted, in weeks, with the words that say it;
never an age, a time point, a follow-up or a single administration's session."""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import lexicon as lx
from .text import Document, _lower_text, sentences, span


DURATION_BEFORE = re.compile(r"(?:\bfor|\bover|\blasting|\bduring|\bat|\bafter|\bin)\s*$", re.I)
# Further ways of saying a length, each asked only when the words before end as it does: "a period of",
# "the treatment period was", "for 4 to" (6 weeks).
LENGTH_OF_BEFORE = re.compile(r"\b(?:period|course|duration|total|span|length|maximum|minimum|treatment|therapy|"
                              r"supplementation|regimen|intervention|trial|study|program|programme|time)\s+of$", re.I)
LENGTH_WAS_BEFORE = re.compile(r"\b(?:period|duration|length)(?:\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:treatment|therapy|"
                               r"supplementation|intervention|study|trial))?\s+(?:was|were|is)$", re.I)
# "for approximately 8 weeks": a hedge between the cue and the number.
HEDGE_ENDINGS = ("approximately ", "about ", "around ", "roughly ", "nearly ", "almost ", "some ", "~", "~ ")
HEDGE_BEFORE = re.compile(r"\s*\b(?:approximately|about|around|roughly|nearly|almost|some|~)\s*$", re.I)
RANGE_BEFORE = re.compile(r"\b(?:for|over|during)\s+\d+\s*(?:to|-|–)$", re.I)


def _said_as_length(before: str) -> bool:
    """Whether the words before a time span say it is a length: "for", "over", "during", "a period of",
    "the treatment period was", "for 4 to" (a range)."""
    if DURATION_BEFORE.search(before):
        return True
    tail = before.rstrip()
    if tail.endswith(("of", "OF", "Of")):
        return bool(LENGTH_OF_BEFORE.search(tail))
    if tail.endswith(("was", "were", "is")):
        return bool(LENGTH_WAS_BEFORE.search(tail))
    return tail.endswith(("to", "-", "–")) and bool(RANGE_BEFORE.search(tail))



DURATION_AFTER = re.compile(r"^\s*(?:trial|study|treatment|period|intervention|supplementation|course|therapy|"
                            r"phase|program|regimen)", re.I)
NOT_DURATION_BEFORE = re.compile(r"(?:\bby|\bafter|\bat|\baged?|\bup\s+to|\bwithin|\bevery|\bfollow-?up\s+(?:period\s+|time\s+|survey\s+|visits?\s+|assessments?\s+|evaluations?\s+)?of|\bbefore|"
                                 # "a run-in period of one week", "a washout phase of 2 weeks": no treatment's length
                                 r"\b(?:run-?in|wash-?out|lead-?in|screening|baseline)\s+(?:period|phase)\s+(?:of|lasting)|"
                                 r"\b(?:more|less|longer|shorter)\s+than|\bat\s+least|\bper)\s*"
                                 # (the end of a range said after them: "a follow-up survey of 6-36 months")
                                 r"(?:\d+(?:\.\d+)?\s*(?:to|-|–)\s*)?$", re.I)
FREQUENCY_BEFORE = re.compile(r"(?:\btimes|\bonce|\btwice|\bthrice|\bmg|\bg|\bunits?|\btablets?|\bcapsules?|\bdoses?|"
                              r"\bsprays?|\bIU|\bml|\bdrops?)\s*$", re.I)
# "after 4 weeks of treatment", "after 7 days of feeding with a deficient diet": the time a treatment
# or an exposure lasted, said of its end.
OF_TREATMENT = re.compile(r"\s+(?:of\s+)?(?:the\s+)?(?:(?:oral|daily|active|study|drug|open-label|double-blind|"
                          r"combined|continuous|intravenous|topical)\s+)?(?:treatment|therapy|supplementation|intervention|feeding|diet|"
                          r"administration|exposure|intake|use|magnesium)\b|"
                          # "after 12 months of SIT": of any treatment named, but not of follow-up, age or a washout
                          r"\s+of\s+(?!follow|age\b|life\b|gestation|observation|wash|run-?in|lead-?in|screening|"
                          r"baseline|the\s+(?:study|trial|follow))[A-Za-z]", re.I)
# "one month (28 days)": the finer unit in brackets is what the text counted.
EXACT_AFTER = re.compile(rf"\s*\(\s*(?P<number>{lx.NUMBER})\s*(?P<unit>days?|weeks?)\s*\)", re.I)
# "a four-week course": the article, not a number to add.
A_NUMBER = re.compile(r"^an?[\s-]+(?=[a-z])", re.I)
# A number that reports a result, not how long treatment lasted: a mean, median or spread
# ("median follow-up was 21 months", "3.1 +/- 0.3 days"), or one of two compared values.
STATISTIC_BEFORE = re.compile(r"\+/-|±|\b(?:median|mean|average|versus|vs|range|survival|SD|IQR|ages?|aged)\b", re.I)
STATISTIC_AFTER = re.compile(r"[\s,]*(?:respectively|versus|vs\b|;?\s*p\s*[=<>]|or\s+(?:more|longer|less|fewer)\b|\(\s*range|\(\s*95\s*%|longer|shorter|earlier|later)",
                             re.I)
# "for 6 weeks after a 2-week run-in": a length said with "for", whatever follows it.
TIME_WORD_AFTER = re.compile(r"[\s-]*after\b", re.I)
# "monitored for 11 days", "followed up for 3 months", "allowed to recover for 5 days": how long people
# (or animals) were watched or left before the study, not treated.
WATCHED_BEFORE = re.compile(r"\b(?:monitored|followed(?:\s+up)?|observed|assessed|evaluated|recorded|measured|examined|"
                            r"recover\w*|acclimati[sz]\w*|habituat\w*|adapt\w*|housed|quarantin\w*|stabili[sz]\w*)\s+"
                            r"(?:\w+\s+)?for\s+(?:\d+\s*(?:to|-|–)\s*)?$", re.I)
FOR_BEFORE = re.compile(r"(?:\bfor|\bduring|\bover|\blasting)\s*$", re.I)
# A study of one administration (a single dose, injection or infusion; a drug given around an
# operation) that says no repeated dosing: it has no treatment length, the labels' convention
# ([null, null] for single-dose and perioperative studies, mgfm_dev README).
# Each kind led by a literal and asked only when its needle is in the text (lower case): a cheap scan.
SINGLE_ADMINISTRATION = (
    (("single",), re.compile(r"single\s+(?:[\w-]+\s+){0,2}?(?:doses?|injections?|infusions?|bolus|administration|"
                             r"shots?)\b")),
    (("induction",), re.compile(r"(?:before|at|after)\s+(?:the\s+)?induction\b")),
    (("bolus",), re.compile(r"\bas\s+an?\s+(?:\w+\s+)?bolus\b")),
    (("intraop", "intra-op"), re.compile(r"intra-?operative(?:ly)?\s+(?:infusion|administration|bolus)\b|(?:infused|given|"
                                         r"administered|infusion|bolus)\s+(?:\w+\s+){0,3}?intra-?operatively\b")),
    (("during surgery", "during the surgery", "during operation", "during the operation"),
     re.compile(r"(?:infused|given|administered|infusion|bolus)\s+(?:\w+\s+){0,3}?during\s+(?:the\s+)?(?:surgery|"
                r"operation)\b")),
    (("/h", "/ h", "per hour"), re.compile(r"mg\s*/\s*kg\s*(?:/\s*h\b|per\s+hour\b)")),
)
# "pain was assessed daily": how often something was measured, not dosed.
ASSESSED_REPEATEDLY = re.compile(r"\b(?:assessed|recorded|measured|evaluated|monitored|rated|scored|collected|examined)\s+"
                                 r"(?:\w+\s+)?(?:daily|weekly|every\s+\w+)")
REPEATED_DOSING = re.compile(r"/\s*(?:day|d|24\s*h)\b|\b(?:daily|nightly|weekly|per\s+day|a\s+day|each\s+day|every\s+(?:day|night|evening|morning|"
                             r"\d+\s+h)|twice|thrice|times|/\s*day|b\.?i\.?d|t\.?i\.?d|q\.?d|once\s+a|doses\s+of|"
                             r"(?:tablets?|capsules?|sachets?)\s+(?:per|a|each)|on\s+(?:two|three|\d+)\s+(?:occasions|days)|"
                             r"consecutive\s+days)\b")


def _single_administration(lowered: str) -> bool:
    """Whether a record (lower-case text) tells one administration and no repeated dosing."""
    return (any(any(n in lowered for n in needles) and pattern.search(lowered) for needles, pattern in SINGLE_ADMINISTRATION)
            and not REPEATED_DOSING.search(ASSESSED_REPEATEDLY.sub(" ", lowered)))


# "at 1, 3 and 6 months", "after 12 and 24 months": time points of a list, not a treatment length.
TIME_POINTS_BEFORE = re.compile(r"\d\s*(?:[a-z]+\s*)?,?\s*(?:,|and|or)\s*$", re.I)
# "55 months for A and 41 months for B": two values compared, a result.
COMPARED_AFTER = re.compile(r"[^.;]{0,30}?\b(?:and|vs\.?|versus)\s+\d+(?:\.\d+)?\s*(?:weeks?|months?|days?|years?)\b", re.I)
COMPARED_BEFORE = re.compile(r"\d\s*(?:weeks?|months?|days?|years?)\b[^.;]{0,30}?\b(?:and|vs\.?|versus)\s*$", re.I)


def _compared(text: str, match: re.Match, before: str) -> bool:
    """Whether a time span is one of two values compared ("55 months for A and 41 months for B")."""
    window = text[match.end():match.end() + 45]
    if (" and " in window or " vs" in window or "versus" in window) and COMPARED_AFTER.match(window):
        return True
    return before.rstrip().endswith(("and", "vs", "vs.", "versus")) and bool(COMPARED_BEFORE.search(before))


# "for 2 days or more", "for at least": a definition (an eligibility criterion), not a treatment length.
DEFINITION_AFTER = re.compile(r"\s*or\s+(?:more|longer|less|fewer)\b", re.I)
# "1-year survival", "2-year disease-free survival rates": a result's time point.
EVENT_RATE_AFTER = re.compile(r"[^.;]{0,40}?\b(?:survival|disease-free|progression-free|event-free|recurrence-free|"
                              r"PFS|OS|DFS|EFS|RFS|incidence|cumulative|"
                              r"mortality|relapse\s+rates?|recurrence\s+rates?)\b", re.I)
EVENT_NEEDLES = ("surviv", "-free", "pfs", "dfs", "efs", "rfs", " os", "incidence", "cumulative", "mortality", "relapse",
                 "recurrence")
# Menstrual cycles as the unit of treatment ("for two menstrual cycles"), read only in a record that
# speaks of menstruation; a cycle is taken as a month (4.3 weeks). Chemotherapy cycles are no unit of time.
CYCLES = re.compile(rf"\b(?P<number>{lx.NUMBER})(?:[\s-]+(?:consecutive|successive|menstrual|ovarian|treatment)){{0,2}}"
                    r"[\s-]+(?P<unit>cycles?)\b", re.I)


def _durations(text: str, cycles: bool) -> Iterator[re.Match]:
    """The time spans said in a sentence (lx.DURATION), and menstrual cycles when ``cycles``, in order."""
    if cycles and "cycle" in text:
        return iter(sorted([*lx.DURATION.finditer(text), *CYCLES.finditer(text)], key=lambda m: m.start()))
    return lx.DURATION.finditer(text)  # lazily: the first strong one ends the search


# What every match of lx.DURATION holds: a unit after a space or a hyphen.
DURATION_HINT = re.compile(r"[\s-](?:weeks?|wk|months?|days?|years?|h|hours?)\b", re.I)
NOT_DURATION_AFTER = re.compile(r"^[\s-]*(?:follow-up|old|of\s+age|cycles?\b|every\b|each\s+(?:cycle|month|week)|"
                                r"per\s+(?:cycle|course)|(?:of\s+)?gestation\w*|of\s+life|postoperative|post\b|"
                                r"post-?(?:treatment|partum|natal|dose|injection|burn|infusion|randomi[sz]ation)|after|later|before|apart|interval|"
                                r"wash-?out|run-?in|lead-?in|baseline|screening|observation(?:al)?\s+period|"
                                r"single-blind\s+placebo)", re.I)


# Sessions counted with how often they were given: "fifteen 30-minute sessions three times a week" (5 weeks),
# "12 sessions, twice weekly" (6 weeks), "ten daily sessions" (10 days). Read only when no length is said.
_PER_WEEK = r"(?P<k>once|twice|thrice|\d|two|three|four|five|six|seven)(?:\s+times)?\s*(?:a|per|each|/)\s*week|" \
            r"(?P<kw>once|twice|thrice|two|three|four|five)[\s-]+(?:times[\s-]+)?weekly"
SESSIONS = re.compile(rf"\b(?P<n>{lx.NUMBER})\s+(?:[\w-]+\s+){{0,3}}?(?P<daily>daily\s+)?(?:[\w-]+\s+)?"
                      rf"(?:sessions|treatments|applications)\b(?:\s+\w+){{0,2}}?[\s,]+(?:{_PER_WEEK})?", re.I)
TIMES = {"once": 1, "twice": 2, "thrice": 3}
# "at the end of the study (week 4)", "end of treatment (week 12)": the last week of treatment, said in brackets.
END_WEEK = re.compile(r"\bend\s+of\s+(?:the\s+)?(?:study|treatment|trial|therapy|intervention|supplementation)\s*"
                      r"\(\s*(?:at\s+)?week\s+(?P<n>\d{1,3})\s*\)", re.I)


def _sessions_or_end(doc: Document) -> tuple[float, dict] | None:
    """(weeks, span) of a treatment told by its sessions and how often they came ("fifteen sessions three
    times a week": 15 / 3 = 5 weeks; "ten daily sessions": 10 days), or by the week its end came ("at the
    end of the study (week 4)"); None when neither is said. Rule written by us (issue 12, fifth pass)."""
    lowered = _lower_text(doc)
    counted = ("session" in lowered or "treatments" in lowered or "applications" in lowered) and (
        "week" in lowered or "daily" in lowered)
    ended = "end of" in lowered and "week" in lowered
    if not counted and not ended:
        return None
    for sentence in sentences(doc):
        text = sentence.text
        if counted and ("session" in text or "treatments" in text or "applications" in text):
            for match in SESSIONS.finditer(text):
                n = lx.words_to_number(match.group("n"))
                if not n or n != int(n) or n < 2:
                    continue
                k = match.group("k") or match.group("kw")
                # ("three daily sessions" are three a day; "fifteen daily sessions" fifteen days)
                per_week = (TIMES.get(k.lower()) or lx.words_to_number(k)) if k else (
                    7 if match.group("daily") and n >= 5 else None)
                if per_week:
                    return round(n / per_week, 2), span(doc, sentence.field, sentence.start + match.start(),
                                                        sentence.start + match.end())
        if ended and "end of" in text.lower():
            end = END_WEEK.search(text)
            if end:
                return float(end.group("n")), span(doc, sentence.field, sentence.start + end.start(),
                                                   sentence.start + end.end())
    return None


# A treatment given over a span of days or weeks counted from its start: "received A or B from 0 to 28 weeks
# post-partum", "given orally from day 1 to day 15", "from week 1 through week 12" (the end is the length).
FROM_START_TO = re.compile(r"\bfrom\s+(?:(?P<u1>day|week|month)s?\s+)?[01]\s*(?:to|until|till|through|-|–)\s*"
                           r"(?:(?P<u2>day|week|month)s?\s+)?(?P<end>\d{1,3})\b(?:\s*(?P<u3>day|week|month)s?\b)?", re.I)
# Said of giving a treatment (not "AUC from 0 to 12 hours", "the change from day 0 to day 7", "scored from 0 to 4").
GIVEN_IN = re.compile(r"\b(?:received?|receiving|given|administered|took|taken|treated|applied|supplemented|dosed|"
                      r"injected|infused)\b", re.I)


MEASURE_SPAN_BEFORE = re.compile(r"\b(?:AUC|area\s+under|change[sd]?|score[sd]?|scale|range|increased?|decreased?|"
                                 r"difference|levels?|concentrations?)\b[^.;]*$", re.I)


def _from_start_to(text: str) -> re.Match | None:
    """A treatment span counted from its start in a sentence that gives a treatment ("received A from 0
    to 28 weeks" -> the match, its end 28 and unit week); None otherwise (a measure's span, a scale)."""
    if "from" not in text:
        return None
    match = FROM_START_TO.search(text)
    if match is None or not (match.group("u1") or match.group("u2") or match.group("u3")):
        return None
    if not GIVEN_IN.search(text, 0, match.start()) or MEASURE_SPAN_BEFORE.search(text, max(0, match.start() - 40),
                                                                                 match.start()):
        return None  # the giving said before the span, not a measure's span ("AUC from day 0 to 7 in treated groups")
    return match


def duration(doc: Document) -> tuple[float | None, list[dict]]:
    """How long the treatment (or exposure) lasted, in weeks, with the words that say it.

    The first duration said as one ("for 8 weeks", "a 9-week trial", "after 7 days of feeding")
    wins, else the first plain one. Not durations: ages, time points ("at 2 h", "after 4 weeks"
    with nothing of treatment after it), follow-up, "more than three months" (a definition), and
    hours (a single session or a perioperative study has no treatment length in weeks). The unit
    the text gives is kept: "one month (28 days)" is 4 weeks, not 4.3; 1 month = 4.3 weeks
    otherwise. Returns (weeks or None, evidence spans)."""
    best = None
    lowered = _lower_text(doc)
    cycles = "cycle" in lowered and "menstru" in lowered
    for sentence in sentences(doc):
        span_from = _from_start_to(sentence.text)
        if span_from is not None:  # "given from day 1 to day 15": 15 days
            unit = (span_from.group("u1") or span_from.group("u2") or span_from.group("u3")).lower()
            best = (True, round(int(span_from.group("end")) * lx.WEEKS_PER[unit], 2),
                    span(doc, sentence.field, sentence.start + span_from.start(), sentence.start + span_from.end()),
                    sentence.text)
            break
        if not DURATION_HINT.search(sentence.text) and not (cycles and "cycle" in sentence.text):
            continue  # (no unit after a space or hyphen: no duration, and a cheaper test than DURATION)
        for match in _durations(sentence.text, cycles):
            unit = match.group("unit").lower().rstrip("s")
            if unit in ("h", "hour"):
                continue  # "a 24-hour urine", "at 2 h": sessions and time points, not treatment lengths
            number = match.group("number")
            if number[0] in "aA" and A_NUMBER.match(number):
                number = number[A_NUMBER.match(number).end():]  # "a four-week course" is four weeks, not five
            n = lx.words_to_number(number)
            if not n:
                continue
            wide = sentence.text[max(0, match.start() - 40):match.start()]
            if wide.endswith(HEDGE_ENDINGS):
                wide = HEDGE_BEFORE.sub("", wide)
            before = wide[-25:]
            after = sentence.text[match.end():match.end() + 25]
            of_treatment = OF_TREATMENT.match(after)
            if (NOT_DURATION_BEFORE.search(before) and not of_treatment) or (
                    NOT_DURATION_AFTER.search(after) and not (TIME_WORD_AFTER.match(after) and FOR_BEFORE.search(before))):
                continue  # (but "for 6 weeks after a run-in" is a treatment length)
            if "for" in before[-12:] and not of_treatment and WATCHED_BEFORE.search(before):
                continue  # "allowed to recover for 5 days", "monitored for 11 days after each dose"
            if number.lower() == "a" and FREQUENCY_BEFORE.search(before):
                continue  # "three times a day", "300 mg a day": a frequency, not a duration
            said_for = _said_as_length(wide)
            strong = said_for or bool(DURATION_AFTER.search(after)) or "-" in match.group(0)
            if DEFINITION_AFTER.match(after):
                continue  # "bed rest for 2 days or more": a criterion, not a treatment length
            if not strong and ("." in number or STATISTIC_BEFORE.search(before) or STATISTIC_AFTER.match(after)
                               or TIME_POINTS_BEFORE.search(before) and not of_treatment
                               or _compared(sentence.text, match, wide)):
                continue  # "6.9 versus 7.8 months, respectively", "3.1 +/- 0.3 days", "median 21 months": results
            window = sentence.text[match.end():match.end() + 60].lower()
            if not said_for and any(w in window for w in EVENT_NEEDLES) and EVENT_RATE_AFTER.match(window):
                continue  # "the 1-year, 2-year and 3-year disease-free survival": a time point of a result
            if unit == "year" and not strong:
                continue  # "aged 1-12 years": ages, not treatment lengths
            end = match.end()
            exact = EXACT_AFTER.match(sentence.text, end)
            if exact and lx.words_to_number(exact.group("number")):
                n, unit, end = lx.words_to_number(exact.group("number")), exact.group("unit").lower().rstrip("s"), exact.end()
            weeks = round(n * (lx.WEEKS_PER[unit] if unit != "cycle" else lx.WEEKS_PER["month"]), 2)
            found = (strong, weeks, span(doc, sentence.field, sentence.start + match.start(), sentence.start + end),
                     sentence.text)
            if strong:
                best = found
                break
            best = best or found
        if best and best[0]:
            break
    if best and not REPEATED_DOSING.search(best[3].lower()) and _single_administration(lowered):
        return None, []  # one dose, infusion or operation: a time span said is follow-up, not treatment
    if best is None and (told := _sessions_or_end(doc)) is not None:
        return told[0], [told[1]]
    return (best[1], [best[2]]) if best else (None, [])


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import led  # noqa: E402

NOT_DURATION_BEFORE, REPEATED_DOSING, ASSESSED_REPEATEDLY, STATISTIC_BEFORE, WATCHED_BEFORE = map(
    led, (NOT_DURATION_BEFORE, REPEATED_DOSING, ASSESSED_REPEATEDLY, STATISTIC_BEFORE, WATCHED_BEFORE))
DURATION_HINT = led(DURATION_HINT)
