"""Writes the offline E-utilities snapshot (run from src/fmwatch/snapshot/eutils). Team-written records; abstracts paraphrased."""
import json
HEAD = '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<!-- fmwatch offline snapshot: written by the fmwatch team; abstracts paraphrased from real studies -->\n<PubmedArticleSet>\n'
TAIL = '</PubmedArticleSet>\n'

def author(last, fore, ini, aff=None):
    a = f'<Author ValidYN="Y"><LastName>{last}</LastName><ForeName>{fore}</ForeName><Initials>{ini}</Initials>'
    if aff: a += f'<AffiliationInfo><Affiliation>{aff}</Affiliation></AffiliationInfo>'
    return a + '</Author>'

def mesh(*terms):
    out = []
    for t in terms:
        major = 'Y' if t.startswith('*') else 'N'
        name, _, qual = t.lstrip('*').partition('/')
        q = f'<QualifierName UI="Q000000" MajorTopicYN="N">{qual}</QualifierName>' if qual else ''
        out.append(f'<MeshHeading><DescriptorName UI="D000000" MajorTopicYN="{major}">{name}</DescriptorName>{q}</MeshHeading>')
    return '<MeshHeadingList>' + ''.join(out) + '</MeshHeadingList>'

def record(pmid, title, sections, authors, journal, iso, issn, vol, iss, year, month, pages, ptypes, meshes, history, ids, keywords=(), chemicals=(), artdate=None):
    abstract = ''.join(f'<AbstractText Label="{l}" NlmCategory="{l}">{t}</AbstractText>' if l else f'<AbstractText>{t}</AbstractText>' for l, t in sections)
    pt = ''.join(f'<PublicationType UI="D000000">{p}</PublicationType>' for p in ptypes)
    hist = ''.join(f'<PubMedPubDate PubStatus="{s}"><Year>{d[:4]}</Year><Month>{int(d[5:7])}</Month><Day>{int(d[8:10])}</Day></PubMedPubDate>' for s, d in history)
    aid = ''.join(f'<ArticleId IdType="{k}">{v}</ArticleId>' for k, v in ids)
    kw = ('<KeywordList Owner="NOTNLM">' + ''.join(f'<Keyword MajorTopicYN="N">{k}</Keyword>' for k in keywords) + '</KeywordList>') if keywords else ''
    ch = ('<ChemicalList>' + ''.join(f'<Chemical><RegistryNumber>0</RegistryNumber><NameOfSubstance UI="D000000">{c}</NameOfSubstance></Chemical>' for c in chemicals) + '</ChemicalList>') if chemicals else ''
    ad = f'<ArticleDate DateType="Electronic"><Year>{artdate[:4]}</Year><Month>{artdate[5:7]}</Month><Day>{artdate[8:10]}</Day></ArticleDate>' if artdate else ''
    sp, _, ep = pages.partition('-')
    return (f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
            f'<Article PubModel="Print-Electronic"><Journal><ISSN IssnType="Electronic">{issn}</ISSN><JournalIssue CitedMedium="Internet">'
            f'<Volume>{vol}</Volume><Issue>{iss}</Issue><PubDate><Year>{year}</Year><Month>{month}</Month></PubDate></JournalIssue>'
            f'<Title>{journal}</Title><ISOAbbreviation>{iso}</ISOAbbreviation></Journal><ArticleTitle>{title}</ArticleTitle>'
            f'<Pagination><StartPage>{sp}</StartPage><EndPage>{ep}</EndPage><MedlinePgn>{pages}</MedlinePgn></Pagination>'
            f'<Abstract>{abstract}</Abstract><AuthorList CompleteYN="Y">{"".join(authors)}</AuthorList><Language>eng</Language>'
            f'<PublicationTypeList>{pt}</PublicationTypeList>{ad}</Article>'
            f'<MedlineJournalInfo><Country>Unknown</Country><MedlineTA>{iso}</MedlineTA><NlmUniqueID>0</NlmUniqueID></MedlineJournalInfo>'
            f'{ch}{mesh(*meshes)}{kw}</MedlineCitation>'
            f'<PubmedData><History>{hist}</History><PublicationStatus>ppublish</PublicationStatus><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>{aid}</ArticleIdList></PubmedData></PubmedArticle>\n')

