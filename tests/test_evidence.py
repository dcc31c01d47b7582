"""Judgements against the Bagis 2012 claims, flags and their state across runs.

The study records below were written by the team for these tests: the facts of real studies
(named in each case) in our own words."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.evidence import RecordContext, judge, load_registry, registry
from fmwatch.extract.core import Document, extract
from fmwatch.warehouse import Warehouse

from .conftest import SHARED

runner = CliRunner()
SEED = SHARED / "seeds" / "000_c6083a9237b25750.txt"

CASES = {
    # after Macian et al., Nutrients 2022
    "chloride_rct": ("Oral magnesium chloride for stress in fibromyalgia: a randomized, double-blind trial",
                     "Adults with fibromyalgia were randomized to oral magnesium chloride 100 mg/day or placebo for one "
                     "month. The primary endpoint, stress on the DASS-42 scale, did not differ between groups "
                     "(p = 0.930). Pain severity improved significantly with magnesium (p = 0.029)."),
    # after Sendur et al., Rheumatol Int 2008
    "lower_serum": ("Serum trace elements in fibromyalgia: a case-control study",
                    "Thirty-two women with fibromyalgia and 32 healthy controls were compared. Serum magnesium was lower "
                    "in the patients than in the healthy controls (p < 0.05)."),
    # after Sakarya et al. 2011
    "no_difference": ("Serum magnesium in fibromyalgia: a case-control study",
                      "Forty women with fibromyalgia and 40 healthy controls took part. Serum magnesium did not differ "
                      "between patients and controls. Serum magnesium was not correlated with pain or tender points."),
    # after Engen et al., J Integr Med 2015
    "transdermal": ("Transdermal magnesium chloride in fibromyalgia: an open-label study",
                    "Forty women with fibromyalgia applied transdermal magnesium chloride twice daily for 4 weeks in "
                    "this open-label study. Scores on the revised Fibromyalgia Impact Questionnaire (FIQR) improved "
                    "significantly (P = 0.001)."),
    # after Russell et al., J Rheumatol 1995
    "malic_crossover": ("Malic acid and magnesium in fibromyalgia: a randomized, double-blind, crossover study",
                        "Twenty-four patients with fibromyalgia were randomized to tablets of malic acid 200 mg and "
                        "magnesium 50 mg, 3 tablets twice daily, or placebo for 4 weeks. In the blinded phase there was no "
                        "difference from placebo in pain or tenderness."),
    # after Ali et al., J Altern Complement Med 2009 (intravenous micronutrients, "Myers' cocktail")
    "both_groups_improved": ("Intravenous micronutrient therapy for fibromyalgia: a placebo-controlled pilot study",
                             "In this randomized, double-blind, placebo-controlled pilot study, 34 patients with "
                             "fibromyalgia received weekly intravenous infusions of micronutrients including magnesium, "
                             "or lactated Ringer's solution as placebo, for 8 weeks. Both groups improved in pain, tender "
                             "points and the Fibromyalgia Impact Questionnaire; the differences between the groups were "
                             "not significant."),
    # a level study told with a pronoun, as abstracts often do (our own example, no real study)
    "plasma_pronoun": ("Plasma magnesium and tender points in women with fibromyalgia",
                       "Plasma magnesium was measured in 25 women with fibromyalgia and 25 healthy women. It was "
                       "significantly lower in the patients (p < 0.01) and was inversely correlated with the number "
                       "of tender points."),
    # written here: a narrative review, a case report, and a level study with no difference (after
    # Prescott et al. 1992), each the shape of a real kind of report
    "narrative_review": ("Magnesium and fibromyalgia: a literature review",
                         "This review summarizes studies of magnesium status and magnesium supplementation in "
                         "fibromyalgia. Small trials suggested benefit, but the evidence is limited."),
    "case_report": ("Intravenous magnesium for refractory fibromyalgia pain: a case report",
                    "We describe a 45-year-old woman with fibromyalgia whose pain had not responded to duloxetine. "
                    "After four weekly infusions of 2 g magnesium sulfate, her pain score fell from 8 to 3."),
    "no_difference_between_groups": ("Red cell magnesium in fibromyalgia",
                                     "Red cell magnesium was measured in 19 patients with fibromyalgia and 19 matched "
                                     "controls. No significant difference was found between the groups."),
    # written here: magnesium added to a background antidepressant, the shape of an add-on trial
    "add_on": ("Magnesium added to duloxetine in fibromyalgia: a double-blind placebo-controlled trial",
               "Ninety women with fibromyalgia on duloxetine 60 mg/day were randomized to add oral magnesium "
               "citrate 400 mg/day or placebo for 12 weeks. FIQR scores improved more with magnesium (p = 0.03); "
               "Beck Depression Inventory scores did not differ."),
}


def judged(case: str, **context):
    title, abstract = CASES[case]
    doc = Document(f"pubmed:{case}", "pubmed", title, {"title": title, "abstract": abstract})
    record = extract(doc)
    claims, flags = judge(record, RecordContext(text=f"{title}\n{abstract}", **context))
    return {c["claim"]: c for c in claims}, flags


def test_a_placebo_controlled_chloride_trial_is_mixed_with_what_is_new():
    claims, flags = judged("chloride_rct")
    c3 = claims["BAGIS-C3"]
    assert c3["relation"] == "mixed"
    assert {"design", "form", "dose", "duration"} <= set(c3["novelty"])
    assert "dass42 stress no change" in c3["reason"] and "pain intensity improved" in c3["reason"]
    assert any(f.flag_type == "new_trial" and f.claim == "BAGIS-C3" for f in flags)


def test_lower_serum_magnesium_supports_c1():
    claims, flags = judged("lower_serum")
    assert claims["BAGIS-C1"]["relation"] == "supports"
    assert claims["BAGIS-C1"]["evidence"][0]["text"].startswith("Serum magnesium was lower")
    assert any(f.flag_type == "new_levels_study" for f in flags)


def test_no_difference_and_no_correlation_contradict_c1_and_c2():
    claims, flags = judged("no_difference")
    assert (claims["BAGIS-C1"]["relation"], claims["BAGIS-C2"]["relation"]) == ("contradicts", "contradicts")
    contradicting = sorted(f.claim for f in flags if f.flag_type == "contradicts_claim")
    assert contradicting == ["BAGIS-C1", "BAGIS-C2"] and all(f.priority == 1 for f in flags if f.claim in contradicting)


def test_open_label_transdermal_supports_c3_with_new_route_and_form():
    claims, _ = judged("transdermal")
    assert claims["BAGIS-C3"]["relation"] == "supports"
    assert {"route", "form"} <= set(claims["BAGIS-C3"]["novelty"])


def test_malic_acid_crossover_contradicts_or_is_mixed_on_c3():
    claims, _ = judged("malic_crossover")
    assert claims["BAGIS-C3"]["relation"] in ("contradicts", "mixed")
    assert "design" in claims["BAGIS-C3"]["novelty"]


def test_a_retraction_is_flagged_and_notices_only_for_records_we_hold():
    _, flags = judged("lower_serum", comments_corrections=[("RetractionIn", "90000009")])
    (retraction,) = [f for f in flags if f.flag_type == "retraction"]
    assert retraction.priority == 2 and "retracted" in retraction.reason
    _, flags = judged("lower_serum", comments_corrections=[("RetractionOf", "123")], known_pmids=set())
    assert not [f for f in flags if f.flag_type == "retraction"]
    _, flags = judged("lower_serum", comments_corrections=[("RetractionOf", "123")], known_pmids={"123"})
    assert [f for f in flags if f.flag_type == "retraction"]


def test_records_not_about_magnesium_in_fibromyalgia_raise_no_claim():
    doc = Document("pubmed:1", "pubmed", "Exercise for knee pain", {"title": "Exercise for knee pain",
                                                                     "abstract": "Exercise reduced knee pain."})
    claims, flags = judge(extract(doc), RecordContext())
    assert claims == [] and flags == []


def test_the_registry_is_data(tmp_path):
    assert [c.id for c in registry()[0].claims] == ["BAGIS-C1", "BAGIS-C2", "BAGIS-C3", "BAGIS-C4", "BAGIS-C5"]
    package = Path(__file__).resolve().parents[1] / "src" / "fmwatch" / "claims" / "bagis2012.toml"
    (tmp_path / "bagis2012.toml").write_text(package.read_text())
    (tmp_path / "other2020.toml").write_text(
        '[reference]\nid = "OTHER"\ncitation = "Another study."\n[reference.facts]\nforms = ["chloride"]\n'
        '[[claim]]\nid = "OTHER-C1"\ntext = "Magnesium helps."\nspeaks_to = "magnesium_trial"\n')
    assert [r.id for r in load_registry(tmp_path)] == ["BAGIS", "OTHER"]


# --- through the warehouse ------------------------------------------------------------------------

def flag_rows(db):
    with Warehouse.open(db, read_only=True) as wh:
        return wh.con.execute("select record_id, claim, relation, flag_type, state, raised_count from evidence_flags "
                              "order by record_id, flag_key").fetchall()


def test_the_seed_is_related_to_every_claim_and_reports_on_bagis(tmp_path):
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["--db", str(db), "import", "--offline", str(SEED)]).exit_code == 0
    rows = [r for r in flag_rows(db) if r[0] == "fmnetwork:magnesium-treats-fibromyalgia-pain"]
    assert sorted((r[1], r[2]) for r in rows if r[1]) == [(f"BAGIS-C{i}", "related") for i in range(1, 6)]
    with Warehouse.open(db, read_only=True) as wh:
        (reason,) = wh.con.execute("select reason from evidence_flags where flag_key = 'fm_coverage' "
                                   "and record_id = 'fmnetwork:magnesium-treats-fibromyalgia-pain'").fetchone()
    assert "PMID 22271372" in reason


def test_flags_are_raised_once_and_dismissals_stay(tmp_path):
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["--db", str(db), "run", "--offline"]).exit_code == 0
    first = flag_rows(db)
    assert first and all(r[5] == 1 for r in first)
    contradiction = next(r for r in first if r[3] == "contradicts_claim")
    flag_id = f"{contradiction[0]}/{contradiction[1]}"
    assert runner.invoke(app, ["--db", str(db), "flag", "dismiss", flag_id, "--reason", "known pilot"]).exit_code == 0
    assert runner.invoke(app, ["--db", str(db), "run", "--offline"]).exit_code == 0
    assert runner.invoke(app, ["--db", str(db), "reextract"]).exit_code == 0
    again = flag_rows(db)
    assert len(again) == len(first) and all(r[5] == 1 for r in again)  # nothing raised twice
    assert next(r for r in again if f"{r[0]}/{r[1]}" == flag_id)[4] == "dismissed"


def test_a_changed_judgement_raises_the_flag_again(tmp_path):
    db = tmp_path / "w.duckdb"
    title, abstract = CASES["no_difference"]
    xml = ('<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">90000077</PMID>'
           '<Article><Journal><Title>T</Title><JournalIssue><PubDate><Year>2011</Year></PubDate></JournalIssue></Journal>'
           f'<ArticleTitle>{title}</ArticleTitle><Abstract><AbstractText>{{abstract}}</AbstractText></Abstract>'
           '</Article></MedlineCitation><PubmedData/></PubmedArticle></PubmedArticleSet>\n')
    first, second = tmp_path / "v1.xml", tmp_path / "v2.xml"
    first.write_text(xml.format(abstract=abstract))
    second.write_text(xml.format(abstract=abstract.replace("did not differ between patients and controls",
                                                           "was lower in patients than in controls")))
    runner.invoke(app, ["--db", str(db), "import", str(first)])
    runner.invoke(app, ["--db", str(db), "flag", "seen", "pubmed:90000077/BAGIS-C1"])
    runner.invoke(app, ["--db", str(db), "flag", "seen", "pubmed:90000077/BAGIS-C2"])
    runner.invoke(app, ["--db", str(db), "import", str(second)])
    rows = {r[1]: r for r in flag_rows(db) if r[0] == "pubmed:90000077"}
    assert rows["BAGIS-C1"][2:] == ("supports", "new_levels_study", "new", 2)  # judgement changed: new again
    assert rows["BAGIS-C2"][2:] == ("contradicts", "contradicts_claim", "seen", 1)  # unchanged: stays seen


def test_claim_ledger_counts_by_year(tmp_path):
    db = tmp_path / "w.duckdb"
    runner.invoke(app, ["--db", str(db), "run", "--offline"])
    with Warehouse.open(db, read_only=True) as wh:
        rows = wh.con.execute("select claim, year, supports, contradicts, mixed from claim_ledger "
                              "where claim = 'BAGIS-C3' order by year").fetchall()
    assert ("BAGIS-C3", 1995, 0, 1, 0) in rows and ("BAGIS-C3", 2022, 0, 0, 1) in rows


def test_improvement_in_both_groups_with_no_difference_between_them_contradicts_c3():
    claims, _ = judged("both_groups_improved")
    c3 = claims["BAGIS-C3"]
    assert c3["relation"] == "contradicts" and {"design", "route"} <= set(c3["novelty"])
    record = extract(Document("pubmed:x", "pubmed", *CASES["both_groups_improved"][:1],
                              {"abstract": CASES["both_groups_improved"][1]}))
    assert {(o["measure"], o["direction"], o["significant"]) for o in record["outcomes"]} == {
        ("pain_intensity", "no_change", False), ("tender_point_count", "no_change", False), ("fiq", "no_change", False)}


def test_a_level_said_with_a_pronoun_supports_c1_and_c2():
    claims, _ = judged("plasma_pronoun")
    assert claims["BAGIS-C1"]["relation"] == "supports" and claims["BAGIS-C2"]["relation"] == "supports"


def test_a_review_a_case_report_and_a_null_level_study_get_their_own_kind_of_flag():
    _, flags = judged("narrative_review")
    assert {f.flag_type for f in flags} == {"review"}
    claims, flags = judged("case_report")
    assert claims["BAGIS-C3"]["relation"] == "supports" and {f.flag_type for f in flags} == {"related"}
    claims, flags = judged("no_difference_between_groups")
    assert claims["BAGIS-C1"]["relation"] == "contradicts" and {f.flag_type for f in flags} == {"contradicts_claim"}
    record = extract(Document("pubmed:x", "pubmed", "t", {"abstract": CASES["case_report"][1]}))
    assert record["duration_weeks"] is None  # "45-year-old" is an age, not four decades of treatment


def test_an_add_on_trial_keeps_the_background_drug_in_every_arm_and_speaks_to_c4():
    record = extract(Document("pubmed:x", "pubmed", CASES["add_on"][0], {"abstract": CASES["add_on"][1]}))
    arms = {a["label"]: a["is_control"] for a in record["arms"]}
    assert arms == {"magnesium citrate + duloxetine": False, "placebo + duloxetine": True}
    claims, _ = judged("add_on")
    assert claims["BAGIS-C4"]["relation"] == "mixed" and claims["BAGIS-C3"]["relation"] == "mixed"


def test_the_interventions_view_marks_the_background_drug(tmp_path):
    title, abstract = CASES["add_on"]
    xml = tmp_path / "add_on.xml"
    xml.write_text(
        '<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">90000077</PMID>'
        f'<Article><Journal><Title>T</Title><JournalIssue><PubDate><Year>2025</Year></PubDate></JournalIssue></Journal>'
        f'<ArticleTitle>{title}</ArticleTitle><Abstract><AbstractText>{abstract}</AbstractText></Abstract></Article>'
        '</MedlineCitation><PubmedData/></PubmedArticle></PubmedArticleSet>\n')
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["--db", str(db), "import", str(xml)]).exit_code == 0
    with Warehouse.open(db, read_only=True) as wh:
        rows = wh.con.execute("select arm_label, name, background from interventions order by all").fetchall()
    assert rows == [("magnesium citrate + duloxetine", "duloxetine", True),
                    ("magnesium citrate + duloxetine", "magnesium citrate", False),
                    ("placebo + duloxetine", "duloxetine", True), ("placebo + duloxetine", "placebo", False)]


def test_the_digest_shows_an_open_phase_result_with_its_phase(tmp_path):
    # the shipped Super Malic record (Russell 1995): a blinded phase with no difference from placebo,
    # then an open-label phase where pain fell; the digest says which result is which
    from datetime import datetime

    from fmwatch.digest import build_digest, population_label

    db = tmp_path / "w.duckdb"
    assert CliRunner().invoke(app, ["--db", str(db), "run", "--offline"]).exit_code == 0
    with Warehouse.open(db, read_only=True) as wh:
        built = build_digest(wh, since=datetime(1900, 1, 1), until=datetime(2100, 1, 1), kind="preview")
    (item,) = [i for i in built.items if "Super Malic" in i.title]
    phased = [o for o in item.outcomes if "[open-label phase" in o]
    blinded = [o for o in item.outcomes if "[" not in o]
    assert phased and all("improved" in o for o in phased)
    assert blinded and all("no change" in o.lower() or "no difference" in o.lower() for o in blinded), item.outcomes
    assert population_label(None) == "" and population_label({"kind": "per_protocol", "text": "per-protocol"}) == (
        " [per-protocol]")
