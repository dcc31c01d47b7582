"""The vocabulary the extractor recognises: numbers in words, substances and their forms,
frequencies, routes, outcome measures, magnesium compartments. Patterns are compiled once."""

from __future__ import annotations

import re

# --- numbers written as words ("Sixty", "Twenty-four", "Two hundred seven") -------------------
UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
NUMBER_WORD = r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|" \
              r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|" \
              r"thousand|and|a)"
NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|(?:{NUMBER_WORD}(?:[\s-]+{NUMBER_WORD})*))"


def words_to_number(text: str) -> float | None:
    """A number written in digits or words: "40" -> 40.0, "forty-two" -> 42.0, "a" -> 1.0,
    "1,200" -> 1200.0; None when the text is no number."""
    text = text.strip().lower().replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    total, current, seen = 0, 0, False
    for word in re.split(r"[\s-]+", text):
        if word in ("and", ""):
            continue
        if word == "a":  # "a month", "a hundred"
            current = max(current, 1)
            seen = True
            continue
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


# --- substances --------------------------------------------------------------------------------
MAGNESIUM_FORMS = {
    "citrate": "citrate", "malate": "malate", "chloride": "chloride", "sulfate": "sulfate", "sulphate": "sulfate",
    "oxide": "oxide", "glycinate": "glycinate", "bisglycinate": "glycinate", "hydroxide": "hydroxide",
    "threonate": "threonate", "l-threonate": "threonate", "aspartate": "aspartate", "lactate": "lactate",
    "gluconate": "gluconate", "orotate": "orotate", "pidolate": "pidolate", "taurate": "taurate",
    "carbonate": "carbonate", "pyrrolidone carboxylic acid": "pyrrolidone carboxylic acid",
    "pyrrolidone carboxylate": "pyrrolidone carboxylic acid", "pca": "pyrrolidone carboxylic acid",
}
MAGNESIUM_SHORT = {"mgcl2": "chloride", "mgso4": "sulfate", "mgo": "oxide", "mg(oh)2": "hydroxide"}
FORM_WORDS = "|".join(sorted(MAGNESIUM_FORMS, key=len, reverse=True))
MAGNESIUM = re.compile(
    rf"\b(?:(?P<form_before>{FORM_WORDS})\s+of\s+)?magnesium(?:\s+(?P<form>{FORM_WORDS}))?\b"
    r"|\b(?P<short>MgCl2|MgSO4|MgO)\b|\b(?P<malic>Super\s+Malic)\b", re.I)
# A salt named after the element symbol: "Mg-pyrrolidone carboxylic acid", "Mg pidolate", "Mg citrate".
MG_FORM_AFTER = re.compile(rf"[\s-]+(?P<form>{FORM_WORDS})\b", re.I)
# The element symbol, case-sensitive so that "300 mg" is not magnesium.
MG_SYMBOL = re.compile(r"\bMg(?:2\+|\+\+)?(?![/\w])")