R = {}
R['bagis'] = record('22271372',
  'Is magnesium citrate treatment effective on pain, clinical parameters and functional status in patients with fibromyalgia?',
  [('OBJECTIVE', 'We asked whether serum and red cell magnesium differ between women with fibromyalgia and healthy women, whether they track symptoms, and whether magnesium citrate, alone or with amitriptyline, helps.'),
   ('METHODS', 'Sixty premenopausal women who met the ACR criteria for fibromyalgia and 20 healthy women matched for age and weight took part. The patients were assigned to three groups of 20: magnesium citrate 300 mg/day, amitriptyline 10 mg/day, or magnesium citrate 300 mg/day plus amitriptyline 10 mg/day, taken in the evening for 8 weeks. Pain intensity, pain threshold, tender point count, tender point index, the Fibromyalgia Impact Questionnaire (FIQ), Beck depression and Beck anxiety scores were recorded at the start and after 8 weeks; serum and erythrocyte magnesium were measured.'),
   ('RESULTS', 'Serum and erythrocyte magnesium were lower in the patients than in the healthy women (p &lt; 0.05), and lower magnesium went with more symptoms. Magnesium citrate reduced the tender point count, the tender point index, FIQ and Beck depression scores (p &lt; 0.05). The combination improved every parameter except numbness. Minor gastrointestinal irritation was the only complaint with magnesium.'),
   ('CONCLUSIONS', 'Magnesium citrate was effective on tenderness and function in fibromyalgia, and adding low-dose amitriptyline made it effective on all parameters.')],
  [author('Bagis', 'Selda', 'S', 'Department of Physical Medicine and Rehabilitation, Mersin University, Mersin, Turkey.'), author('Karabiber', 'Mehtap', 'M'), author('As', 'Ismet', 'I'), author('Tamer', 'Lulufer', 'L'), author('Erdogan', 'Canan', 'C'), author('Atalay', 'Ali', 'A')],
  'Rheumatology international', 'Rheumatol Int', '1437-160X', '33', '1', '2013', 'Jan', '167-72',
  ['Journal Article', 'Clinical Trial'],
  ['Adult', 'Amitriptyline/administration &amp; dosage', 'Citric Acid/therapeutic use', 'Female', '*Fibromyalgia/drug therapy', 'Humans', '*Magnesium/blood', 'Organometallic Compounds/therapeutic use', 'Pain Measurement', 'Premenopause'],
  [('received', '2011-06-21'), ('accepted', '2011-12-30'), ('pubmed', '2012-01-26'), ('entrez', '2012-01-26'), ('medline', '2013-07-03')],
  [('doi', '10.1007/s00296-011-2334-8')], chemicals=['Magnesium', 'Amitriptyline', 'magnesium citrate'], artdate='2012-01-22')
R['macian'] = record('35631229',
  'Short-Term Magnesium Therapy Alleviates Moderate Stress in Patients with Fibromyalgia: A Randomized Double-Blind Clinical Trial.',
  [('', 'Stress and pain are frequent in fibromyalgia and often resist usual treatment. In this randomised, placebo-controlled, double-blind trial, adults with fibromyalgia took oral magnesium chloride 100 mg once a day (two 50 mg tablets) or a placebo for one month (28 days). The primary endpoint was stress on the DASS-42 scale; pain, sleep, quality of life, fatigue, catastrophising and blood magnesium were secondary endpoints. After one month the DASS-42 stress score had fallen in both groups with no significant difference between them (p = 0.930). In patients with mild to moderate stress, magnesium lowered the stress score (p = 0.003) and pain severity decreased significantly (p = 0.029); the other secondary endpoints did not differ between groups. Magnesium may help a subgroup of patients with fibromyalgia and moderate stress; a larger trial is warranted.')],
  [author('Macian', 'Nicolas', 'N', 'Platform of Clinical Investigation, University Hospital Clermont-Ferrand, France.'), author('Dualé', 'Christian', 'C'), author('Pickering', 'Gisèle', 'G')],
  'Nutrients', 'Nutrients', '2072-6643', '14', '10', '2022', 'May', '2088',
  ['Journal Article', 'Randomized Controlled Trial'],
  ['Double-Blind Method', '*Fibromyalgia/drug therapy', 'Humans', '*Magnesium/therapeutic use', 'Magnesium Chloride', 'Pain', 'Stress, Psychological'],
  [('received', '2022-04-20'), ('accepted', '2022-05-15'), ('entrez', '2022-05-28'), ('pubmed', '2022-05-29')],
  [('doi', '10.3390/nu14102088'), ('pmc', 'PMC9145501')], keywords=['stress', 'magnesium', 'fibromyalgia', 'pain'], artdate='2022-05-17')
