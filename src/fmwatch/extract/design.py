"""Topics and design: what the record is about (fibromyalgia, magnesium, amitriptyline) and the
study design from every signal together (publication types, MeSH, the text's own words, the arms
and levels found), each value with its evidence."""

from __future__ import annotations

import re

from . import lexicon as lx
from .text import Document, _dedupe, _find, _find_if, _lower_text, _said, _sentence_of, span


# --- topics ----------------------------------------------------------------------------------------

FIBROMYALGIA_TEXT = re.compile(r"\bfibromyalgi\w*|\bFMS\b|\bfibrositis\b", re.I)
AMITRIPTYLINE_TEXT = re.compile(r"\bamitriptyline\b", re.I)
MAGNESIUM_MESH = re.compile(r"^(magnesium|magnesium compounds|magnesium (chloride|sulfate|oxide|hydroxide|citrate)|"
                            r"magnesium deficiency|malates)$", re.I)


def topics(doc: Document) -> dict:
    """What the record is about: ``{"fibromyalgia": bool, "magnesium": bool, "amitriptyline": bool}``
    from its text (any field, "Mg" as a symbol included) and its MeSH; a Fibromyalgia Network page is
    always about fibromyalgia. Example: "Magnesium in FMS" -> fibromyalgia and magnesium true."""
    mesh = [m.lower() for m in doc.mesh]
    magnesium = bool(_find_if(doc, lx.MAGNESIUM, ("magnes", "mgcl", "mgso", "mgo", "malic"))
                     or ("Mg" in "".join(doc.fields[f] for f in doc.text_fields) and _find(doc, lx.MG_SYMBOL)))
    return {
        # The Fibromyalgia Network writes for people with fibromyalgia: its articles are about it
        # even when one ("Malic Acid and Magnesium, Revisited") never says the word.
        "fibromyalgia": (doc.source == "fmnetwork" or bool(_find_if(doc, FIBROMYALGIA_TEXT, ("fibro", "fms")))
                         or "fibromyalgia" in mesh),
        "magnesium": magnesium or any(MAGNESIUM_MESH.match(m) for m in mesh),
        "amitriptyline": bool(_find_if(doc, AMITRIPTYLINE_TEXT, ("amitriptyline",))) or "amitriptyline" in mesh,
    }


# --- design ----------------------------------------------------------------------------------------