# Drugs and other interventions the fibromyalgia literature names, with their normal names.
KNOWN_SUBSTANCES = {
    "amitriptyline": "amitriptyline", "duloxetine": "duloxetine", "milnacipran": "milnacipran",
    "pregabalin": "pregabalin", "gabapentin": "gabapentin", "cyclobenzaprine": "cyclobenzaprine",
    "tramadol": "tramadol", "fluoxetine": "fluoxetine", "malic acid": "malic acid", "vitamin d": "vitamin d",
    "zinc": "zinc", "calcium": "calcium", "sotalol": "sotalol", "salbutamol": "salbutamol", "placebo": "placebo",
    "saline": "saline", "melatonin": "melatonin", "coenzyme q10": "coenzyme q10", "naltrexone": "naltrexone",
    "folate": "folate", "folic acid": "folate", "vitamin b6": "vitamin b6", "b6": "vitamin b6",
    "vitamin b12": "vitamin b12", "b12": "vitamin b12", "vitamin c": "vitamin c", "vitamin e": "vitamin e",
    "fish oil": "fish oil", "evening primrose oil": "evening primrose oil", "iron": "iron", "selenium": "selenium",
    "omega-3/omega-6 fatty acids": "omega-3/6 fatty acids", "omega-3/6 fatty acids": "omega-3/6 fatty acids", "omega 3/6 fatty acids": "omega-3/6 fatty acids",
    "omega 3/6": "omega-3/6 fatty acids", "omega-3 fatty acids": "omega-3 fatty acids",
    "omega-3": "omega-3 fatty acids", "vitamin d3": "vitamin d", "cholecalciferol": "vitamin d",
    # common drugs with no telling ending, frequent in trial abstracts (EBM-NLP)
    "aspirin": "aspirin", "oxytocin": "oxytocin", "fentanyl": "fentanyl", "morphine": "morphine",
    "ketamine": "ketamine", "insulin": "insulin", "heparin": "heparin", "paracetamol": "paracetamol",
    "acetaminophen": "paracetamol", "propofol": "propofol", "misoprostol": "misoprostol",
    "estradiol": "estradiol", "oestradiol": "estradiol", "progesterone": "progesterone",
    "testosterone": "testosterone", "nicotine": "nicotine", "methadone": "methadone", "clonidine": "clonidine",
    "dexmedetomidine": "dexmedetomidine", "remifentanil": "remifentanil", "sufentanil": "sufentanil",
    "warfarin": "warfarin", "ondansetron": "ondansetron", "tamoxifen": "tamoxifen", "letrozole": "letrozole",
    "cisplatin": "cisplatin", "carboplatin": "carboplatin", "gemcitabine": "gemcitabine",
    "erythropoietin": "erythropoietin", "levothyroxine": "levothyroxine", "probiotics": "probiotics",
    "probiotic": "probiotics", "vitamin a": "vitamin a",
    # pain, migraine and supplement trials' agents with no telling ending (the comparators of magnesium)
    "riboflavin": "riboflavin", "vitamin b2": "riboflavin", "thiamine": "thiamine", "vitamin b1": "thiamine",
    "vitamin k": "vitamin k", "quinine": "quinine", "topiramate": "topiramate", "valproate": "valproate",
    "codeine": "codeine", "naproxen": "naproxen", "baclofen": "baclofen", "ketorolac": "ketorolac",
    "dextromethorphan": "dextromethorphan", "capsaicin": "capsaicin", "cannabidiol": "cannabidiol",
    "nabilone": "nabilone", "carnitine": "carnitine", "creatine": "creatine",
    "curcumin": "curcumin", "anastrozole": "anastrozole", "exemestane": "exemestane",
}
# Common drug-name endings (WHO INN and USAN stems): a word ending so is very likely a drug.
DRUG_SUFFIXES = tuple("""mab cillin olol pril sartan statin azole mycin cycline oxacin afil prazole tidine triptan
dronate parin vir tinib zepam azolam caine dopa setron lukast terol sone olone profen fenac coxib triptyline pramine
oxetine faxine apine idone barbital phylline thiazide semide dipine floxacin platin rubicin taxel umab ximab zumab
tide relin gliptin glitazone formin glinide nidazole conazole
azem pamil flurane planin vaptan grel grelor micin lexin tilide arone grastim poetin mulin azine oxamine amide acin
idine curium curonium tropium codone morphone orphine fentanil pidem gliflozin fenib parib ciclib zomib limus
citabine trexate oquine aquine vudine fungin sonide xaban gatran teplase peridol pezil mantine stigmine tropine
dilol alol gestrel prost oxone""".split())
# Words with such an ending that name no drug (found in the EBM-NLP abstracts, and ordinary English).
NOT_DRUGS = frozenset("""cholesterol sterol campesterol lathosterol april peptide peptides polypeptide neuropeptide
propeptide nucleotide nucleotides magazine""".split())