R['engen'] = record('99000103',
  'Effects of transdermal magnesium chloride on quality of life for patients with fibromyalgia: a feasibility study.',
  [('OBJECTIVE', 'To collect first data on whether magnesium applied to the skin improves quality of life in women with fibromyalgia.'),
   ('METHODS', 'An open-label pilot study in a tertiary fibromyalgia clinic enrolled 40 women with fibromyalgia. Each sprayed a transdermal magnesium chloride solution on the arms and legs, 4 sprays per limb twice daily, for 4 weeks. The Revised Fibromyalgia Impact Questionnaire (FIQR), the SF-36 and a quality-of-life scale were completed at baseline, week 2 and week 4.'),
   ('RESULTS', 'Twenty-four patients completed the study. FIQR total and subscale scores improved significantly at weeks 2 and 4 (P = 0.001). Skin irritation led some patients to stop.'),
   ('CONCLUSIONS', 'Transdermal magnesium chloride may benefit patients with fibromyalgia; a controlled trial is needed.')],
  [author('Engen', 'Deborah J', 'DJ', 'Department of Physical Medicine and Rehabilitation, Mayo Clinic, Rochester, MN, USA.'), author('Vincent', 'Ann', 'A'), author('Wahner-Roedler', 'Dietlind L', 'DL')],
  'Journal of integrative medicine', 'J Integr Med', '2095-4964', '13', '5', '2015', 'Sep', '306-13',
  ['Journal Article'],
  ['Administration, Cutaneous', 'Female', '*Fibromyalgia/drug therapy', 'Humans', '*Magnesium Chloride/administration &amp; dosage', 'Pilot Projects', '*Quality of Life'],
  [('received', '2015-03-10'), ('accepted', '2015-06-02'), ('entrez', '2015-09-10'), ('pubmed', '2015-09-10')],
  [('doi', '10.1016/S2095-4964(15)60195-9')], keywords=['fibromyalgia', 'magnesium chloride', 'transdermal'])
R['russell'] = record('99000104',
  'Treatment of fibromyalgia syndrome with Super Malic: a randomized, double blind, placebo controlled, crossover pilot study.',
  [('', 'Twenty-four patients with primary fibromyalgia syndrome took part in a randomised, double-blind, placebo-controlled crossover pilot study of Super Malic, tablets combining malic acid 200 mg and magnesium 50 mg. In the blinded phase patients took 3 tablets bid for 4 weeks; no difference from placebo was seen in pain, tenderness or function. In a following open-label phase with doses up to 6 tablets bid for 6 months, pain and tenderness scores fell significantly. A blinded trial of the higher dose over a longer period is warranted.')],
  [author('Russell', 'I Jon', 'IJ', 'University of Texas Health Science Center, San Antonio, TX, USA.'), author('Michalek', 'Joel E', 'JE'), author('Flechas', 'Jorge D', 'JD')],
  'The Journal of rheumatology', 'J Rheumatol', '0315-162X', '22', '5', '1995', 'May', '953-8',
  ['Clinical Trial', 'Journal Article', 'Randomized Controlled Trial'],
  ['Cross-Over Studies', 'Double-Blind Method', '*Fibromyalgia/drug therapy', 'Humans', '*Magnesium/therapeutic use', '*Malates/therapeutic use', 'Pilot Projects'],
  [('pubmed', '1995-05-01'), ('entrez', '1995-05-01'), ('medline', '1995-05-01')],
  [], chemicals=['Malates', 'Magnesium'])
R['kim'] = record('99000105',
  'Women with fibromyalgia have lower levels of calcium, magnesium, iron and manganese in hair mineral analysis.',
  [('', 'Hair mineral analysis was used to compare women with fibromyalgia with healthy women of similar age in a case-control study. Calcium, magnesium, iron and manganese in hair were significantly lower in the women with fibromyalgia than in the controls. Mineral status, magnesium included, may deserve attention in the care of women with fibromyalgia.')],
  [author('Kim', 'Yang-Soo', 'YS', 'Department of Family Medicine, Seoul, Korea.'), author('Kim', 'Kwang-Min', 'KM')],
  'Journal of Korean medical science', 'J Korean Med Sci', '1598-6357', '26', '10', '2011', 'Oct', '1253-7',
  ['Journal Article'],
  ['Case-Control Studies', 'Female', '*Fibromyalgia/metabolism', '*Hair/chemistry', 'Humans', '*Magnesium/analysis', 'Minerals/analysis'],
  [('received', '2011-03-01'), ('accepted', '2011-07-01'), ('entrez', '2011-10-01'), ('pubmed', '2011-10-01')],
  [('doi', '10.3346/jkms.2011.26.10.1253')])