DESIGN_CUES = {
    # "non-randomized" and "not randomized" also match here; "not_randomized" wins in design().
    "randomized": re.compile(r"\brandomi[sz](?:ed|ation)\b|\brandomly\s+(?:assigned|allocated|divided)\b|"
                             r"\bin\s+(?:a\s+)?random(?:i[sz]ed)?\s+(?:order|sequence)\b|"
                             r"\b(?:allocated|assigned|divided|distributed)\s+at\s+random\b|"
                             # said in other words (session 23): "randomly grouped into 3", "assigned randomly into an
                             # experimental group", "classified into a QQG group and a control group randomly",
                             # "adolescents randomly to an intervention group"
                             r"\brandomly\s+(?:grouped|distributed|split|placed|categori[sz]ed|classified|sorted)\b|"
                             r"\b(?:assigned|allocated|divided|grouped|distributed|classified|split)\s+randomly\b"
                             r"(?!\s+(?:from|among|selected|chosen|sampled)\b)|"  # ("allocated randomly from the centre": sampled)
                             r"\b(?:groups?|arms?)\s+(?:\(\s*n\s*=\s*\d+\s*\)\s+)?randomly\b|"
                             r"\brandomly\s+(?:to|into)\s+(?:an?\s+|the\s+|one\s+of\s+|either\s+)?(?:[\w-]+\s+){0,3}?"
                             r"(?:groups?|arms?|conditions?)\b", re.I),
    "not_randomized": re.compile(r"\bnon-?randomi[sz]ed\b|\bnot\s+randomi[sz]ed\b", re.I),
    "double": re.compile(r"\b(?:double|triple)[\s-]+(?:blind\w*|mask\w*)|\bneither\s+the\s+patients\s+nor\b", re.I),
    "single": re.compile(r"\bsingle[\s-]+(?:blind\w*|mask\w*)", re.I),
    "open": re.compile(r"\bopen[\s-]+label\w*|\bunblinded\b|\bopen\s+(?:study|trial)\b|\bno\s+placebo\s+group\b", re.I),
    "placebo": re.compile(r"\bplacebos?\b|\bsham\b|\blook-alike\b", re.I),
    "no_placebo": re.compile(r"\bno\s+placebo\b|\bwithout\s+(?:a\s+)?placebo\b", re.I),
    "crossover": re.compile(r"\bcross[\s-]?over\b", re.I),
    "pilot": re.compile(r"\bpilot\b|\bfeasibility\b", re.I),
}
TEXT_TYPES = [
    ("meta_analysis", re.compile(r"\bmeta-?analys[ie]s\b|\bquantitative\s+systematic\s+review\b", re.I)),
    # a systematic review says how it searched: "We searched MEDLINE, Embase and CENTRAL", "databases were searched"
    # a meta-analysis said in the passive, with no "this" or "we" (session 22): "A meta-analysis was performed",
    # "Data were pooled with a random-effects model", "random-effects meta-analysis"
    ("meta_done", re.compile(r"\bmeta-?analys[ie]s\s+(?:[\w-]+\s+){0,6}?(?:was|were)\s+(?:then\s+|also\s+)?(?:performed|"
                             r"conducted|carried\s+out|undertaken|done|used)\b|\bpooled\s+(?:using|with|by|in)\s+(?:a\s+)?"
                             r"(?:random|fixed)[\s-]+effects?\b|\b(?:random|fixed)[\s-]+effects?\s+meta-?analys", re.I)),
    ("systematic_review", re.compile(r"\b(?:systematic|scoping|umbrella)\s+(?:literature\s+)?review\b|\bPROSPERO\b|"
                                     r"\bsearched\s+(?:the\s+)?(?:[\w-]+\s*,?\s+(?:and\s+)?){0,4}?(?:MEDLINE|PubMed|"
                                     r"Embase|EMBASE|Cochrane|CENTRAL|Scopus|CINAHL|Web\s+of\s+Science|PsycINFO|"
                                     r"(?:electronic\s+)?databases)\b|\b(?:databases|MEDLINE|PubMed|Embase)\s+(?:\w+\s+){0,3}?"
                                     r"(?:were|was)\s+searched\b", re.I)),
    # a review known by its search said in other words (session 22): "A systematic search of MEDLINE was performed",
    # "The search was carried out in the SciELO and LILACS databases", "databases (MEDLINE; EMBASE; ...) were
    # searched", "studies published between 2000 and 2020", "Eleven trials involving 948 patients were included"
    ("review_search", re.compile(r"\b(?:systematic|comprehensive|electronic|literature|database|bibliographic)\s+"
                                 r"(?:literature\s+|database\s+)?(?:searche?s?|survey)\s+(?:of|in|on|using|through|was|were)\b|"
                                 r"\bsearch(?:es)?\s+(?:\w+\s+){0,3}?(?:was|were)\s+(?:conducted|performed|carried\s+out|made|"
                                 r"done|undertaken|run)\s+(?:in|on|using|through|of)\b|\bdatabases\s*\([^()]{3,300}\)\s*(?:were|was)\s+"
                                 r"(?:systematically\s+)?searched\b|\bsearched\s+(?:the\s+)?(?:[\w-]+\s*,?\s+(?:and\s+)?){0,4}?"
                                 r"(?:SciELO|LILACS|Google\s+Scholar|ScienceDirect|Science\s+Direct)\b", re.I)),
    # (the studies a review counts, the noun first: a number is asked of the words before it, in _text_type)
    ("review_count", re.compile(r"\b(?:trials|studies|articles|RCTs|papers|publications)\s+(?:\([^()]{0,60}\)\s+)?"
                                r"(?:[\w,-]+\s+){0,4}?(?:were|was|met|fulfilled)\s+(?:the\s+)?(?:included|eligible|selected|"
                                r"identified|retrieved|(?:inclusion|eligibility|selection)\s+criteria)\b|\bwe\s+identified\s+"
                                r"\w+\s+(?:(?:relevant|eligible|randomi[sz]ed|controlled|clinical|observational|original)\s+){0,2}"
                                r"(?:studies|trials|articles|reports|publications|papers|RCTs)\b", re.I)),
    # a title that names a review: "... : a review of ...", "Current concepts in ...", "Recent advances in ...",
    # "... : an update", "Past, present and future" (read in the title only)
    # ("review of the PURSUIT study", ": update of study BIG 1-98": one study read again, no review)
    ("review_title", re.compile(r"\b(?:(?:an?\s+)?(?:review|overview|primer)\s+of|(?:an?\s+)?(?:review|overview|update|primer)"
                                r"\s+on)\b(?!\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,5}?(?:study|trial)\b)|:\s*(?:an?\s+)?(?:review|"
                                r"overview|perspective|primer)\b(?!\s+of\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,5}?(?:study|trial)\b)|"
                                r":\s*an?\s+update\s*$|^\s*(?:current\s+concepts|recent\s+(?:advances|"
                                r"developments|progress|insights)|advances|new\s+insights|an?\s+update)\b|\bpast,?\s+present,?"
                                r"\s+and\s+future\b", re.I)),
    ("protocol", re.compile(r"\bstudy\s+protocol\b|\bprotocol\s+(?:for|of)\s+(?:a|an)\b|\btrial\s+protocol\b|\bthis\s+protocol\b", re.I)),
    # a case report tells one person's course: "We report a case ...", or opens with the person ("A 67-year-old
    # man with ... received ...")
    ("case_report", re.compile(r"\bcase\s+report\b|\bwe\s+(?:report|describe|present)\s+(?:a|the|an)\s+"
                               r"(?:\d+[\s-]year[\s-]old|case|patient|woman|man)\b|"
                               r"^\s*(?:(?:case(?:\s+(?:report|presentation|description))?|patient)\s*:\s*)?(?:A|An)\s+"
                               r"(?:\d+|[a-z]+(?:-[a-z]+)?)[\s-]+year[\s-]+old\s+(?:\w+\s+){0,2}?(?:man|woman|male|female|"
                               r"boy|girl|patient|lady|gentleman)\b", re.I | re.M)),
    # one person's course in more of the field's words (session 22): "We herein report a patient", "This report
    # describes a woman", "The patient was a 41-year-old woman", a sentence that opens with the person ("... . A
    # 41-year-old woman presented"), a title's "A case of", "report of a case", "in a patient with" (not asked of a
    # randomised record: a trial's adverse event may be told of one person)
    ("case_said", re.compile(r"\bwe\s+(?:herein|here|hereby|now)\s+(?:report|describe|present)\s+(?:on\s+)?(?:a|an|the|one)\s+"
                             r"(?:[\w-]+\s+){0,3}?(?:case|patient|woman|man|girl|boy|child|infant)\b|"
                             r"\b(?:this|the\s+present)\s+(?:report|paper|article|communication)\s+(?:describes|presents|"
                             r"reports)\s+(?:a|an|the|one)\s+(?:[\w-]+\s+){0,2}?(?:case|patient|woman|man|girl|boy|child|"
                             r"infant)\b|\b(?:the|our|this|index)\s+patient\s*,?\s+(?:(?:was|is)\s+)?an?\s+(?:\d+|[a-z]+(?:-[a-z]+)?)"
                             r"[\s-]+(?:year|month)[\s-]+old\b|^\s*(?:an?\s+)?(?:unusual\s+|rare\s+)?case\s+of\b", re.I | re.M)),
    # (a sentence that opens with the person: the capital "A" read as such, the rest in any case)
    ("case_opening", re.compile(r"(?<=[.:]\s)(?:A|An)\s+(?i:(?:\d+|[a-z]+(?:-[a-z]+)?)[\s-]+(?:year|month)[\s-]+old\s+"
                                r"(?:\w+\s+){0,2}?(?:man|woman|male|female|boy|girl|patient|lady|gentleman|child|infant))\b")),
    # (read in the title only: "A case of ...", "report of a case", ": a case", "in a patient with ...")
    ("case_title", re.compile(r"^\s*(?:an?\s+)?(?:unusual\s+|rare\s+)?case\s+of\b|\breport\s+of\s+(?:a|an|one|two|three)\s+"
                              r"(?:\w+\s+)?cases?\b|:\s*(?:a|one)\s+case\s*\.?$|\bin\s+an?\s+(?:(?:\d+|[a-z]+(?:-[a-z]+)?)[\s-]+"
                              r"year[\s-]+old\s+)?(?:patient|woman|man|girl|boy|child|infant)\s+(?:with|who|after|receiving|"
                              r"treated|undergoing)\b", re.I)),
    # a case series is filed as a case report: people described, not a trial ("We describe five patients ...")
    ("case_series", re.compile(r"\b(?:this|our|present)\s+case\s+series\b|\bcase\s+series\s+of\s+\d|\bwe\s+(?:report|"
                               r"describe|present)\s+(?:\w+\s+)?(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                               r"twelve)\s+(?:patients|cases|women|men|children|adults)\b", re.I)),
    ("case_control", re.compile(r"\bcase[\s-]+control\b", re.I)),
    ("cross_sectional", re.compile(r"\bcross[\s-]+sectional\b", re.I)),
    ("cohort", re.compile(r"\bcohort\s+study\b|\bprospective(?:ly)?\s+followed\b|\blongitudinal\s+study\b", re.I)),
    # a review said by what it does: "We reviewed 15 trials", "This article summarizes the evidence", "an overview"
    # a review said in the passive present: "the evidence for magnesium is reviewed", "Recent studies are summarised"
    # (of what others found, not of this study's data: "Safety data are also summarized" is no review)
    ("review_passive", re.compile(r"\b(?:evidence|literature|studies|trials|findings|advances|developments|research|"
                                  r"reports|knowledge|concepts|data\s+from\s+(?:the\s+)?(?:literature|studies|trials))\b"
                                  r"[^.;:]{0,90}?\b(?:are|is)\s+(?:briefly\s+|critically\s+|also\s+)?(?:reviewed|summari[sz]ed)\b",
                                  re.I)),
    ("review_said", re.compile(r"\b(?:this\s+(?:article|chapter|paper)|we)\s+(?:summari[sz]es?|discuss(?:es)?|reviewed)\s+"
                               r"(?:the\s+)?(?:[\w,]+\s+){0,3}?(?:evidence|literature|studies|trials|articles|reports|"
                               r"publications)\b|:\s*an?\s+overview\b|\boverview\s+of\s+(?:the\s+)?(?:current\s+|"
                               r"available\s+)?(?:evidence|literature|studies|trials|research\s+on)\b", re.I)),
    ("narrative_review", re.compile(r"\b(?:narrative|literature|integrative|critical|comprehensive|mini|bibliographic|"
                                    r"descriptive)[\s-]+(?:literature\s+)?review\b|\breview\s+article\b|\bevidence\s+synthesis\b|"
                                    r"\bwe\s+(?:will\s+|here\s+|briefly\s+|then\s+|also\s+|first\s+)review\b|"
                                    # an aim to review: "The aim of this study was to review the effects of ..."
                                    r"\b(?:aim|objective|purpose|goal)\s+of\s+(?:this|the\s+present)\s+(?:study|work|article|"
                                    r"paper)\s+(?:was|is)\s+to\s+(?:review|summari[sz]e|compile|gather)\b|\bthis\s+(?:review|chapter)\b|\bwe\s+review\b|"
                                    r"\bthis\s+(?:activity|article|chapter|paper)\s+(?:\w+ly\s+)?reviews\b|"
                                    # an article that says what it gives (session 23): "The present article gives a brief
                                    # view of", "Here, we provide an update of" (not an article's aim: "The objective of
                                    # this article is to address the effectiveness of" opens a trial)
                                    r"\b(?:this|the\s+present)\s+(?:article|paper|chapter)\s+(?:gives|provides|presents|"
                                    r"offers)\s+an?\s+(?:\w+\s+)?(?:view|overview|update|summary|account)\s+of\b|"
                                    r"\b(?:here,?\s+)?we\s+(?:provide|give|present|offer)\s+an?\s+(?:\w+\s+)?(?:overview|update|"
                                    r"summary)\s+(?:of|on)\b|\breviews?\s+the\s+"
                                    r"(?:evidence|literature)\b|\breview\s+of\s+the\s+literature\b", re.I)),
]
# The kinds a text cue may name only when it speaks of the record itself: in the title, or in a
# sentence that says "this", "we", "our" or "present" ("A recent meta-analysis found ..." is background).
SELF_TYPES = {"meta_analysis", "systematic_review", "protocol", "narrative_review", "cohort", "review_said"}
SELF_REFERENCE = re.compile(r"\b(?:this|we|our|present|here)\b", re.I)
# "Heterogeneity precluded any meta-analyses", "no meta-analysis was possible": a review without one.
NEGATED_META = re.compile(r"\b(?:no|not|precluded?\w*|without|impossible|could\s+not)\b[^.]{0,40}meta-?analys|"
                          r"meta-?analys[ie]s\s+(?:was|were|could)\s+not\b", re.I)
PUBLICATION_TYPES = {
    "meta-analysis": "meta_analysis", "network meta-analysis": "meta_analysis", "systematic review": "systematic_review",
    "scoping review": "systematic_review",
    "clinical trial protocol": "protocol", "case reports": "case_report", "review": "narrative_review",
    "randomized controlled trial": "rct", "equivalence trial": "rct", "controlled clinical trial": "non_randomized_trial",
    "clinical trial, phase i": "non_randomized_trial", "clinical trial, phase ii": "non_randomized_trial",
    "clinical trial, phase iii": "non_randomized_trial", "clinical trial, phase iv": "non_randomized_trial",
    "clinical trial": "non_randomized_trial", "pragmatic clinical trial": "non_randomized_trial",
    "observational study": "cohort",
}
# MeSH publication-type-like headings that name the design of the record itself, most specific
# first: NLM adds "Prospective Studies" and "Follow-Up Studies" to trials and case-control studies
# alike, so they name a cohort only when nothing more specific does.
MESH_TYPES = {"case-control studies": "case_control", "cross-sectional studies": "cross_sectional",
              "cohort studies": "cohort", "retrospective studies": "cohort", "longitudinal studies": "cohort",
              "prospective studies": "cohort"}
# Publication types of veterinary studies (PubMed 2016-): animals, never human trials.
VETERINARY_TYPES = {"randomized controlled trial, veterinary", "clinical trial, veterinary",
                    "observational study, veterinary"}
VETERINARY = re.compile(r"\b(?:Randomized Controlled Trial|Clinical Trial|Observational Study), Veterinary\b")
# MeSH check tags NLM indexers add for how a study was run: read when the text says nothing of it.
MESH_CUES = {"random allocation": "randomized", "double-blind method": "double", "single-blind method": "single",
             "cross-over studies": "crossover", "placebos": "placebo", "pilot projects": "pilot"}
REVIEW_TYPES = {"meta_analysis", "systematic_review", "narrative_review"}
TRIAL_WORDS = re.compile(r"\b(?:trial|treated|treatment\s+groups?|supplementation|received|took|were\s+given|"
                         r"assigned|allocated|to\s+receive|intervention|spray|sprayed|applied|feasibility\s+study|groups?\s+of\s+\d+|"
                         r"administered|doses?\s+of|infusions?\s+of|injections?\s+of)\b", re.I)
# Animal and laboratory studies: never human trials, whatever they give.
ANIMAL_WORDS = re.compile(r"\b(?:rats?|mice|mouse|murine|rodents?|rabbits?|guinea\s+pigs?|piglets?|hamsters?|"
                          r"dogs|primates|animals|animal\s+(?:model|study|experiments?))\b", re.I)
# A laboratory strain names animals on its own: "Sprague-Dawley rats", "Wistar", "C57BL/6 mice".
ANIMAL_STRAIN = re.compile(r"\b(?:Sprague[\s-]+Dawley|Wistar|Long[\s-]+Evans|C57BL|BALB/c|Swiss\s+albino|"
                           r"New\s+Zealand\s+(?:white\s+)?rabbits?)\b", re.I)
ANIMAL_MESH = re.compile(r"\bAnimals\b")
ANIMAL_NEEDLES = ("rats", " rat ", " rat,", "mice", "mouse", "murine", "rodent", "rabbit", "guinea pig", "piglet",
                  "hamster", "dogs", "primates", "animals", "animal model", "animal stud", "animal experiment")
STRAIN_NEEDLES = ("sprague", "wistar", "long evans", "long-evans", "c57bl", "balb/c", "swiss albino", "new zealand")
# The procedures of animal pain models, which name no species: "formalin-induced nociception", "flinching", "hind paw
# withdrawal", "tail-flick", "writhing", "intraplantar carrageenan", "chronic constriction injury", "spinal nerve ligation".
ANIMAL_PROCEDURE = re.compile(r"\b(?:formalin[\s-]+(?:test|induced|injection)|flinch(?:es|ing)|(?:hind[\s-]?)?paws?|"
                              r"tail[\s-]+flick|writhing|intraplantar|carrageenan|chronic\s+constriction\s+injury|"
                              r"spinal\s+nerve\s+ligation)\b", re.I)
PROCEDURE_NEEDLES = ("formalin", "flinch", "paw", "tail", "writhing", "intraplantar", "carrageenan", "constriction injury",
                     "nerve ligation")
# People named in any sentence (background too), for a record that names an animal once: "preobese subjects".
HUMAN_MORE = re.compile(r"\b(?:subjects|individuals|persons|people|outpatients|inpatients|infants|neonates|elderly|"
                        r"students|athletes|smokers|pregnant|patients?|women|men|volunteers|participants|adults|children|"
                        r"humans?)\b")
# What others found before: "have demonstrated", "has been shown", "previous studies".
EARLIER_WORK = re.compile(r"\b(?:have|has)\s+(?:been\s+)?[a-z]+(?:ed|wn)\b|\bprevious(?:ly)?\b|\bearlier\b|\bpreclinical\b",
                          re.I)
IN_VITRO_WORDS = re.compile(r"\bin\s+vitro\b|\bcell\s+cultures?\b|\bcultured\s+(?:[\w-]+\s+){0,3}?(?:cells|neurons|"
                            r"myocytes|fibroblasts|tissue|slices)\b|\bcell\s+lines?\b|\b(?:brain|spinal(?:\s+cord)?)\s+"
                            r"slices\b|\bpatch[\s-]+clamp\b", re.I)
HUMAN_WORDS = re.compile(r"\b(?:patients?|women|men|volunteers|participants|subjects\s+with|adults|children|humans)\b", re.I)
# A registry record (ClinicalTrials.gov and its like) names its own fields.
REGISTRY_FIELDS = re.compile(r"\b(?:Study\s+Type|(?:Estimated|Actual)\s+Enrollment|Allocation|Intervention\s+Model|"
                             r"Masking|Primary\s+Purpose|Primary\s+Outcome\s+Measures?|Secondary\s+Outcome\s+Measures?|"
                             r"Eligibility\s+Criteria|Study\s+Start|Brief\s+Summary|Recruitment\s+Status)\s*:", re.I)
REGISTRY_NEEDLES = ("study type", "enrollment", "allocation", "intervention model", "masking", "primary purpose",
                    "outcome measure", "eligibility criteria", "study start", "brief summary", "recruitment status")
# A planned trial told in the future tense: "patients will be randomized".
# (and what the people will do or have done to them: "Participants will take four tablets a day", "Pain will be assessed
# every two weeks"; session 22)
WILL_BE = re.compile(r"\bwill\s+(?:be\s+(?:randomly\s+)?(?:randomi[sz]ed|enrolled|recruited|assigned|allocated|included|given|"
                     r"treated|assessed|measured|evaluated|compared|followed|asked|instructed|monitored|collected|screened)|"
                     r"(?:recruit|enrol+|randomi[sz]e|include)\s+\d|(?:receive|take|undergo|complete)\b)", re.I)
PLANNED_ALLOCATION = re.compile(r"randomi[sz]ed|enrolled|recruited|assigned|allocated|(?:recruit|enrol+|randomi[sz]e)\s+\d",
                                re.I)
# A registry summary's plan for itself: "This study will test ...", "The proposed trial will compare ..." (one is enough).
PLANNED_STUDY = re.compile(r"\b(?:this|the\s+(?:present|proposed|current|planned))\s+(?:(?:pilot|randomi[sz]ed|clinical)\s+)?"
                           r"(?:study|trial|project|protocol)\s+will\s+(?:test|evaluate|assess|determine|compare|examine|"
                           r"investigate|enrol+|recruit|randomi[sz]e|include|measure|explore)\b", re.I)


CUE_NEEDLES = {"randomized": ("random",), "not_randomized": ("nonrandom", "non-random", "not random"),
               "double": ("blind", "mask", "neither"), "single": ("single",),
               "open": ("open", "unblind", "no placebo", "uncontrolled"), "placebo": ("placebo", "sham", "look-alike"),
               "no_placebo": ("no placebo", "without placebo", "without a placebo"), "crossover": ("cross",), "pilot": ("pilot", "feasib"),
               "parallel": ("parallel",)}
DESIGN_CUES["open"] = re.compile(r"\bopen[\s-]+label\w*|\bunblinded\b|\bopen\s+(?:\w+\s+){0,3}?(?:study|trial)\b|"
                                 r"\bno\s+placebo\s+group\b|\buncontrolled\b", re.I)
DESIGN_CUES["parallel"] = re.compile(r"\bparallel[\s-]+(?:groups?|arms?|design)\b", re.I)
TYPE_NEEDLES = {"meta_analysis": ("meta", "quantitative"), "systematic_review": ("systematic", "prospero", "searched",
                                                                                  "scoping", "umbrella"),
                "protocol": ("protocol",), "case_report": ("case", "we report", "we describe", "we present", "year-old",
                                                           "year old"),
                "case_said": ("we here", "we now", "report describes", "report presents", "report reports",
                              "paper describes", "paper presents", "article describes", "article presents",
                              "communication", "patient was", "patient is", "patient, a", "case of"),
                "case_opening": ("year-old", "year old", "month-old", "month old"),
                "case_title": ("case", "patient", "woman", "man ", "girl", "boy", "child", "infant"),
                "case_control": ("case",), "cross_sectional": ("sectional",),
                "cohort": ("cohort", "prospective", "longitudinal"),
                "narrative_review": ("review", "chapter", "summari", "compile", "gather", "view of", "update", "overview",
                                     "account of"), "case_series": ("case series", "we report", "we describe",
                                                                           "we present"),
                "review_said": ("summari", "overview", "we discuss", "discusses", "we reviewed"),
                "review_search": ("search", "survey"),
                "review_count": ("trials", "studies", "articles", "rcts", "papers", "publications"),
                "meta_done": ("meta", "pooled"),
                "review_title": ("review", "overview", "update", "primer", "perspective", "concepts", "advances",
                                 "developments", "progress", "insights", "present"), "review_passive": ("reviewed", "summari"),
                "non_randomized": ("quasi", "nonrandomi", "non-randomi", "before-after", "before and after",
                                   "before-and-after", "sequential", "historical", "pre-test", "pretest", "pre-post",
                                   "prepost"),
                "single_arm": ("one group", "one-group", "single group", "single-group", "one arm", "one-arm",
                               "single arm", "single-arm", "posttest", "post-test", "uncontrolled"),
                "cohort_said": ("prospectively",)}
# Trials and cohorts named by their design, asked only of a record no other signal has typed (each asked in turn,
# the first found wins).
TRIAL_TEXT_TYPES = [
    # a trial without randomisation said by its design's name: "a quasi-experimental study", "a non-randomised
    # controlled trial", "a controlled before-and-after study", "sequential cohorts", "historical controls"
    # (and "a non-randomised-controlled trial", "a prospective, non-randomized, comparative clinical study"; session 23)
    ("non_randomized", re.compile(r"\bquasi[\s-]*experiment\w*|\bnon-?randomi[sz]ed[\s,-]+(?:\w+,?[\s-]+){0,2}?(?:trial|study|"
                                  r"design|comparison)\b|\bbefore[\s-]+(?:and[\s-]+)?after\s+(?!the\b)(?:\w+\s+)?(?:study|design|"
                                  r"trial|comparison)\b|\bsequential[\s-]+cohorts?\b|\bhistorical(?:ly)?\s+controls?\b|"
                                  r"\b(?:controlled|comparative)\s+(?:\w+\s+)?(?:pre-?test|pre-?post)", re.I)),
    # one group treated and measured before and after: "a one-group pretest-posttest design", "a single-arm trial"
    ("single_arm", re.compile(r"\b(?:one|single)[\s-]+(?:group|arm)\s+(?:\w+\s+)?(?:pre-?test|pre-?post|before|trial|"
                              r"study|design|open)|\bpre-?test[\s/-]+post-?test\s+(?:\w+\s+)?(?:study|design)\b|"
                              r"\buncontrolled\s+(?:\w+\s+)?(?:trial|study)\b", re.I)),
    # people followed from a start: "30 patients ... were prospectively evaluated before and after chemotherapy"
    ("cohort_said", re.compile(r"\b(?:were|was)\s+prospectively\s+(?:followed|evaluated|observed|monitored)\b", re.I)),
]
# Kinds found by a second pattern, filed under the schema's name.
TEXT_TYPE_NAMES = {"case_series": "case_report", "case_said": "case_report", "case_opening": "case_report",
                   "case_title": "case_report", "review_said": "narrative_review", "review_search": "systematic_review", "review_count": "systematic_review",
                   "meta_done": "meta_analysis", "review_passive": "narrative_review",
                   "review_title": "narrative_review", "non_randomized": "non_randomized_trial",
                   "single_arm": "single_arm_trial", "cohort_said": "cohort"}


def subjects(doc: Document) -> str | None:
    """"animal" or "in_vitro" when the record studies animals or cells, else None (humans or unsaid).

    Reads MeSH (Animals without Humans) and the text: animal words twice or in the title, with no
    human subjects named outside background sentences."""
    mesh = {m.lower() for m in doc.mesh}
    if "animals" in mesh and "humans" not in mesh or any(p.lower() in VETERINARY_TYPES for p in doc.publication_types):
        return "animal"
    lowered = _lower_text(doc)
    if "in vitro" in lowered or "cultur" in lowered or "cell line" in lowered or "slices" in lowered or "clamp" in lowered:
        in_vitro = _said(doc, _find(doc, IN_VITRO_WORDS))
        # people named only as the source of the cells ("fibroblasts from 10 patients were cultured") are no subjects
        lab = {_sentence_key(doc, f) for f in in_vitro}
        if in_vitro and not [h for h in _said(doc, _find(doc, HUMAN_WORDS)) if _sentence_key(doc, h) not in lab]:
            return "in_vitro"
    animal = _said(doc, _find_if(doc, ANIMAL_WORDS, ANIMAL_NEEDLES))
    if len(animal) < 2 and (LIVESTOCK.search(doc.fields.get("title", "")) or "ANIMALS:" in doc.fields.get("abstract", "")
                       or "patient" not in lowered and LIVESTOCK_NEEDLE.search(lowered) is not None):
        # farm animals, named where veterinary studies name them (the title: "... in dairy cows"), under an
        # "ANIMALS:" heading, or in the study's own sentences (twice, below: "12 dairy cows ...", "the cows received";
        # a text that names patients is read no further: human words would rule the animals out below)
        animal = animal + _said(doc, _find(doc, LIVESTOCK))  # ("the animals" once, "sheep" once: two mentions)
    if (not animal and "patient" not in lowered and any(word in lowered for word in PROCEDURE_NEEDLES)
            and HUMAN_MORE.search(lowered) is None):
        # an animal model named by its procedure alone, in a record that names no people ("formalin-induced
        # nociception", "phase 2 flinching", "paw withdrawal", "tail-flick latency"; session 22)
        animal = _said(doc, _find(doc, ANIMAL_PROCEDURE))
        return "animal" if animal else None
    if not animal:  # (the strain is asked only of a record that names animals)
        return None
    if _said(doc, _find(doc, HUMAN_WORDS)):
        return None
    strain = len(animal) == 1 and animal[0]["field"] != "title" and bool(_said(doc, _find_if(doc, ANIMAL_STRAIN,
                                                                                              STRAIN_NEEDLES)))
    if len(animal) > 1 or animal[0]["field"] == "title" or strain:
        return "animal"
    # One mention is enough in a study's own sentence of a record that names no people at all ("Male rats received
    # intrathecal MgSO4", "after fluid percussion injury in rats"; session 22), unless it tells what was found
    # before ("Investigations in mice have demonstrated ...").
    if HUMAN_MORE.search(_lower_text(doc)) is None and EARLIER_WORK.search(_sentence_of(doc, animal[0]).text) is None:
        return "animal"
    return None


def _sentence_key(doc: Document, item: dict) -> tuple | None:
    sentence = _sentence_of(doc, item)
    return (sentence.field, sentence.start) if sentence else None


def _text_type(doc: Document, randomized: bool = False) -> tuple[str | None, dict | None]:
    """The design the text names for itself, with its span: the first kind of TEXT_TYPES found (a
    record that says it randomised is no case series, so that kind is not asked of it)."""
    registry = _find_if(doc, REGISTRY_FIELDS, REGISTRY_NEEDLES) if ":" in _lower_text(doc) else []  # "Field:" needs one
    planned = _said(doc, _find_if(doc, WILL_BE, ("will ",)))
    if len(registry) >= 2 or len(planned) >= 2:
        return "protocol", (registry if len(registry) >= 2 else planned)[0]
    if planned and PLANNED_ALLOCATION.search(planned[0]["text"]):  # "Participants will be randomized to ...": once is
        return "protocol", planned[0]  # enough (a finished trial tells its allocation in the past)
    plan = _find_if(doc, PLANNED_STUDY, ("study will", "trial will", "project will", "protocol will")) if (
        " will " in _lower_text(doc)) else []
    if plan:
        return "protocol", plan[0]
    lowered = _lower_text(doc)
    for name, pattern in TEXT_TYPES:
        if randomized and name in ("case_series", "case_said", "case_opening", "case_title"):
            continue
        if name in TITLE_TYPES:  # (read in the title only, when it holds a needle)
            title = doc.fields.get("title", "").lower()
            if not any(needle in title for needle in TYPE_NEEDLES[name]):
                continue
            found = _find(doc, TITLE_PATTERNS[name], ["title"])
            if found:
                return TEXT_TYPE_NAMES.get(name, name), found[0]
            continue
        if name == "review_count":  # (a verb of selection said too, and a number before the studies)
            if not any(verb in lowered for verb in COUNT_VERBS):
                continue
            found = [f for f in _said(doc, _find_if(doc, pattern, TYPE_NEEDLES[name])) if _counted(doc, f)]
            if found:
                return TEXT_TYPE_NAMES[name], found[0]
            continue
        if name in SELF_TYPES:  # (a review naming itself may do so in a sentence that also speculates or tells
            # what is known: "we review the factors that might ...")
            found = _find_if(doc, pattern, TYPE_NEEDLES[name])
            found = found if name == "narrative_review" else _said(doc, found)  # ("This review gathers what is known")
            found = [f for f in found if f["field"] == "title" or SELF_REFERENCE.search(_sentence_of(doc, f).text)]
        else:
            found = _said(doc, _find_if(doc, pattern, TYPE_NEEDLES[name]))
        if name == "meta_analysis":
            found = [f for f in found if not NEGATED_META.search(_sentence_of(doc, f).text)]
        if found:
            return TEXT_TYPE_NAMES.get(name, name), found[0]
    return None, None


TITLE_TYPES = {"review_title", "case_title"}
# (searched as written: a title is short, and a look-ahead led on white space would only slow them)
TITLE_PATTERNS = {name: pattern for name, pattern in TEXT_TYPES if name in TITLE_TYPES}
COUNT_VERBS = ("included", "eligible", "selected", "identified", "retrieved", "criteria")
# A number before the studies counted: "Thirteen randomised controlled trials", "18 trials (1,120 patients)".
COUNT_BEFORE_STUDIES = re.compile(rf"(?:^|\s){lx.NUMBER}\s+(?:(?:randomi[sz]ed|controlled|clinical|relevant|eligible|"
                                  r"observational|original)\s+){0,3}$", re.I)


def _counted(doc: Document, item: dict) -> bool:
    """Whether the studies a span names are counted: a number right before them ("Thirteen randomised controlled
    trials were included") or after "we identified" ("We identified 14 eligible studies")."""
    if item["text"].lower().startswith("we"):
        return re.match(rf"we\s+identified\s+{lx.NUMBER}\s", item["text"], re.I) is not None
    before = doc.fields[item["field"]][max(0, item["start"] - 60):item["start"]]
    return COUNT_BEFORE_STUDIES.search(before) is not None


def _trial_text_type(doc: Document) -> tuple[str | None, dict | None]:
    """A trial or cohort the text names by its design ("a quasi-experimental study", "a one-group pretest-posttest
    design", "patients were prospectively followed"), with its span; (None, None) when none is said."""
    for name, pattern in TRIAL_TEXT_TYPES:
        found = _find_if(doc, pattern, TYPE_NEEDLES[name])
        # (a sentence read as background that names the record itself: "The present study was designed in
        # quasi-experiment", "The study is a quasi-experimental research"; session 23)
        found = [f for f in found if _said(doc, [f]) or STUDY_ITSELF.search(_sentence_of(doc, f).text)]
        if found:
            return TEXT_TYPE_NAMES[name], found[0]
    return None, None


SINGLE_ARM_NAMED = dict(TRIAL_TEXT_TYPES)["single_arm"]
# A sentence that speaks of the record itself: "this study", "the present study", "The study is ...", "we".
STUDY_ITSELF = re.compile(r"\b(?:this|the\s+present|the\s+current|our)\s+(?:\w+\s+)?(?:study|trial|research|work)\b|"
                          r"^\s*(?:the\s+)?(?:study|trial)\s+(?:is|was)\b|\bwe\b", re.I)


def design(doc: Document, arms: list[dict], population_: dict | None = None, levels: list[dict] | None = None) -> dict:
    """The record's design from every signal together, each value with its evidence.

    Reads: publication types and MeSH (``doc``), design words in the text (only in sentences of
    the study's own, never a wish or background), the arms found and, for a study with no arm,
    whether it compares magnesium levels with controls. Returns the schema's ``design`` object
    plus ``subjects`` ("animal", "in_vitro" or None) and where the type came from.

    Order of trust: a review, protocol or case report named by the text or PubMed; animals or
    cells; case-control or cross-sectional named; then the shape of a trial (randomised; double
    blind against placebo with two arms or more, read as an RCT as PubMed indexes such trials;
    treated arms); a comparison of levels with controls and no arm is case-control; else PubMed's
    type, else "unknown"."""
    cues = {name: _said(doc, _find_if(doc, pattern, CUE_NEEDLES[name])) for name, pattern in DESIGN_CUES.items()}
    evidence: list[dict] = []
    run_in = _run_in(doc, cues) if cues["placebo"] else []  # a placebo given before randomisation only
    if cues["open"] and (cues["double"] or cues["single"] or cues["placebo"]) and (
            "extension" in _lower_text(doc) or "continuation" in _lower_text(doc)):
        _extension(doc, cues)  # an open-label extension of a blinded trial: its parent trial's blinding is not its own
    pt_type = next((PUBLICATION_TYPES[p.lower()] for p in _pt_priority(doc.publication_types)), None)
    mesh_said = {m.lower() for m in doc.mesh}
    mesh_name = next((name for name in MESH_TYPES if name in mesh_said), None)  # the most specific
    mesh_type = MESH_TYPES[mesh_name] if mesh_name else None
    if mesh_said:
        _mesh_cues(doc, mesh_said, cues)
    text_type, type_span = _text_type(doc, bool(cues["randomized"]))
    kind = subjects(doc)
    source = "text" if text_type else None
    type_ = None
    if text_type in REVIEW_TYPES | {"protocol", "case_report"}:
        type_ = text_type
    elif pt_type in REVIEW_TYPES | {"protocol", "case_report"} and doc.source != "fmnetwork":
        type_, source = pt_type, "publication_type"
        type_span = _find(doc, re.compile(re.escape(_pt_priority(doc.publication_types)[0]), re.I), ["publication_types"])[:1]
        type_span = type_span[0] if type_span else None
    review = type_ in REVIEW_TYPES
    randomized = None
    if not review:
        if cues["not_randomized"]:
            randomized, evidence = False, evidence + cues["not_randomized"][:1]
        elif cues["randomized"]:
            randomized, evidence = True, evidence + cues["randomized"][:1]
        elif pt_type == "rct":
            randomized = True
            evidence += _find(doc, re.compile(r"Randomized Controlled Trial"), ["publication_types"])[:1]
    blinding = None
    for level in ("double", "single", "open") if not review else ():
        if cues[level]:
            blinding, evidence = level, evidence + cues[level][:1]
            break
    placebo = None
    if not review and cues["no_placebo"]:
        placebo, evidence = False, evidence + cues["no_placebo"][:1]
    elif not review and cues["placebo"]:
        placebo, evidence = True, evidence + cues["placebo"][:1]
    if not review and placebo is None and run_in:  # "After a placebo run-in, patients were randomised to A or B"
        placebo, evidence = False, evidence + run_in[:1]
    if not review and placebo is None:  # an inert comparator said as such: "or the same volume of saline"
        inert = next((i for a in arms if a.get("is_control") for i in a["interventions"]
                      if i["name"] in ("placebo", "saline")), None)
        if inert is not None:
            placebo, evidence = True, evidence + inert["evidence"][:1]
    if placebo is None and not review and not kind:
        placebo, evidence = _no_placebo(doc, arms, blinding, bool(randomized), evidence)
    if (kind and not (kind == "animal" and placebo and _placebo_word(cues["placebo"]))
            or text_type == "case_report" or pt_type == "case_report"):
        placebo = None  # a vehicle-treated animal or one patient is no placebo-controlled comparison
        # (but "dogs were randomized to receive oral placebo or gabapentin": a veterinary trial's placebo, said so)
    crossover = None
    if not review and cues["crossover"]:
        crossover = True
    elif not review and cues["parallel"]:
        crossover = False  # "two parallel groups" says it is not a crossover
        evidence += cues["parallel"][:1]
    pilot = True if cues["pilot"] else None
    for name in ("crossover", "pilot"):
        evidence += cues[name][:1] if not review or name == "pilot" else []

    treated_arms = [a for a in arms if not a.get("is_control")]
    controls = bool(population_ and population_.get("n_controls")) or bool(levels and any(
        lv.get("fm_vs_controls") for lv in levels))
    if type_ is None and kind:
        type_, source = "other", "text"
        type_span = (_find(doc, ANIMAL_MESH, ["mesh"]) or _find(doc, ANIMAL_WORDS) or _find(doc, IN_VITRO_WORDS)
                     or _find(doc, VETERINARY, ["publication_types"]) or _find(doc, LIVESTOCK) or _find(doc, ANIMAL_PROCEDURE)
                     or [None])[0]
    if type_ is None and doc.source == "fmnetwork" and text_type is None:
        type_, type_span, source = "news", span(doc, "title", 0, len(doc.fields["title"])), "source"
    if type_ is None and text_type in ("case_control", "cross_sectional") and not (randomized and treated_arms):
        type_ = text_type
    retrospective = ([] if type_ or randomized or "random" in _lower_text(doc) else
                     _said(doc, _find_if(doc, RETROSPECTIVE, RETROSPECTIVE_NEEDLES)))
    if type_ is None and not retrospective and "retrospective" in _lower_text(doc):
        # "We retrospectively assessed ... patients of a randomised trial": an analysis after the fact of a
        # trial's records is no trial itself
        retrospective = _said(doc, _find(doc, RETROSPECTIVE_ANALYSIS))
    if type_ is None and not retrospective and "observational" in _lower_text(doc):
        # "an observational substudy of an open-label randomised trial": an analysis of a trial's people, no trial
        retrospective = _said(doc, _find(doc, OBSERVATIONAL_ANALYSIS))
    if type_ is None and retrospective:  # records read after the fact: no trial, whatever was given
        type_, type_span, source = "cohort", retrospective[0], "text"
    if type_ is None and randomized and (cues["randomized"] or pt_type == "rct"):
        type_, source = "rct", source or ("text" if cues["randomized"] else "publication_type")
    parallel_blind = bool(cues["parallel"]) and blinding in ("double", "single")  # "a double-blind parallel group study"
    if (type_ is None and treated_arms and blinding in ("double", "single") and (placebo or parallel_blind)
            and (len(arms) > 1 or cues["crossover"]) and not PARTIAL_BLINDING.search(_lower_text(doc))):
        # a blinded comparison with placebo, or of parallel groups (a crossover's placebo period may be no arm found:
        # "a double-blind, placebo-controlled crossover trial, 23 children were treated with a single dose of X")
        type_, source = "rct", "text"
    if (type_ is None and treated_arms and not randomized and not placebo and (population_ or {}).get("n_controls")
            and not any(a.get("is_control") for a in arms) and ("load" in _lower_text(doc) or "test" in _lower_text(doc))):
        load = _said(doc, _find(doc, DIAGNOSTIC_LOAD)) if type_ is None and treated_arms else []
        if load:  # patients and healthy controls given one diagnostic load ("an oral load of 3000 mg"): a level study
            type_, type_span, source = "case_control", load[0], "text"
    if type_ is None and treated_arms and cues["crossover"]:
        # a crossover compares treatments in the same people: a controlled trial, never one arm, even when it does
        # not say it randomised the order ("a prospective crossover study", "a placebo-controlled, cross-over design";
        # session 23)
        type_, type_span, source = "non_randomized_trial", cues["crossover"][0], "text"
    if type_ is None and treated_arms and _find(doc, TRIAL_WORDS):
        type_ = "non_randomized_trial" if len(arms) > 1 and any(a.get("is_control") for a in arms) or len(
            treated_arms) > 1 and not _single_group(doc) else "single_arm_trial"
        type_span, source = _find(doc, TRIAL_WORDS)[0], "text"
        if type_ == "single_arm_trial" and (cues["not_randomized"] or "quasi" in _lower_text(doc)) and (
                named := _trial_text_type(doc))[0] == "non_randomized_trial" and not _find_if(
                doc, SINGLE_ARM_NAMED, TYPE_NEEDLES["single_arm"]):
            # "a prospective non-randomized controlled study", "a quasi-experimental study" of one arm found: its
            # name wins over the count of arms found (not "a quasi-experimental one-group design"; session 23)
            type_, type_span = named
    if type_ is None and text_type:
        type_ = text_type
    if type_ is None and not treated_arms and (levels or controls):
        # (controls counted, or named: "patients (n = 35) and a control group (n = 30)")
        type_ = "case_control" if controls or _compared(doc, population_) else "cross_sectional"
        source = "text"
        type_span = ((population_ or {}).get("evidence") or [e for lv in levels or [] for e in lv["evidence"]]
                     or [None])[0]
    if type_ is None and not treated_arms and (cues["crossover"] or cues["placebo"] and not cues["no_placebo"]
                                               or parallel_blind) and not kind:
        # "a placebo-controlled crossover design in volunteers", "sham stimulation": a controlled trial said in
        # the study's own words, though its treatment is no arm we know (a device, a stimulation, a provocation);
        # blinded against placebo it is read as randomised, as above
        type_ = "rct" if (placebo or parallel_blind) and blinding in ("double", "single") else "non_randomized_trial"
        type_span, source = (cues["crossover"] or cues["placebo"] or cues["parallel"])[0], "text"
    if type_ is None and (named := _trial_text_type(doc))[0]:  # (asked only now: most records have a type before)
        type_, type_span, source = *named, "text"
    if type_ is None and not treated_arms and not kind and (programme := _programme(doc)) is not None:
        # "17 subjects (10 snowshoers and 7 runners) participated in a six-week conditioning program": a trial of
        # a programme that is no arm we know (training, education, rehabilitation); two groups make it controlled
        type_, type_span, source = *programme, "text"
    if (type_ is None and not treated_arms and not mesh_type and not randomized and not placebo and blinding is None
            and not any(word in _lower_text(doc) for word in OBSERVED_TRIAL_NEEDLES)
            and not _random_treatment(_lower_text(doc))):  # nothing given, no trial's words
        type_, found = _observational(doc, population_)
        type_span, source = (found, "text") if type_ else (type_span, source)
    if type_ is None and (mesh_type or pt_type):
        type_, source = (mesh_type or pt_type), ("mesh" if mesh_type else "publication_type")
        said = _find(doc, re.compile(re.escape(mesh_name or ""), re.I), ["mesh"]) if mesh_type else []
        type_span = said[0] if said else type_span
    if type_span:
        evidence.append(type_span)
    result = {
        "type": type_ or "unknown",
        "randomized": randomized,
        "blinding": blinding,
        "placebo_controlled": placebo,
        "crossover": crossover,
        "pilot": pilot,
        "subjects": kind,
        "evidence": _dedupe(evidence),
        "type_source": source,
    }
    if pt_type and pt_type != result["type"] and result["type"] != "news":
        result["publication_type_says"] = pt_type  # the record keeps the disagreement
    return result


# A study of records read after the fact: "a retrospective review of the charts", "we retrospectively
# analysed", "medical records were reviewed".
RETROSPECTIVE = re.compile(r"\bretrospective(?:ly)?\b|\bchart\s+review\b|\breviewed\s+(?:the\s+)?(?:\w+\s+)?"
                           r"(?:records|charts|files)\b|\b(?:medical|clinical|hospital)\s+records?\s+"
                           r"(?:\w+\s+){0,3}?(?:were\s+|was\s+)?(?:reviewed|analy[sz]ed|searched|examined)\b", re.I)
RETROSPECTIVE_ANALYSIS = re.compile(r"\b(?:this|our)\s+(?:\w+\s+)?retrospective\s+(?:analysis|study|review|cohort)\b|"
                                    r"\ba\s+retrospective\s+(?:study|cohort|review)\b|\bwe\s+retrospectively\s+(?:analy[sz]ed|"
                                    r"assessed|reviewed|evaluated|examined|investigated|studied)\b|\bretrospectively\s+"
                                    r"(?:divided|grouped|classified)\b", re.I)
# An observational analysis of a trial's people: "An observational substudy of an open-label randomized trial".
OBSERVATIONAL_ANALYSIS = re.compile(r"\bobservational\s+(?:sub-?)?(?:study|studies|analys[ie]s|substudy)\s+"
                                    r"(?:(?:of|within|nested\s+in)\s+)(?:[\w-]+\s+){0,5}?(?:trials?|RCTs?)\b",
                                    re.I)
# Farm and other animals ANIMAL_WORDS leaves out, and a veterinary abstract's "ANIMALS:" heading.
LIVESTOCK = re.compile(r"\b(?:(?:dairy\s+)?cows|cattle|calves|heifers|bulls|pigs|swine|sows|sheep|ewes|lambs|goats|horses|"
                       r"ponies|cats|chickens|broilers|hens|poultry|monkeys|macaques|zebrafish)\b|\bANIMALS\s*:", re.I)
# One of these is in every (lower-case) text LIVESTOCK matches after a space: a cheaper test first.
# (Each after a space: "cats" alone is in "indicates", "sows" in "shows"; one search of the text, not 22.)
LIVESTOCK_NEEDLE = re.compile(r" (?:cows|cattle|calves|heifers|bulls|pigs|swine|sows|sheep|ewes|lambs|goats|horses|ponies|"
                              r"cats|chickens|broilers|hens|poultry|monkeys|macaques|zebrafish)")
RETROSPECTIVE_NEEDLES = ("retrospect", "chart review", "records", "charts", " files")
# The groups of an observational comparison: patients and healthy controls, volunteers, people
# without the condition ("40 women with fibromyalgia and 38 volunteers without pain").
COMPARISON_GROUP = re.compile(r"\b(?:healthy|control)\s+(?:\w+\s+)?(?:subjects|volunteers|individuals|persons|people|"
                              r"participants|women|men|children|adults|donors|controls|group)\b|\bcontrols\b|"
                              r"\b(?:volunteers|subjects|individuals|persons|people|women|men|participants)\s+without\b|"
                              r"\b(?:age|sex|gender)[\s-]+(?:and\s+(?:sex|gender|age)[\s-]+)?matched\s+(?:\w+\s+)?"
                              r"(?:subjects|volunteers|individuals|persons|people|women|men|controls)\b", re.I)
COMPARISON_NEEDLES = ("healthy", "control", "without", "matched")
# Something measured in a group of people, with no treatment: "we measured", "levels were determined".
MEASURED = re.compile(r"\bwe\s+(?:measured|determined|quantified|assayed)\b|\b(?:levels?|concentrations?|status)\s+"
                      r"(?:of\s+[\w-]+\s+)?(?:\w+\s+)?(?:were|was)\s+(?:measured|determined|assessed|assayed|quantified)\b|"
                      r"\bwere\s+(?:measured|determined|assayed)\s+in\s+\d+|"
                      # findings of a test or an image compared between groups: "MRI findings were assessed among the
                      # three groups", "radiographic features were compared"
                      r"\b(?:findings|features|abnormalities|characteristics)\s+(?:\w+\s+){0,2}?(?:were|was)\s+"
                      r"(?:assessed|compared|evaluated|examined|analy[sz]ed|recorded|reviewed)\b", re.I)
# A cohort named as one ("a prospective cohort of 2,100 women"), not a dose cohort of a trial.
COHORT = re.compile(r"\b(?:prospective|population[\s-]+based|community[\s-]+based|longitudinal|birth|retrospective)\s+"
                    r"cohorts?\b|\bcohort\s+of\s+[\d,]{3,}", re.I)
MEASURED_NEEDLES = ("measured", "determined", "quantified", "assayed", "assessed", "compared", "evaluated", "examined",
                    "analy", "recorded", "reviewed")
# Words of an inert comparator beside "placebo" and "sham": "an identical-looking inactive tablet",
# "vehicle cream", "dummy tablets" (a double-dummy design alone compares two active drugs).
INERT_COMPARATOR = re.compile(r"\b(?:inactive|inert|dummy|sugar)\s+(?:\w+\s+)?(?:tablets?|capsules?|pills?|"
                              r"preparations?|substances?|creams?|sprays?|solutions?|treatments?)\b|"
                              r"\bvehicle[\s-]+(?:cream|gel|ointment|spray|solution|only|alone|control\w*)\b|"
                              # saline as the comparator: "ketamine or saline", "compared with saline", "the saline group"
                              # (not a fluid compared as such: "glucose 5% or saline 0.9% irrigating solution")
                              r"\b(?:or|versus|vs\.?|compared\s+(?:with|to)|than)\s+(?:with\s+)?(?:(?:normal|physiological|"
                              r"isotonic)\s+)?saline\b(?!\s*\d|\s+(?:solution\s+)?(?:containing|with|plus|and)\b)", re.I)
# Every word an abstract of a placebo-controlled trial names its comparator by (background sentences included).
# (as words, and the words that name other things too only when they name a comparator: "identical tablets", "inactive
# capsules", "vehicle cream"; not "results were identical", "physically inactive adults", "motor vehicle", "simulated
# keratometry"; session 23)
INERT_WORD = re.compile(r"\b(?:placebos?|sham|dummy|inert|saline|look-alike|sugar\s+pills?|mock)\b|\b(?:identical(?:-looking)?|"
                        r"inactive|matching|vehicle)[\s(-]+(?:\w+\s+)?(?:tablets?|capsules?|pills?|injections?|infusions?|"
                        r"solutions?|syringes?|creams?|gels?|ointments?|sprays?|treatments?|therap(?:y|ies)|devices?|"
                        r"stimulation|preparations?|control\w*|only|alone|appearing|appearance)\b")
INERT_NEEDLES = ("inactive", "inert", "dummy", "sugar", "vehicle", "saline")


# Words of a trial anywhere in a record (background included): a study that has any of them and no
# arm found is left unknown rather than called observational.
TRIAL_NEEDLES = ("random", "placebo", "blind", "trial", "assigned", "allocat", "intervention", "training", "receiv",
                 "treated", "therap", "program", "administ", "supplement", "given")
# The same words but "random", asked apart: "words were randomly presented" or "a random sample" randomise no
# treatment, and a comparison of patients with healthy people stays observational.
OBSERVED_TRIAL_NEEDLES = tuple(word for word in TRIAL_NEEDLES if word != "random")
RANDOM_NOT_TREATMENT = re.compile(r"random(?:ly)?\s+(?:presented|selected|chosen|sampled|drawn|ordered|sample|samples|"
                                  r"selection|effects?|intercepts?)\b")


def _random_treatment(lowered: str) -> bool:
    """Whether a (lower-case) text says "random" of anything but stimuli shown or people sampled at random
    ("randomly presented", "a random sample", "random effects"): of a treatment's order or allocation."""
    said = lowered.count("random")
    return bool(said) and said > len(RANDOM_NOT_TREATMENT.findall(lowered))


def _mesh_cues(doc: Document, mesh: set[str], cues: dict[str, list[dict]]) -> None:
    """MeSH check tags (Random Allocation, Double-Blind Method, Cross-Over Studies, Placebos,
    Pilot Projects) fill a design cue the text leaves unsaid, with the heading as evidence."""
    for heading, name in MESH_CUES.items():
        if heading in mesh and not cues[name]:
            cues[name] = _find(doc, re.compile(re.escape(heading), re.I), ["mesh"])[:1]


def _no_placebo(doc: Document, arms: list[dict], blinding: str | None, randomized: bool,
                evidence: list[dict]) -> tuple[bool | None, list[dict]]:
    """Whether a human study with no placebo word is controlled by an inert comparator (True: "an
    identical inactive tablet", "vehicle cream"), or is a study the text shows is not
    placebo-controlled (False): an open-label or uncontrolled trial, a comparator that is another
    treatment, no treatment or usual care, or treated arms only. None when it cannot tell (no arm)."""
    tested = [a for a in arms if a["interventions"]]
    if not tested and blinding != "open" and "saline" in _lower_text(doc) and "saline" not in doc.fields.get(
            "title", "").lower():
        # "greater relief than those treated with steroid alone or saline": an inert comparator named, whatever
        # the arms we know
        inert = _said(doc, _find_if(doc, INERT_COMPARATOR, ("saline",)))
        if inert:
            return True, evidence + inert[:1]
    if not tested and blinding != "open":
        if randomized and INERT_WORD.search(_lower_text(doc)) is None:
            # a randomised comparison whose text never names an inert comparator ("randomized to an intervention
            # group or a control group", "to PACT or treatment as usual"): not placebo-controlled
            return False, evidence
        return None, evidence
    inert = _said(doc, _find_if(doc, INERT_COMPARATOR, INERT_NEEDLES))
    if inert and "saline" in doc.fields.get("title", "").lower():  # "Hypertonic saline for ...": saline is what is tested
        inert = [i for i in inert if "saline" not in i["text"].lower()]
    if inert:
        return True, evidence + inert[:1]
    if blinding == "open" or not tested:
        return False, evidence  # the open cue is already evidence
    controls = [a for a in tested if a.get("is_control")]
    if any(i["name"] in ("placebo", "saline") for a in controls for i in a["interventions"]):
        return True, evidence
    if controls or randomized or any(word in _lower_text(doc) for word in TRIAL_NEEDLES):
        # an active, untreated or usual-care comparator; or a treated group alone
        return False, evidence + [i["evidence"][0] for a in (controls or tested)[:1] for i in a["interventions"][:1]
                                  if i.get("evidence")]
    return None, evidence


# A placebo given to everyone before randomisation (session 22): "After a 4-week single-blind placebo run-in, patients
# were randomized to A or B", "following run-in on placebo", "a placebo washout period"; no placebo comparison.
RUN_IN = re.compile(r"(?:\b(?:single|double)[\s-]+blind(?:ed)?\s*,?\s+)?\bplacebo\s+(?:run[\s-]?in|lead[\s-]?in|wash[\s-]?out)\b|"
                    r"\b(?:run[\s-]?in|lead[\s-]?in|wash[\s-]?out)\s+(?:period\s+|phase\s+)?(?:with|on|of)\s+(?:a\s+)?"
                    r"(?:(?:single|double)[\s-]+blind(?:ed)?\s+)?placebo\b|\brun[\s-]?in\s+placebo\b", re.I)
RUN_IN_NEEDLES = ("run-in", "run in", "runin", "lead-in", "lead in", "washout", "wash-out", "wash out")


def _run_in(doc: Document, cues: dict[str, list[dict]]) -> list[dict]:
    """The placebo run-in spans of a record when every placebo cue lies in one ("After a 4-week single-blind placebo
    run-in, patients were randomised to trandolapril or hydrochlorothiazide": everyone took the placebo before the
    comparison, which is of two active drugs), else []. The blinding cues said of the run-in are dropped from
    ``cues`` (changed in place), with the placebo cues: "single-blind" there tells how the run-in was given, not the
    trial."""
    if not any(needle in _lower_text(doc) for needle in RUN_IN_NEEDLES):
        return []
    spans = _find(doc, RUN_IN)

    def inside(item: dict) -> bool:
        return any(s["field"] == item["field"] and s["start"] <= item["start"] < s["end"] for s in spans)
    if not spans or not all(inside(c) for c in cues["placebo"]):
        return []
    for name in ("single", "double", "placebo"):
        cues[name] = [c for c in cues[name] if not inside(c)]
    return spans


# An open-label extension said of the record itself (session 22): "2-year open-label extension of the randomised X
# study" (title), "This was an open-label continuation study of the randomized, double-blind trial", "Patients who
# completed the double-blind trial entered this open-label extension"; not a trial "followed by an open-label
# extension" (a phase of its own).
EXTENSION = re.compile(r"\bopen[\s-]+label\s+(?:extension|continuation)(?:\s+(?:study|phase|trial))?\s+(?:of|from)\s+(?:the|a|an)\b|"
                       r"\b(?:this|the\s+present|was\s+an)\s+(?:[\w-]+\s+){0,3}?(?:open[\s-]+label\s+)?(?:extension|"
                       r"continuation)\b", re.I)
# The sentences that speak of the parent trial: "who completed the double-blind phase", "the core study".
PARENT_TRIAL = re.compile(r"\b(?:completed|parent|previous(?:ly)?|preceding|prior|core|original|feeder|pivotal|lead-in|"
                          r"extension|continuation)\b|\bblind(?:ed)?\s+(?:phase|period|part)\b", re.I)


def _extension(doc: Document, cues: dict[str, list[dict]]) -> None:
    """For a record that is an open-label extension of a blinded trial, drop the blinding, placebo and randomisation
    cues said of its parent trial (in a sentence naming the parent or the extension) from ``cues`` (in place): the
    extension is open, and the parent's placebo compares nothing in it. Nothing changes for other records."""
    said = [e for e in _find(doc, EXTENSION) if "open" in _sentence_of(doc, e).text.lower()]
    if not said:
        return
    title = any(e["field"] == "title" for e in said)  # (a title that names the extension speaks of its parent too)
    for name in ("double", "single", "placebo"):
        cues[name] = [c for c in cues[name] if not (title if c["field"] == "title" else PARENT_TRIAL.search(
            _sentence_of(doc, c).text))]


# A programme people took part in: "participated in a six-week conditioning program", "completed an 8-week
# training course", "attended twelve education classes".
PROGRAMME = re.compile(r"\b(?:participated\s+in|took\s+part\s+in|completed|underwent|attended|followed)\s+(?:an?\s+|the\s+)?"
                       r"(?:[\w-]+\s+){0,4}?(?:program(?:me)?s?|training|courses?|classes)\b", re.I)
PROGRAMME_NEEDLES = ("program", "training", "course", "classes")
# Two groups compared: "both groups", "between groups", "two groups", "the control group".
GROUPS = re.compile(r"\b(?:both|two|three|each|between(?:\s+the)?|control|comparison)\s+(?:\w+\s+)?groups?\b", re.I)


def _programme(doc: Document) -> tuple[str, dict] | None:
    """``("non_randomized_trial" | "single_arm_trial", span)`` for a study whose people took part in a
    programme (training, a course, classes: a treatment no arm names) in the study's own sentences,
    as two groups compared or one; None when no such sentence is said."""
    taken = [t for t in _said(doc, _find_if(doc, PROGRAMME, PROGRAMME_NEEDLES)) if not _negated_before(doc, t)]
    if not taken:
        return None
    return ("non_randomized_trial" if _said(doc, _find_if(doc, GROUPS, ("group",))) else "single_arm_trial"), taken[0]


def _negated_before(doc: Document, item: dict) -> bool:
    """Whether the few words before a span deny it: "had not previously attended any course"."""
    before = doc.fields[item["field"]][max(0, item["start"] - 25):item["start"]].lower()
    return " not " in before or "never" in before or " no " in before


def _placebo_word(found: list[dict]) -> bool:
    """Whether a placebo cue found is the word "placebo" itself (not "sham" or "look-alike")."""
    return any("placebo" in item["text"].lower() for item in found)


def _observational(doc: Document, population_: dict | None = None) -> tuple[str | None, dict | None]:
    """The design of a study with no arm that the text does not name: groups compared with
    controls (healthy, volunteers, people without the condition) is case-control; a measurement in
    one group is cross-sectional. (None, None) when neither is said.

    Healthy people studied alone (``population_`` counts them as enrolled, with no controls: "In eight
    healthy volunteers, pain threshold was determined before and one hour after an acid infusion") are
    no comparison: a provocation or loading experiment in them is a single-arm trial (session 22)."""
    compared = _compared(doc, population_)
    if not compared and population_ is not None and _said(doc, _find_if(doc, COMPARISON_GROUP, COMPARISON_NEEDLES)):
        experiment = _said(doc, _find_if(doc, EXPERIMENT, ("before and", "after a", "after an", "after the",
                                                           "following a", "following an", "following the")))
        if experiment:  # healthy people alone, something done to them and measured around it
            return "single_arm_trial", experiment[0]
    if compared:
        return "case_control", compared[0]
    cohort = _said(doc, _find_if(doc, COHORT, ("cohort",)))
    if cohort:
        return "cohort", cohort[0]
    measured = _said(doc, _find_if(doc, MEASURED, MEASURED_NEEDLES))
    if measured:
        return "cross_sectional", measured[0]
    return None, None


# Something done to the people and measured around it: "before and one hour after an acid infusion", "after an oral load
# of 3000 mg", "following the injection of hypertonic saline".
EXPERIMENT = re.compile(r"\bbefore\s+and\s+(?:[\w-]+\s+){0,4}?after\s+(?:an?|the)\b|\b(?:after|following)\s+(?:an?|the)\s+"
                        r"(?:[\w-]+\s+){0,4}?(?:infusion|injection|application|administration|ingestion|intake|load|"
                        r"loading|challenge|stimulation|provocation|instillation|inhalation)\b", re.I)
# A diagnostic load given to patients and controls alike: "an oral load of 3000 mg magnesium lactate", "a magnesium
# loading test", "retention test": a status test, not a treatment.
DIAGNOSTIC_LOAD = re.compile(r"\b(?:load(?:ing)?\s+(?:test|dose\s+test)|(?:oral|intravenous|i\.v\.|parenteral)\s+load\s+of|"
                             r"(?:tolerance|retention|challenge)\s+test)\b", re.I)
def _compared(doc: Document, population_: dict | None) -> list[dict]:
    """The spans naming a comparison group (healthy controls, volunteers, people without the condition) in the study's
    own sentences; none when every one names healthy people that ``population_`` counts as the study's own (its
    enrolled count names healthy people, and no controls are counted: "In eight healthy volunteers, ...")."""
    compared = _said(doc, _find_if(doc, COMPARISON_GROUP, COMPARISON_NEEDLES))
    if compared and population_ is not None and population_.get("n_controls") is None and population_.get(
            "n_enrolled") and population_["evidence"] and "healthy" in population_["evidence"][0]["text"].lower() and all(
            c["text"].lower().startswith("healthy") for c in compared):
        return []
    return compared


PARTIAL_BLINDING = re.compile(r"\bpartially\s+(?:double[\s-]+)?blind", re.I)
SINGLE_GROUP = re.compile(r"\b(?:first|next|remaining|remainder|subsequent)\s+(?:\w+\s+)?(?:patients|subjects|cohort)\b"
                          r"|\bdose[\s-]+escalation\b|\bcohorts?\b", re.I)


def _single_group(doc: Document) -> bool:
    """Doses given in turn to successive patients of one open study ("the first six patients received
    500 mg, the remainder 1 g"): one uncontrolled study, not a controlled comparison."""
    return bool(_find(doc, SINGLE_GROUP))


def _pt_priority(types: list[str]) -> list[str]:
    order = list(PUBLICATION_TYPES)
    return sorted((t for t in types if t.lower() in PUBLICATION_TYPES), key=lambda t: order.index(t.lower()))


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import Anchored, led  # noqa: E402


# (every alternative of the randomisation cue holds "random": 15 characters after its start in "distributed at random"
# (40 leave room for runs of spaces), and ends at most 30 after it, "randomized sequence"; each of the others opens its
# match with its literal: "double-blind", "neither the patients nor", "placebo", "sham", "open-label", "an open
# multicentre study", "unblinded")
_ANCHORED_CUES = {"randomized": (("random",), 40, 60), "double": (("double", "triple", "neither"), 0, 40),
                  "placebo": (("placebo", "sham", "look-alike"), 0, 20),
                  "open": (("open", "unblinded", "no placebo", "uncontrolled"), 0, 80)}
DESIGN_CUES.update((name, Anchored(pattern, *_ANCHORED_CUES[name]) if name in _ANCHORED_CUES else led(pattern))
                   for name, pattern in DESIGN_CUES.items())
# (the new kinds of session 22 searched near their literals: every match of "review_count" ends with one of its
# verbs' words ("included", "eligible", "criteria", "identified"), within 200 characters of its start; every match of
# "case_said" holds one of these within 20 characters of its start)
_ANCHORED_TYPES = {
    "review_count": (COUNT_VERBS, 200, 20),
    "case_said": (("we here", "we now", "describes", "presents", "reports", "patient", "case of"), 20, 160)}
TEXT_TYPES[:] = [(kind, Anchored(pattern, *_ANCHORED_TYPES[kind]) if kind in _ANCHORED_TYPES else led(pattern))
                 for kind, pattern in TEXT_TYPES]
TRIAL_TEXT_TYPES[:] = [(kind, led(pattern)) for kind, pattern in TRIAL_TEXT_TYPES]
REGISTRY_FIELDS, IN_VITRO_WORDS, TRIAL_WORDS, HUMAN_WORDS, ANIMAL_WORDS = map(
    led, (REGISTRY_FIELDS, IN_VITRO_WORDS, TRIAL_WORDS, HUMAN_WORDS, ANIMAL_WORDS))
(INERT_COMPARATOR, RETROSPECTIVE, RETROSPECTIVE_ANALYSIS, COMPARISON_GROUP, MEASURED, COHORT, LIVESTOCK) = map(
    led, (INERT_COMPARATOR, RETROSPECTIVE, RETROSPECTIVE_ANALYSIS, COMPARISON_GROUP, MEASURED, COHORT, LIVESTOCK))
INERT_WORD = led(INERT_WORD)