# --- dose, frequency, route, duration --------------------------------------------------------------
DOSE = re.compile(
    # (not the mass a rate is per: "0.12 µmol/min/100 g", "mg/100 g body weight")
    r"(?<!min/)(?<!mol/)(?<!mg/)(?<!ml/)(?<!mL/)(?<!min/\s)(?<!mol/\s)(?<!mg/\s)(?<!\d)"
    r"(?P<amount>\d{1,3}(?:,\d{3})+(?![\d.])|\d+(?:[.,]\d+)?)\s*(?P<unit>mg|g|µg|μg|mcg|ug|microg|micrograms?|mmol|mEq|IU)\b"
    r"(?:\s*(?P<per>/\s*(?:day|d|daily)\b|per\s+day|a\s+day|daily|"
    r"/\s*kg\s*/\s*(?:h|hr|hour)\b|\s*kg\s*\(\s*-1\s*\)\s*(?:h|hr)\s*\(\s*-1\s*\)|/\s*kg\s+per\s+hour\b|"
    r"/\s*(?:kg|h|hr|hour|min)\b|\s*(?:kg|h|hr)\s*\(\s*-1\s*\)|per\s+(?:kg|kilogram)\b))?"
    # "775 µg/g", "0.8 mmol/L": a concentration, not a dose
    r"(?!\s*/\s*(?:g|dl|dL|l|L|ml|mL|mg|kg\s+(?:dry|wet|tissue)|100\s*ml)\b)", re.I)
FREQUENCY = [
    (re.compile(r"\b(?:once\s+(?:a|per)\s+day|once\s+daily|once\s+a\s+night|each\s+(?:evening|night|morning)|"
                r"every\s+(?:evening|night|morning)|at\s+(?:bedtime|night)|nightly|in\s+the\s+evening|"
                r"q\.?d\.?|/\s*day|per\s+day|a\s+day|daily)\b", re.I), 1),
    (re.compile(r"\b(?:twice\s+(?:a\s+day|daily|per\s+day)|two\s+times\s+(?:a\s+day|daily)|b\.?i\.?d\.?|bid|"
                r"(?:two|2)\s+(?:divided|equal|separate)\s+doses)\b", re.I), 2),
    (re.compile(r"\b(?:three\s+times\s+(?:a\s+day|daily|per\s+day)|thrice\s+daily|t\.?i\.?d\.?|tid|"
                r"(?:three|3)\s+(?:divided|equal|separate)\s+doses)\b", re.I), 3),
    (re.compile(r"\b(?:four\s+times\s+(?:a\s+day|daily|per\s+day)|q\.?i\.?d\.?|qid)\b", re.I), 4),
]
ROUTES = [
    (re.compile(r"\b(?:transdermal(?:ly)?|spray(?:ed|s)?\s+on|applied\s+to\s+the\s+skin|on\s+the\s+skin|"
                r"(?:skin|topical)\s+spray|spray(?:ed|s)?\s+(?:\w+\s+){1,6}?on\s+(?:the\s+|each\s+|both\s+)?"
                r"(?:\w+\s+){0,3}?(?:limbs?|arms?|legs?|skin))\b", re.I), "transdermal"),
    # routes the schema files under "other" (the intervention keeps the words as route_text)
    (re.compile(r"\b(?:epidural(?:ly)?|intrathecal(?:ly)?|intra-?articular|subcutaneous(?:ly)?|s\.c\.|"
                r"nebuli[sz]ed|nebuli[sz]ations?|inhaled|inhalations?|(?:by|via)\s+inhaler|atomi[sz](?:ed|ation)\s+inhalation|"
                r"aerosoli[sz]ed|rectal(?:ly)?|sublingual(?:ly)?|intranasal(?:ly)?)", re.I), "other"),
    (re.compile(r"\b(?:intravenous(?:ly)?|i\.\s?v\.|IV\b|infusions?|infused)", re.I), "intravenous"),
    (re.compile(r"\b(?:intramuscular(?:ly)?|i\.m\.)", re.I), "intramuscular"),
    (re.compile(r"\b(?:topical(?:ly)?|cream|gel|ointment)\b", re.I), "topical"),
    (re.compile(r"\b(?:oral(?:ly)?|by\s+mouth|tablets?|capsules?|pills?|per\s+os|p\.o\.)\b", re.I), "oral"),
]
DURATION = re.compile(
    rf"\b(?P<number>{NUMBER})(?:[\s-]+consecutive)?[\s-]+(?P<unit>weeks?|wk|months?|days?|years?|h|hours?)\b", re.I)
WEEKS_PER = {"week": 1.0, "wk": 1.0, "month": 4.3, "day": 1 / 7, "year": 52.0, "h": 1 / 168, "hour": 1 / 168}

