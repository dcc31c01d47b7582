"""PubMed through NCBI E-utilities: esearch on the history server, efetch XML in batches.

The source yields response bodies; parsing and storage are other stages' work.
Every request carries ``tool``, ``email`` and ``api_key`` and goes by POST, so the
key is never part of a URL (URLs end up in logs, exceptions and the raw archive).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import requests
from lxml import etree

from ..http import Fetcher, FetchError, TransientFetchError

log = logging.getLogger("fmwatch.pubmed")

# esearch cannot page past this many ids, and history-server efetch is held to it too.
ESEARCH_LIMIT = 10_000
EARLIEST = date(1800, 1, 1)
PUBMED_CEILING = 100_000_000  # PubMed holds about 38 million records (2025): a larger Count is a broken answer
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class EutilsError(FetchError):
    """E-utilities answered, but not with what was asked for."""


@dataclass(frozen=True)
class SearchResult:
    """One esearch answer, or a list of PMIDs to fetch by id (``by_id``).

    ``ids`` are the PMIDs esearch listed (all of them when ``count`` is under ``ESEARCH_LIMIT``;
    empty when the answer listed none, as a recorded snapshot may). ``not_run`` names what NCBI
    did not run as written ("PhraseNotFound: fibromyalgai"): the search then ran without it.
    """

    term: str
    count: int
    webenv: str | None
    query_key: str | None
    mindate: date | None = None
    maxdate: date | None = None
    ids: tuple[str, ...] = ()
    not_run: tuple[str, ...] = ()
    by_id: bool = False

    def only(self, pmids: list[str]) -> "SearchResult":
        """The same search narrowed to these PMIDs, fetched by id (not from the history server)."""
        return SearchResult(self.term, len(pmids), None, None, self.mindate, self.maxdate, tuple(pmids),
                            self.not_run, by_id=True)


@dataclass(frozen=True)
class EfetchBatch:
    retstart: int
    body: bytes
    url: str


def _fmt(day: date) -> str:
    return day.strftime("%Y/%m/%d")


def _error_inside_200(root: etree._Element) -> str | None:
    error = root.find("ERROR")
    if error is not None:
        return " ".join("".join(error.itertext()).split()) or "empty <ERROR>"
    return None


def _json_error(body: bytes) -> str | None:
    """E-utilities' JSON answers carry errors as "ERROR" or "error", at the top or one level down."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for scope in [data, *[v for v in data.values() if isinstance(v, dict)]]:
        for key in ("ERROR", "error"):
            if scope.get(key):
                return str(scope[key])
    return None


def validate_esearch(response: requests.Response, body: bytes) -> None:
    if body.lstrip()[:1] == b"{":
        message = _json_error(body)
        if message:
            raise TransientFetchError(f"esearch answered with an error: {message}")
        raise EutilsError("esearch answered with JSON; fmwatch asks for XML")
    try:
        root = etree.fromstring(body, _SAFE)
    except etree.XMLSyntaxError as error:
        raise TransientFetchError(f"esearch answer is not complete XML ({error})") from None
    message = _error_inside_200(root)
    if message:
        raise TransientFetchError(f"esearch answered with an error: {message}")
    if root.tag != "eSearchResult" or root.findtext("Count") is None:
        raise TransientFetchError(f"esearch answer has no <Count> (root <{root.tag}>)")


def validate_efetch(response: requests.Response, body: bytes) -> None:
    """A batch must be a whole PubMed article set; anything else is retried.

    A full parse would cost as much as the real one, so this checks the two ends:
    an ``<ERROR>`` near the start, and the closing tag at the end (a cut-off body lacks it).
    """
    if body.lstrip()[:1] == b"{":
        raise TransientFetchError(f"efetch answered with JSON, not XML: {_json_error(body) or body[:200]!r}")
    head = body[:2048]
    if b"<ERROR>" in head or b"<eFetchResult" in head:
        try:
            message = _error_inside_200(etree.fromstring(body, _SAFE)) or "eFetchResult without records"
        except etree.XMLSyntaxError:
            message = body[:200].decode("utf-8", "replace")
        raise TransientFetchError(f"efetch answered with an error: {message}")
    tail = body[-256:].rstrip()
    if not (tail.endswith(b"</PubmedArticleSet>") or tail.endswith(b"</PubmedBookArticleSet>")
            or tail.endswith(b"<PubmedArticleSet/>") or tail.endswith(b"<PubmedArticleSet></PubmedArticleSet>")):
        raise TransientFetchError("efetch answer is truncated (no closing </PubmedArticleSet>)")


# What esearch reports under ErrorList and WarningList when it did not run the term as written
# (E-utilities help, "ESearch": PhraseNotFound, FieldNotFound, PhraseIgnored, QuotedPhraseNotFound).
# OutputMessage ("No items found.") only says the answer is empty.
_NOT_AN_ALTERATION = frozenset(("OutputMessage",))