watches = {
  'mg': ['bagis', 'macian', 'engen', 'russell', 'kim'],
  'ami': ['bagis'],
  'trials': ['bagis', 'macian', 'russell'],
}
terms = {
 'mg': 'magnesium', 'ami': 'amitriptyline', 'trials': 'clinical trial[pt]',
}
ESEARCH_IDS = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
               '<eSearchResult><Count>{n}</Count><RetMax>{n}</RetMax><RetStart>0</RetStart><IdList>\n{ids}</IdList><TranslationSet/><QueryTranslation>fmwatch offline snapshot</QueryTranslation></eSearchResult>\n')
PMIDS = {'bagis': '22271372', 'macian': '35631229', 'engen': '99000103', 'russell': '99000104', 'kim': '99000105'}
index = []
# Citation linking: searches by first author, ECitMatch by volume and page, and efetch by id.
for key, author in (('bagis', 'Bagis S[au]'), ('macian', 'Macian N[au]')):
    open(f'esearch_cite_{key}.xml', 'w').write(ESEARCH_IDS.format(n=1, ids=f'<Id>{PMIDS[key]}</Id>\n'))
    index.append({'path': 'esearch.fcgi', 'params_contain': {'term': author}, 'file': f'esearch_cite_{key}.xml'})
for key, line in (('bagis', 'Rheumatol Int|2013|33|167|Bagis S|fmwatch'), ('engen', 'J Integr Med|2015|13|306|Engen DJ|fmwatch'),
                  ('russell', 'J Rheumatol|1995|22|953|Russell IJ|fmwatch'), ('kim', 'J Korean Med Sci|2011|26|1253|Kim YS|fmwatch')):
    open(f'ecitmatch_{key}.txt', 'w').write(f'{line}|{PMIDS[key]}\n')
    index.append({'path': 'ecitmatch.cgi', 'params_contain': {'bdata': line.split('|')[4]}, 'file': f'ecitmatch_{key}.txt',
                  'headers': {'Content-Type': 'text/plain'}})
for key, pmid in PMIDS.items():
    open(f'efetch_id_{pmid}.xml', 'w').write(HEAD + R[key] + TAIL)
    index.append({'path': 'efetch.fcgi', 'params': {'id': pmid}, 'file': f'efetch_id_{pmid}.xml'})
for key, recs in watches.items():
    webenv = f'MCID_fmwatch_snapshot_{key}'
    es = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
          f'<eSearchResult><Count>{len(recs)}</Count><RetMax>0</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv><IdList>{"".join(f"<Id>{PMIDS[r]}</Id>" for r in recs)}</IdList><TranslationSet/><QueryTranslation>fmwatch offline snapshot</QueryTranslation></eSearchResult>\n')
    open(f'esearch_{key}.xml', 'w').write(es)
    open(f'efetch_{key}.xml', 'w').write(HEAD + ''.join(R[r] for r in recs) + TAIL)
    index.append({'path': 'esearch.fcgi', 'params': {'db': 'pubmed'}, 'params_contain': {'term': terms[key]}, 'file': f'esearch_{key}.xml'})
    index.append({'path': 'efetch.fcgi', 'params': {'WebEnv': webenv, 'query_key': '1', 'retstart': '0'}, 'file': f'efetch_{key}.xml'})
open('elink_citedin.xml', 'w').write('<?xml version="1.0" encoding="UTF-8" ?>\n<!-- fmwatch offline snapshot: no citing records are recorded -->\n<eLinkResult><LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>22271372</Id></IdList></LinkSet></eLinkResult>\n')
index.insert(0, {"path": "elink.fcgi", "params": {"linkname": "pubmed_pubmed_citedin"}, "file": "elink_citedin.xml"})
json.dump(index, open('index.json', 'w'), indent=1)