# --- outcome measures ------------------------------------------------------------------------------
# (key, pattern, higher_is_better): the first matching key wins within a mention.
MEASURES = [
    ("fiqr", r"revised\s+fibromyalgia\s+impact\s+questionnaire|\bFIQ-?R\b", False),
    ("fiq", r"fibromyalgia\s+impact\s+questionnaire|\bFIQ\b", False),
    ("tender_point_index", r"tender\s+point\s+index|\bTPI\b", False),
    ("tender_point_count", r"tender\s+point\s+counts?|number\s+of\s+tender\s+points|tender\s+points|tenderness", False),
    ("beck_depression", r"beck\s+depression|\bBDI\b", False),
    ("beck_anxiety", r"beck\s+anxiety|\bBAI\b", False),
    ("dass42_stress", r"DASS-?42|\bstress\s+score|\bstress\b", False),  # (never "distress score")
    ("pain_threshold", r"\bpain\s+thresholds?|pressure\s+pain\s+threshold", True),
    ("pain_vas", r"visual\s+analog(?:ue)?\s+(?:scale|pain)|\bVAS\b", False),
    # a numerical (rating) scale said without what it rates is a pain scale, as a bare VAS is
    ("pain_intensity", r"\bpain\s+(?:intensity|severity|scores?|rating)|\bnumeric(?:al)?\s+(?:pain\s+)?(?:rating\s+)?scales?\b|"
                       r"\bNRS\b|\bpain\b", False),
    ("sf36", r"\bSF-?36", True),
    ("quality_of_life", r"quality[\s-]+of[\s-]+life|\bQoL\b", True),
    ("fatigue", r"\bfatigue\b|\btiredness\b", False),
    ("sleep", r"\bsleep\b", True),
    ("numbness", r"\bnumbness\b", False),
    ("depression", r"\bdepression\b|\bdepressive\b", False),
    ("anxiety", r"\banxiety\b", False),
]
MEASURE_PATTERNS = [(key, re.compile(pattern, re.I), better) for key, pattern, better in MEASURES]
# Substrings one of which every measure pattern needs: a cheap test before the regexes.
MEASURE_NEEDLES = ("fibromyalgia impact", "fiq", "tender", "tpi", "beck", "bdi", "bai", "dass", "stress", "threshold",
                   "analog", "vas", "pain", "numeric", "nrs", "sf-36", "sf36", "quality", "qol", "fatigue", "tired", "sleep", "numb",
                   "depress", "anxiety")
ANY_MEASURE = re.compile("|".join(f"(?:{pattern})" for _, pattern, _ in MEASURES), re.I)

NO_CHANGE = re.compile(
    r"\b(?:no\s+(?:significant\s+|statistical(?:ly)?\s+(?:significant\s+)?)?(?:difference|change|effect|improvement|benefit)s?|"
    r"did\s+not\s+(?:significantly\s+)?(?:differ|change|improve|reduce|decrease|affect|alter|influence)|no\s+different|"
    r"not\s+(?:significantly\s+)?(?:affected|altered|influenced|modified)|unaffected|unaltered|"
    r"no\s+(?:significant\s+)?between[\s-]+groups?\s+differences?|"
    r"failed\s+to\s+(?:improve|reduce|change|alter|affect|show|demonstrate)|(?:could|did)\s+not\s+(?:demonstrate|show|find|detect|reveal)\s+"
    r"(?:any\s+)?(?:\w+\s+)?(?:differences?|effects?|benefits?|improvements?)|not\s+(?:significantly\s+)?(?:different|differ|changed|improved)|"
    r"not\s+significantly\s+(?:lower|higher|reduced|increased|decreased|elevated)|"
    r"(?:was|were)\s+not\s+(?:statistically\s+)?significant|non-?significant|no\s+better|unchanged|"
    r"(?:were|was|remained|are|is)\s+(?:\w+\s+)?(?:similar|comparable)|(?:similar|comparable)\s+(?:between|in\s+(?:both|"
    r"the\s+two|all|each))|(?<!of\s)similar(?!\s+(?:duration|age|size|design|dose|way|manner|pattern|to\s+other))|"
    r"(?:ended\s+up|were|was)\s+(?:in\s+)?the\s+same(?:\s+place)?)\b", re.I)