def parse_esearch(body: bytes, term: str, mindate: date | None = None, maxdate: date | None = None) -> SearchResult:
    """An esearch XML answer as a SearchResult: count, history key, the listed PMIDs, and what of
    the term NCBI did not run as written (``not_run``, from ErrorList and WarningList)."""
    root = etree.fromstring(body, _SAFE)
    not_run = []
    for listing in ("ErrorList", "WarningList"):
        for node in root.iterfind(f"{listing}/*"):
            text = " ".join("".join(node.itertext()).split())
            if node.tag not in _NOT_AN_ALTERATION and text:
                not_run.append(f"{node.tag}: {text}")
    count = int(root.findtext("Count"))
    if count > PUBMED_CEILING:
        raise EutilsError(
            f"esearch counted {count:,} records for {term!r}, more than all of PubMed (under {PUBMED_CEILING:,}): "
            "the answer cannot be right. Check FMWATCH_EUTILS_URL points at NCBI (not a proxy or a test server) "
            "and run again.")
    return SearchResult(
        term=term,
        count=count,
        webenv=root.findtext("WebEnv"),
        query_key=root.findtext("QueryKey"),
        mindate=mindate,
        maxdate=maxdate,
        ids=tuple(i.text.strip() for i in root.iterfind("IdList/Id") if i.text and i.text.strip()),
        not_run=tuple(not_run),
    )


def date_range(field: str, low: date, high: date | None = None) -> str:
    """A PubMed date-range term: ``("2026/11/27"[CRDT] : "3000"[CRDT])``; no ``high`` means to the
    present (PubMed's documented "3000" upper bound)."""
    return f'("{_fmt(low)}"[{field}] : "{_fmt(high) if high else "3000"}"[{field}])'


def window_term(query: str, since: date | None) -> str:
    """The watch's query over what is new or revised since ``since`` (None: everything).

    New records by create date (CRDT: when the record entered PubMed, whatever its publication
    date) and revised ones by modification date (MDAT: moves when a retraction, erratum or
    expression of concern is added), in one search, so an incremental run costs one esearch.
    """
    if since is None:
        return query
    return f"({query}) AND ({date_range('CRDT', since)} OR {date_range('MDAT', since)})"


