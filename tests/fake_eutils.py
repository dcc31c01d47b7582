"""An NCBI-shaped E-utilities server for tests (pytest-httpserver), written by the team.

It answers esearch (history server: Count, QueryKey, WebEnv, IdList up to retmax; date ranges
in the term, ``("2026/11/27"[CRDT] : "3000"[CRDT]) OR (...[MDAT])``, and the older
datetype/mindate/maxdate parameters; ErrorList/WarningList for terms set to be "not found") and
efetch (PubmedArticleSet for retstart/retmax of a stored search, or for ids) over a pool of
generated records, each with its own create (CRDT), entrez (EDAT) and modification (MDAT)
dates, optionally retracted. It logs every request with its arrival time, can withhold
records from efetch (a short answer, as NCBI sometimes gives), and can inject faults.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qs

from werkzeug import Request, Response

ESEARCH = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">
<eSearchResult><Count>{count}</Count><RetMax>0</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv><IdList/><TranslationSet/><QueryTranslation>{term}</QueryTranslation></eSearchResult>
"""


def article_xml(pmid: str, entrez: date, title: str | None = None, *, revised: date | None = None,
                retracted_by: str | None = None, abstract: str | None = None) -> str:
    """A PubMed record in NCBI's shape. ``retracted_by``: the PMID of a retraction notice, which
    PubMed adds to the record as CommentsCorrections RefType="RetractionIn" and the publication
    type "Retracted Publication"; ``revised`` is its DateRevised (MDAT)."""
    types = '<PublicationType UI="D016428">Journal Article</PublicationType>'
    corrections = ""
    if retracted_by:
        types += '<PublicationType UI="D016441">Retracted Publication</PublicationType>'
        corrections = (f'<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn"><RefSource>Test J. '
                       f'{(revised or entrez).year}</RefSource><PMID Version="1">{retracted_by}</PMID>'
                       f'</CommentsCorrections></CommentsCorrectionsList>')
    revised_xml = (f"<DateRevised><Year>{revised.year}</Year><Month>{revised.month:02d}</Month><Day>{revised.day:02d}"
                   f"</Day></DateRevised>") if revised else ""
    abstract_xml = f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>" if abstract else ""
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>{revised_xml}'
        f'<Article PubModel="Print"><Journal><Title>Test journal</Title><ISOAbbreviation>Test J</ISOAbbreviation>'
        f'<JournalIssue><PubDate><Year>{entrez.year}</Year></PubDate></JournalIssue></Journal>'
        f'<ArticleTitle>{title or f"Generated record {pmid}"}</ArticleTitle>{abstract_xml}<Language>eng</Language>'
        f'<PublicationTypeList>{types}</PublicationTypeList>'
        f'</Article>{corrections}</MedlineCitation><PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>{entrez.year}</Year>'
        f'<Month>{entrez.month}</Month><Day>{entrez.day}</Day></PubMedPubDate></History>'
        f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>'
    )


@dataclass
class FakeRecord:
    """One record of the fake PubMed. ``crdt`` and ``mdat`` default to the entrez date; ``matches``
    (query substrings) limits which watches find it (None: every watch search)."""

    entrez: date
    title: str | None = None
    crdt: date | None = None
    mdat: date | None = None
    retracted_by: str | None = None
    abstract: str | None = None
    matches: tuple[str, ...] | None = None

    def date_of(self, field: str) -> date:
        return {"EDAT": self.entrez, "CRDT": self.crdt or self.entrez,
                "MDAT": self.mdat or self.crdt or self.entrez}[field]

    def xml(self, pmid: str) -> str:
        return article_xml(pmid, self.entrez, self.title, revised=self.mdat, retracted_by=self.retracted_by,
                           abstract=self.abstract)


_RANGE = re.compile(r'\("(\d{4}/\d{2}/\d{2})"\[(CRDT|MDAT|EDAT|PDAT)\] : "(\d{4}(?:/\d{2}/\d{2})?)"\[\2\]\)')


@dataclass
class Logged:
    at: float
    endpoint: str
    params: dict[str, str]
    status: int = 200