IMPROVED = re.compile(
    r"\b(?:improv\w*|reduc\w*|decreas\w*|lower\w*|fell|fall|eased?|diminish\w*|better|relie\w*|alleviat\w*|"
    r"benefit\w*|effective|fewer|declin\w*|drop\w*|positive\s+effects?)\b", re.I)
WORSENED = re.compile(r"\b(?:worse\w*|deteriorat\w*|aggravat\w*)\b", re.I)
INCREASED = re.compile(r"\b(?:increas\w*|higher|rose|raised|elevat\w*)\b", re.I)
SIGNIFICANT = re.compile(r"\bsignifican(?:t|tly|ce)\b|p\s*[<≤]\s*0?\.0[0-5]", re.I)
NOT_SIGNIFICANT = re.compile(r"\b(?:not|non-?)\s*(?:statistically\s+)?significan", re.I)
P_VALUE = re.compile(r"\b[Pp]\s*(?P<op>[=<>≤≥])\s*(?P<value>0?\.\d+|[01](?:\.0+)?)\b")

# --- magnesium levels ---------------------------------------------------------------------------------
COMPARTMENTS = [
    ("erythrocyte", r"erythrocyte|red\s+(?:blood\s+)?cells?|\bRBC\b|intracellular"),
    ("ionized", r"ioni[sz]ed"),
    ("whole_blood", r"whole[\s-]+blood"),
    ("platelet", r"platelets?"),
    ("leukocyte", r"leu[ck]ocytes?|white\s+(?:blood\s+)?cells?"),
    ("hair", r"\bhair\b"),
    ("muscle", r"\bmuscle\s+(?:biops|tissue|magnesium|Mg)|\bin\s+(?:the\s+|their\s+)?(?:skeletal\s+)?muscles?\b|"
               r"\bskeletal\s+muscle\b"),
    ("urine", r"\burin\w*"),
    ("plasma", r"\bplasma\b"),
    ("serum", r"\bserum\b|\bblood\s+(?:magnesium|levels?|concentrations?)\b|\bin\s+(?:their|the)\s+blood\b"),
]
COMPARTMENT_PATTERNS = [(key, re.compile(pattern, re.I)) for key, pattern in COMPARTMENTS]
LOWER = re.compile(r"\b(?:lower(?:ed)?|decreased?|reduced|reductions?|less|low|deficien\w*|depleted|diminished)\b", re.I)
HIGHER = re.compile(r"\b(?:higher|increased?|elevated|elevations?|raised|greater)\b", re.I)
NEGATIVE_CORRELATION = re.compile(
    r"\bnegative(?:ly)?\s+(?:correlat|associat|relat)\w*|\binverse(?:ly)?\s+(?:correlat|associat|relat)\w*|"
    r"\blower\s+(?:the\s+)?magnesium[\w\s,]{0,40}(?:more|greater|worse|severe)|"
    r"\b(?:low|lower|reduced)\s+(?:\w+\s+){0,3}magnesium\s+(?:went|was\s+associated|corresponded|correlated)\s+with\s+(?:more|greater|worse|increase)|"
    # "low magnesium was associated with fatigue": a symptom word is required around it (SYMPTOM_WORDS)
    r"\b(?:low|lower|reduced|deficient)\s+(?:\w+\s+){0,3}magnesium\s+(?:levels?\s+)?(?:was|were)\s+(?:associated|linked)\s+with|"
    r"\bthe\s+lower\s+the\s+magnesium", re.I)
POSITIVE_CORRELATION = re.compile(r"\bpositive(?:ly)?\s+correlat\w*", re.I)
NO_CORRELATION = re.compile(r"\b(?:no|not|without)\s+(?:(?:significant|clear|obvious|apparent|meaningful|consistent)\s+)?"
                            r"(?:correlat|associat|relat)\w*|"
                            r"\bwas\s+not\s+correlated|\bwere\s+not\s+correlated|\bdid\s+not\s+correlate", re.I)
