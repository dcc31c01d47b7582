"""An NCBI-shaped E-utilities server for tests (pytest-httpserver), written by the team.

It answers esearch (history server: Count, QueryKey, WebEnv; edat date windows) and
efetch (PubmedArticleSet for retstart/retmax of a stored search) over a pool of
generated records, logs every request with its arrival time, and can inject faults.
"""

from __future__ import annotations

import itertools
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


def article_xml(pmid: str, entrez: date, title: str | None = None) -> str:
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        f'<Article PubModel="Print"><Journal><Title>Test journal</Title><ISOAbbreviation>Test J</ISOAbbreviation>'
        f'<JournalIssue><PubDate><Year>{entrez.year}</Year></PubDate></JournalIssue></Journal>'
        f'<ArticleTitle>{title or f"Generated record {pmid}"}</ArticleTitle><Language>eng</Language>'
        f'<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>'
        f'</Article></MedlineCitation><PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>{entrez.year}</Year>'
        f'<Month>{entrez.month}</Month><Day>{entrez.day}</Day></PubMedPubDate></History>'
        f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>'
    )


@dataclass
class Logged:
    at: float
    endpoint: str
    params: dict[str, str]
    status: int = 200


@dataclass
class FakeEutils:
    """Records: pmid -> (entrez date, title). ``fault`` may turn any request into a failure."""

    records: dict[str, tuple[date, str | None]] = field(default_factory=dict)
    # term substring -> PMIDs: answers for searches that are not watch windows (citation lookups)
    term_answers: dict[str, list[str]] = field(default_factory=dict)
    citations: dict[str, str] = field(default_factory=dict)  # author in bdata -> PMID (ECitMatch)
    cited_by: dict[str, list[str]] = field(default_factory=dict)  # PMID -> PMIDs citing it (ELink)
    fault: Callable[["FakeEutils", Logged], Response | None] | None = None
    log: list[Logged] = field(default_factory=list)
    searches: dict[str, list[str]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, pmid: str | int, entrez: date, title: str | None = None) -> None:
        self.records[str(pmid)] = (entrez, title)

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
        return sorted((p for p, (d, _) in self.records.items() if low <= d <= high), key=int)

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
        body = ESEARCH.format(count=len(ids), webenv=webenv, term="test")
        return Response(body, content_type="text/xml")

    def _efetch(self, request: Request) -> Response:
        entry, injected = self._enter("efetch", request)
        if injected is not None:
            return injected
        params = entry.params
        if "id" in params:
            ids = [i for i in params["id"].split(",") if i in self.records]
        else:
            ids = self.searches.get(params.get("WebEnv", ""), [])
            start, size = int(params.get("retstart", 0)), int(params.get("retmax", 20))
            ids = ids[start:start + size]
        body = "<?xml version=\"1.0\" ?>\n<PubmedArticleSet>\n" + "\n".join(
            article_xml(p, *self.records[p]) for p in ids) + "\n</PubmedArticleSet>\n"
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