@dataclass
class FakeEutils:
    """Records: pmid -> FakeRecord. ``fault`` may turn any request into a failure."""

    records: dict[str, FakeRecord] = field(default_factory=dict)
    # term substring -> PMIDs: answers for searches that are not watch windows (citation lookups)
    term_answers: dict[str, list[str]] = field(default_factory=dict)
    citations: dict[str, str] = field(default_factory=dict)  # author in bdata -> PMID (ECitMatch)
    cited_by: dict[str, list[str]] = field(default_factory=dict)  # PMID -> PMIDs citing it (ELink)
    fault: Callable[["FakeEutils", Logged], Response | None] | None = None
    # term substring -> [(element, text)]: esearch reports it under ErrorList (PhraseNotFound,
    # FieldNotFound) or WarningList (QuotedPhraseNotFound, PhraseIgnored), as NCBI does for a term
    # it dropped, and runs the rest
    not_found: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # PMIDs efetch leaves out of history-server batches (a short answer); ``withheld_by_id`` too
    short_history: set[str] = field(default_factory=set)
    withheld_by_id: set[str] = field(default_factory=set)
    log: list[Logged] = field(default_factory=list)
    searches: dict[str, list[str]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, pmid: str | int, entrez: date, title: str | None = None, **details) -> FakeRecord:
        """Add a record (``details``: crdt, mdat, retracted_by, abstract, matches)."""
        record = self.records[str(pmid)] = FakeRecord(entrez, title, **details)
        return record

    def install(self, httpserver) -> str:
        httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(self._esearch)
        httpserver.expect_request("/eutils/efetch.fcgi").respond_with_handler(self._efetch)
        httpserver.expect_request("/eutils/ecitmatch.cgi").respond_with_handler(self._ecitmatch)
        httpserver.expect_request("/eutils/elink.fcgi").respond_with_handler(self._elink)
        return httpserver.url_for("/eutils/")

    # -- handlers ----------------------------------------------------------------------------

    def _params(self, request: Request) -> dict[str, str]:
        params = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
        params.update({k: v for k, v in request.form.items()})
        return params

    def _enter(self, endpoint: str, request: Request) -> tuple[Logged, Response | None]:
        entry = Logged(time.monotonic(), endpoint, self._params(request))
        with self._lock:
            self.log.append(entry)
        injected = self.fault(self, entry) if self.fault else None
        if injected is not None:
            entry.status = injected.status_code
        return entry, injected

    def _matching(self, params: dict[str, str]) -> list[str]:
        low = _parse(params.get("mindate")) or date.min
        high = _parse(params.get("maxdate")) or date.max
        field_name = (params.get("datetype") or "edat").upper()
        term = params.get("term", "")
        ranges = [(f, _parse(a), _parse(b) if len(b) > 4 else date.max) for a, f, b in _RANGE.findall(term)]

        def found(record: FakeRecord) -> bool:
            if record.matches is not None and not any(m in term for m in record.matches):
                return False
            if not low <= record.date_of(field_name) <= high:
                return False
            # ranges in the term are ORed (the pipeline's window); none means no date limit
            return not ranges or any(a <= record.date_of(f) <= b for f, a, b in ranges)
        return sorted((p for p, r in self.records.items() if found(r)), key=int)

    def _esearch(self, request: Request) -> Response:
        entry, injected = self._enter("esearch", request)
        if injected is not None:
            return injected
        for fragment, answer in self.term_answers.items():
            if fragment in entry.params.get("term", ""):
                body = ESEARCH.format(count=len(answer), webenv="", term="test").replace(
                    "<IdList/>", "<IdList>" + "".join(f"<Id>{p}</Id>" for p in answer) + "</IdList>")
                return Response(body, content_type="text/xml")
        ids = self._matching(entry.params)
        webenv = f"MCID_test_{next(self._ids)}"
        self.searches[webenv] = ids
        listed = ids[:int(entry.params.get("retmax", 20))]
        body = ESEARCH.format(count=len(ids), webenv=webenv, term="test").replace(
            "<IdList/>", "<IdList>" + "".join(f"<Id>{p}</Id>" for p in listed) + "</IdList>")
        errors = [x for fragment, found in self.not_found.items() if fragment in entry.params.get("term", "")
                  for x in found]
        if errors:
            error_list = "".join(f"<{tag}>{text}</{tag}>" for tag, text in errors if tag in ("PhraseNotFound", "FieldNotFound"))
            warning_list = "".join(f"<{tag}>{text}</{tag}>" for tag, text in errors
                                   if tag not in ("PhraseNotFound", "FieldNotFound"))
            tail = (f"<ErrorList>{error_list}</ErrorList>" if error_list else "") + (
                f"<WarningList>{warning_list}</WarningList>" if warning_list else "")
            body = body.replace("</eSearchResult>", tail + "</eSearchResult>")
        return Response(body, content_type="text/xml")

    def _efetch(self, request: Request) -> Response:
        entry, injected = self._enter("efetch", request)
        if injected is not None:
            return injected
        params = entry.params
        if "id" in params:
            ids = [i for i in params["id"].split(",") if i in self.records and i not in self.withheld_by_id]
        else:
            ids = self.searches.get(params.get("WebEnv", ""), [])
            start, size = int(params.get("retstart", 0)), int(params.get("retmax", 20))
            ids = [i for i in ids[start:start + size] if i not in self.short_history]
        body = "<?xml version=\"1.0\" ?>\n<PubmedArticleSet>\n" + "\n".join(
            self.records[p].xml(p) for p in ids) + "\n</PubmedArticleSet>\n"
        return Response(body, content_type="text/xml")

    def _ecitmatch(self, request: Request) -> Response:
        entry, injected = self._enter("ecitmatch", request)
        if injected is not None:
            return injected
        bdata = entry.params.get("bdata", "")
        pmid = next((p for author, p in self.citations.items() if author in bdata), "NOT_FOUND")
        return Response(bdata + pmid + "\n", content_type="text/plain")

    def _elink(self, request: Request) -> Response:
        entry, injected = self._enter("elink", request)
        if injected is not None:
            return injected
        pmid = entry.params.get("id", "")
        links = "".join(f"<Link><Id>{p}</Id></Link>" for p in self.cited_by.get(pmid, []))
        linkset = (f"<LinkSetDb><DbTo>pubmed</DbTo><LinkName>pubmed_pubmed_citedin</LinkName>{links}</LinkSetDb>"
                   if links else "")
        return Response(f'<?xml version="1.0"?>\n<eLinkResult><LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>{pmid}</Id>'
                        f"</IdList>{linkset}</LinkSet></eLinkResult>", content_type="text/xml")

    # -- what the tests look at --------------------------------------------------------------

    def max_requests_in_any_second(self, statuses: set[int] | None = None) -> int:
        times = sorted(e.at for e in self.log if statuses is None or e.status in statuses)
        best = 0
        for i, start in enumerate(times):
            best = max(best, sum(1 for t in times[i:] if t - start < 1.0))
        return best


def _parse(value: str | None) -> date | None:
    return datetime.strptime(value, "%Y/%m/%d").date() if value else None