# Interventions that are not substances: a head noun with up to two modifiers before it.
_NOT_MODIFIER = r"(?!(?:the|a|an|of|with|and|or|in|for|to|was|were|is|are|this|that|these|those|patients|their|" \
                r"his|her|its|by|on|at|as|from|after|before|during|than|no|any|each|all|both|who|which)\b)"
INTERVENTION_PHRASE = re.compile(
    rf"\b(?:{_NOT_MODIFIER}[A-Za-z][\w/+-]*\s+){{0,2}}(?:therapy|therapies|treatments?|exercises?|training|programmes?|"
    r"programs?|interventions?|surgery|vaccines?|vaccination|supplementation|supplements?|injections?|infusions?|"
    r"drugs?|medications?|counsel+ing|education|acupuncture|massage|diets?|placebo|inhalers?|formulas?|regimens?|"
    r"psychotherapy|rehabilitation|physiotherapy|stimulation|block|anaesthesia|anesthesia|analgesia|prophylaxis|"
    r"chemotherapy|radiotherapy|immunotherapy|screening|care|hypnosis|sedation|dialysis|haemodialysis|hemodialysis|"
    r"antibiotics|interferon|irradiation)\b", re.I)
# The comparator named as a group: "the control group", "usual care", "sham".
COMPARATOR_PHRASE = re.compile(r"\b(?:control|placebo|sham|usual[\s-]+care|standard[\s-]+care|no[\s-]+treatment|"
                               r"comparison)\s+(?:groups?|arms?|condition)\b|\b[a-z]+(?:ic|ous)\s+acid\b", re.I)
# An abbreviation defined right after a name: "oxytocin ( OT )".
ABBREVIATION_AFTER = re.compile(r"\s*\(\s*(?P<abbr>[A-Z][A-Za-z0-9/-]{0,9})\s*\)")
# Words that do not make a bare "treatment" specific: "two treatments", "either treatment".
GENERIC_LEADS = frozenset("""two three four both either each all other active usual standard current new
conclusions conclusion results methods background objective objectives design setting""".split())
# Heads that name a kind of intervention on their own, with no modifier: "chemotherapy", "acupuncture".
SPECIFIC_ALONE = frozenset("""chemotherapy radiotherapy immunotherapy psychotherapy physiotherapy acupuncture massage
vaccination vaccine vaccines anaesthesia anesthesia hypnosis sedation dialysis haemodialysis hemodialysis antibiotics
interferon irradiation placebo""".split())
# A comparison with the control group that found nothing: "both groups improved; the differences
# between the groups were not significant" is no benefit over placebo, whatever improved within a group.
BETWEEN_NULL = re.compile(
    r"\bdifferences?\s+between\s+(?:the\s+)?(?:two\s+|treatment\s+)?groups\s+(?:was|were)\s+not\s+(?:statistically\s+)?"
    r"significant|\bno\s+(?:statistically\s+)?(?:significant\s+)?differences?\s+between\s+(?:the\s+)?(?:two\s+|treatment\s+)?"
    r"groups|\bdid\s+not\s+differ\s+(?:significantly\s+)?between\s+(?:the\s+)?(?:two\s+|treatment\s+)?groups|"
    # the comparator named instead of "the groups": "did not differ from placebo", "no difference versus placebo"
    r"\b(?:did\s+not\s+differ|(?:was|were)\s+not\s+(?:significantly\s+)?different|no\s+(?:significant\s+)?"
    r"differences?)\s+(?:\w+\s+){0,3}?(?:from|versus|vs\.?|compared\s+(?:with|to)|relative\s+to)\s+(?:the\s+)?"
    r"(?:placebo|control|saline|sham)", re.I)
# Words that make a correlation one with symptoms (C-reactive protein or age are not symptoms).
SYMPTOM_WORDS = re.compile(r"symptom|pain|tender|\bFIQR?\b|impact\s+questionnaire|fatigue|sleep|depress|anxi|"
                           r"sever|stiff|numb|gastr|disorder|score|function|quality\s+of\s+life|attacks?\b|headache|"
                           r"migraine\s+(?:days|frequency|index)|frequency\s+of\s+(?:attacks|migraine|headache|cramps)|"
                           r"disabilit|cramp|spasm|allodynia|hyperalgesia", re.I)