class EutilsClient:
    def __init__(self, fetcher: Fetcher, base_url: str, *, api_key: str | None, email: str | None,
                 tool: str = "fmwatch", batch_size: int = 500):
        self.fetcher = fetcher
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.identity = {"tool": tool, "email": email, "api_key": api_key}
        self.batch_size = batch_size

    def _post(self, endpoint: str, params: dict, validate) -> requests.Response:
        data = {k: v for k, v in {**params, **self.identity}.items() if v is not None}
        return self.fetcher.request("POST", self.base_url + endpoint, data=data, validate=validate)

    def esearch(self, term: str, mindate: date | None = None, maxdate: date | None = None, *,
                retmax: int = ESEARCH_LIMIT) -> SearchResult:
        """Run ``term``, leave the matches on the history server (``usehistory=y``) and list their
        PMIDs (up to ``retmax``), so what efetch delivers can be checked id by id.

        ``mindate``/``maxdate`` only label the result (the dates are in the term itself).
        """
        params = {"db": "pubmed", "term": term, "usehistory": "y", "retmax": retmax}
        response = self._post("esearch.fcgi", params, validate_esearch)
        return parse_esearch(response.content, term, mindate, maxdate)

    def search_windows(self, query: str, since: date | None, today: date) -> list[SearchResult]:
        """Searches that together cover what ``query`` matches, new (CRDT) or revised (MDAT) since
        ``since`` (None: everything), each under esearch's 10,000.

        One search when it fits; otherwise the CRDT range (and, incrementally, the MDAT range) is
        split in halves by date until each part fits (the parts may share PMIDs: a record created
        and revised in the window is in both; the pipeline fetches it once). A search NCBI did not
        run as written is returned as it is (``not_run``) for the caller to refuse.
        """
        first = self.esearch(window_term(query, since), since, today)
        if first.count < ESEARCH_LIMIT or first.not_run:
            return [first]
        windows = self._split(query, "CRDT", since or EARLIEST, today)
        return windows + (self._split(query, "MDAT", since, today) if since else [])

    def _split(self, query: str, field: str, start: date, end: date) -> list[SearchResult]:
        middle = start + (end - start) // 2
        windows = []
        for low, high in ((start, middle), (middle + timedelta(days=1), end)):
            if low > high:
                continue
            result = self.esearch(f"({query}) AND {date_range(field, low, high)}", low, high)
            if result.count < ESEARCH_LIMIT:
                windows += [result] if result.count else []
            elif low == high:
                raise EutilsError(
                    f"{result.count} records share the date {low} ({field}) for {query!r}: over esearch's "
                    f"{ESEARCH_LIMIT} limit, and a day cannot be split further. Narrow the watch's query.")
            else:
                windows += self._split(query, field, low, high)
        return windows

    def efetch_batches(self, search: SearchResult) -> Iterator[EfetchBatch]:
        """The search's records as PubMed XML, ``batch_size`` at a time, from the history server."""
        for retstart in self.batch_starts(search):
            yield self.efetch_batch(search, retstart)

    def batch_starts(self, search: SearchResult) -> list[int]:
        if not search.count:
            return []
        if search.by_id:
            return list(range(0, len(search.ids), self.batch_size))
        if not (search.webenv and search.query_key):
            raise EutilsError(f"esearch for {search.term!r} returned no WebEnv/QueryKey to fetch from")
        return [n * self.batch_size for n in range(math.ceil(search.count / self.batch_size))]

    def efetch_batch(self, search: SearchResult, retstart: int) -> EfetchBatch:
        if search.by_id:
            params = {"db": "pubmed", "id": ",".join(search.ids[retstart:retstart + self.batch_size]),
                      "retmode": "xml"}
        else:
            params = {"db": "pubmed", "query_key": search.query_key, "WebEnv": search.webenv,
                      "retstart": retstart, "retmax": self.batch_size, "retmode": "xml"}
        response = self._post("efetch.fcgi", params, validate_efetch)
        return EfetchBatch(retstart=retstart, body=response.content,
                           url=self.fetcher.fetched[-1].url if self.fetcher.fetched else self.base_url + "efetch.fcgi")

    def efetch_ids(self, pmids: list[str]) -> bytes:
        """PubMed XML for a list of PMIDs (by POST, so a long list is fine)."""
        params = {"db": "pubmed", "id": ",".join(pmids), "retmode": "xml"}
        return self._post("efetch.fcgi", params, validate_efetch).content

    def esearch_ids(self, term: str, retmax: int = 20) -> tuple[int, list[str]]:
        """(count, first ``retmax`` PMIDs) of a search, without the history server."""
        response = self._post("esearch.fcgi", {"db": "pubmed", "term": term, "retmax": retmax}, validate_esearch)
        root = etree.fromstring(response.content, _SAFE)
        return int(root.findtext("Count")), [i.text.strip() for i in root.iterfind("IdList/Id") if i.text]

    def esearch_pmids(self, term: str, mindate: date | None, maxdate: date,
                      retmax: int = ESEARCH_LIMIT - 1) -> tuple[int, list[str]]:
        """(count, PMIDs) of a watch's search in one request, without the history server: what a
        watch backed by a local mirror asks NCBI for (issue 15b). ``mindate`` None searches all
        dates, as ``search_windows`` does; when count exceeds the PMIDs listed, one request was not
        enough and the caller falls back to the history server."""
        params = {"db": "pubmed", "term": term, "retmax": retmax}
        if mindate:
            params.update(datetype="edat", mindate=_fmt(mindate), maxdate=_fmt(maxdate))
        response = self._post("esearch.fcgi", params, validate_esearch)
        root = etree.fromstring(response.content, _SAFE)
        return int(root.findtext("Count")), [i.text.strip() for i in root.iterfind("IdList/Id") if i.text]

    def ecitmatch(self, journal: str, year: int | None, volume: str, first_page: str, author: str,
                  key: str = "fmwatch") -> str | None:
        """The PMID ECitMatch finds for a citation, or None (not found or ambiguous)."""
        bdata = "|".join([journal, str(year or ""), volume, first_page, author, key]) + "|"
        response = self._post("ecitmatch.cgi", {"db": "pubmed", "retmode": "xml", "bdata": bdata}, None)
        for line in response.text.splitlines():
            fields = line.strip().split("|")
            if len(fields) >= 7 and fields[5] == key and fields[6].strip().isdigit():
                return fields[6].strip()
        return None

    def elink_citedin(self, pmid: str) -> list[str]:
        """PMIDs of the PubMed records that cite ``pmid`` (ELink, linkname pubmed_pubmed_citedin)."""
        params = {"dbfrom": "pubmed", "db": "pubmed", "linkname": "pubmed_pubmed_citedin", "id": pmid}
        response = self._post("elink.fcgi", params, validate_elink)
        root = etree.fromstring(response.content, _SAFE)
        return [node.text.strip() for node in root.iterfind(
            "LinkSet/LinkSetDb[LinkName='pubmed_pubmed_citedin']/Link/Id") if node.text]


def validate_elink(response: requests.Response, body: bytes) -> None:
    try:
        root = etree.fromstring(body, _SAFE)
    except etree.XMLSyntaxError as error:
        raise TransientFetchError(f"elink answer is not complete XML ({error})") from None
    message = _error_inside_200(root) or (root.findtext("LinkSet/ERROR") if root.find("LinkSet/ERROR") is not None else None)
    if message:
        raise TransientFetchError(f"elink answered with an error: {message}")
    if root.tag != "eLinkResult":
        raise TransientFetchError(f"elink answer has root <{root.tag}>")