# "controls of similar age", "age- and weight-matched": how the groups were matched, not a result.
MATCHING = re.compile(r"\b(?:of\s+)?similar\s+(?:in\s+)?(?:age|sex|weight|body\s+mass\s+index)\b|"
                      r"\bmatched\s+(?:for|by|on)\s+[\w\s-]{0,40}?(?=[.;,)]|$)|\b[\w-]*matched\b", re.I)
# The fibromyalgia group as the subject of a comparison: "lower in the women with fibromyalgia".
FM_GROUP = re.compile(r"\b(?:patients|women|men|subjects|people|participants|group)\s+with\s+(?:primary\s+)?"
                      r"(?:fibromyalgia|FMS?)\b(?:\s+syndrome)?\s+(?:had|have|showed|were|was)\b|"
                      r"\bin\s+(?:the\s+)?(?:\w+\s+){0,2}(?:patients|women|men|subjects|group)\s+with\s+"
                      r"(?:fibromyalgia|FMS?)\b|\bbetween\s+(?:the\s+)?(?:two\s+)?groups\b", re.I)
# "4.1 mg/dl in patients and 5.0 mg/dl in controls": a level given as two numbers.
LEVEL_PAIR = re.compile(
    r"(?P<fm>\d+(?:\.\d+)?)\s*(?:\+/-|±)?\s*(?:\d+(?:\.\d+)?\s*)?(?:[a-zµμ]+\s*/\s*[a-zµμ]+|mM|mmol|mg|mEq|ppm)?\s+"
    r"in\s+(?:the\s+)?(?:\w+\s+){0,2}(?:patients|cases|women|subjects|group)\b[^.;]{0,40}?\s+(?:and|vs\.?|versus|compared\s+with)\s+"
    r"(?P<controls>\d+(?:\.\d+)?)\s*(?:\+/-|±)?\s*(?:\d+(?:\.\d+)?\s*)?(?:[a-zµμ]+\s*/\s*[a-zµμ]+|mM|mmol|mg|mEq|ppm)?\s+"
    r"in\s+(?:the\s+)?(?:healthy\s+)?(?:controls?|volunteers|control\s+group)", re.I)
ANAPHOR = re.compile(r"^\s*(?:both|they|these|it|all|each|the\s+two|levels?|concentrations?)\b", re.I)
CONTROLS = re.compile(r"\b(?:healthy|controls?|control\s+(?:group|subjects)|volunteers)\b", re.I)
# A comparison between two groups of patients (treated and untreated, migraine and other headache):
# not one with healthy controls, so it says nothing of levels in the condition.
OTHER_PATIENTS = re.compile(
    r"\bthan\s+(?:(?:those|that|in|the|found|seen|observed|measured)\s+){0,4}(?:\w+\s+){0,2}"
    r"(?:treated|untreated|non-?treated|other|remaining)\s+(?:\w+\s+)?(?:patients|group|subjects|cases)\b|"
    r"\bbetween\s+(?:the\s+)?(?:treated|untreated)\s+and\s+(?:the\s+)?(?:non-?|un)treated\b", re.I)


# --- speed ------------------------------------------------------------------------------------------
# The patterns searched most often, behind a look-ahead of the characters they can start with
# (``fastre.led``: the same matches, found in about half the time). Kept last, so that it covers
# whatever the patterns above become.
from .fastre import led  # noqa: E402

DURATION, DOSE, NO_CHANGE, SIGNIFICANT, NOT_SIGNIFICANT, BETWEEN_NULL, IMPROVED, INCREASED, WORSENED = map(
    led, (DURATION, DOSE, NO_CHANGE, SIGNIFICANT, NOT_SIGNIFICANT, BETWEEN_NULL, IMPROVED, INCREASED, WORSENED))
P_VALUE = led(P_VALUE)
ROUTES[:] = [(led(pattern), route) for pattern, route in ROUTES]
FREQUENCY[:] = [(led(pattern), per_day) for pattern, per_day in FREQUENCY]
MEASURE_PATTERNS[:] = [(key, led(pattern), better) for key, pattern, better in MEASURE_PATTERNS]
