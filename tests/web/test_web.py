"""The web app through Flask's test client, over a real index built in tmp_path.

HTML is parsed with BeautifulSoup and feeds with ElementTree; expectations come from the corpus
(tests/browser/corpus.py) and from the JSON API twin, never from numbers typed in here.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from indexer import index_articles, iter_articles
from tests.browser.corpus import (
    ODD_ID,
    WORD,
    XSS_ID,
    XSS_TEXT,
    all_articles,
    lighthouse_articles,
    xss_article,
)
from tests.conftest import SEED, write_jsonl
from webapp import create_app
from webapp.context import SEARCH_PARAMS

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    corpus = write_jsonl(root / "corpus.jsonl", all_articles())
    report = index_articles(root / "index", iter_articles([str(corpus), str(SEED)]))
    assert report.failed == 0, report.errors
    return root / "index"


@pytest.fixture(scope="module")
def app(index_dir: Path) -> Iterator[Flask]:
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    yield app
    app.extensions["newsfind_index"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def api(client: FlaskClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    return data


def articles_mentioning(word: str) -> set[str]:
    found = set()
    for article in all_articles():
        texts = [article.get("headline", ""), *article["paragraphs"]]
        texts += [c["text"] for c in article.get("captions", [])]
        if any(word in t.lower() for t in texts):
            found.add(article["id"])
    return found


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


# --- configuration -------------------------------------------------------------------------


def test_config_defaults_then_env_then_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFIND_INDEX", "from-env")
    monkeypatch.setenv("NEWSFIND_FEED_SIZE", "7")
    app = create_app()
    assert app.config["INDEX_DIR"] == "from-env"
    assert app.config["FEED_SIZE"] == 7
    app = create_app({"INDEX_DIR": "from-caller"})
    assert app.config["INDEX_DIR"] == "from-caller"
    assert app.config["FEED_SIZE"] == 7
    monkeypatch.delenv("NEWSFIND_INDEX")
    assert create_app().config["INDEX_DIR"] == "index_data"


def test_debug_stays_off_whatever_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFIND_DEBUG", "true")
    assert create_app().debug is False
    assert create_app({"DEBUG": True}).debug is False


# --- the search page ------------------------------------------------------------------------


def test_home_page_has_a_labelled_search_box(client: FlaskClient) -> None:
    page = soup(client.get("/"))
    box = page.select_one("form[role=search] input[name=q]")
    assert box is not None
    assert page.select_one(f"label[for={box['id']}]") is not None
    assert page.select_one("link[rel=search][type='application/opensearchdescription+xml']")


def test_results_are_the_articles_that_mention_the_word(client: FlaskClient) -> None:
    expected = articles_mentioning(WORD)
    data = api(client, q=WORD, per_page=100)
    assert {r["article_id"] for r in data["results"]} == expected
    page = soup(client.get("/search", query_string={"q": WORD, "per_page": "100"}))
    results = page.select("li.result")
    assert len(results) == len(expected)
    assert page.select_one("input[name=q]")["value"] == WORD
    for li, result in zip(results, data["results"], strict=True):
        title = li.select_one(".result-title a")
        assert " ".join(title.get_text().split()) == result["headline"]
        assert urlsplit(title["href"]).path == f"/articles/{result['article_id']}"
        # a headline hit marks the title instead of repeating it as a hit (issue 18)
        marks = li.select(".hit mark, .result-title mark")
        assert marks and all(m.get_text().lower() == WORD for m in marks)
        anchors = [urlsplit(a["href"]).fragment for a in li.select("a.hit-link")]
        passages = [h for h in result["hits"] if h["kind"] != "headline"]
        assert anchors == [f"doc-{h['position']}" for h in passages]
        more = li.select_one(".more-hits")
        if result["more_hits"]:
            assert more is not None
            assert more.get_text(" ", strip=True).startswith(f"{result['more_hits']} more match")
        else:
            assert more is None


def test_page_shows_counts_and_time(client: FlaskClient) -> None:
    data = api(client, q=WORD)
    text = soup(client.get("/search", query_string={"q": WORD})).select_one(".results-count")
    words = text.get_text(" ", strip=True)
    assert f"{data['total_hits']} matches" in words
    assert f"{data['total_articles']} articles" in words
    assert re.search(r"[\d.]+ ms", words)


def test_captions_show_as_photo_captions_with_credit_and_date(client: FlaskClient) -> None:
    page = soup(client.get("/search", query_string={"q": "sunrise", "kind": "caption"}))
    figures = page.select("li.hit-caption figure")
    assert figures
    by_text = {
        c["text"]: c
        for a in all_articles()
        for c in a.get("captions", [])
        if "sunrise" in c["text"]
    }
    for figure in figures:
        caption = by_text[figure.select_one(".snippet").get_text()]
        credit = figure.select_one("figcaption .credit").get_text()
        assert credit == caption["credit"]
        assert figure.select_one("figcaption time")["datetime"] == caption["date"]


def facet_links(page: BeautifulSoup, name: str) -> dict[str, Any]:
    links = {}
    for li in page.select(f".facet-{name} .facet-value"):
        links[li.select_one(".facet-label").get_text()] = li
    return links


def test_kind_facet_applies_and_removes_in_one_click(client: FlaskClient) -> None:
    page = soup(client.get("/search", query_string={"q": WORD}))
    data = api(client, q=WORD)
    kinds = facet_links(page, "kind")
    assert {li.select_one(".facet-count").get_text() for li in kinds.values()} == {
        str(n) for n in data["facets"]["kind"].values()
    }
    caption = kinds["Photo captions"].select_one("a")["href"]
    assert query_of(caption) == {"q": [WORD], "kind": ["caption"]}
    applied = soup(client.get(caption))
    kinds_shown = {li["class"][-1] for li in applied.select("li.hit")}
    assert kinds_shown == {"hit-caption"}
    active = applied.select_one(".facet-kind .facet-value.is-active a")
    assert active is not None and query_of(active["href"]) == {"q": [WORD]}
    chip = applied.select_one(".active-filters .chip-remove")
    assert query_of(chip["href"]) == {"q": [WORD]}


def test_source_and_month_facets_match_the_api(client: FlaskClient) -> None:
    data = api(client, q=WORD)
    page = soup(client.get("/search", query_string={"q": WORD}))
    sources = facet_links(page, "source")
    assert set(sources) == set(data["facets"]["source"])
    reuters = soup(client.get(sources["Reuters"].select_one("a")["href"]))
    assert {r["source"] for r in api(client, q=WORD, source="reuters")["results"]} == {"Reuters"}
    assert reuters.select_one(".facet-source .is-active .facet-label").get_text() == "Reuters"
    months = facet_links(page, "month")
    assert len(months) == len(data["facets"]["month"])
    october = query_of(months["October 2023"].select_one("a")["href"])
    assert october["from"] == ["2023-10-01"] and october["to"] == ["2023-10-31"]
    in_october = api(client, q=WORD, **{"from": "2023-10-01", "to": "2023-10-31"})
    assert in_october["results"]
    assert all(r["published"].startswith("2023-10") for r in in_october["results"])


def test_credit_facet_narrows_the_query_and_undoes_it(client: FlaskClient) -> None:
    page = soup(client.get("/search", query_string={"q": WORD}))
    credits = facet_links(page, "credit")
    credit = "Jane Doe/AP"
    href = credits[credit].select_one("a")["href"]
    narrowed = query_of(href)["q"][0]
    data = api(client, q=narrowed)
    hits = [h for r in data["results"] for h in r["hits"]]
    assert hits and {h["credit"] for h in hits} == {credit}
    applied = soup(client.get(href))
    remove = applied.select_one(".facet-credit .is-active a")["href"]
    assert query_of(remove) == {"q": [WORD]}


def test_sort_links_and_order(client: FlaskClient) -> None:
    newest = api(client, q=WORD, sort="newest", per_page=100)["results"]
    dates = [r["published"] for r in newest]
    assert dates == sorted(dates, reverse=True)
    oldest = api(client, q=WORD, sort="oldest", per_page=100)["results"]
    assert [r["published"] for r in oldest] == sorted(dates)
    page = soup(client.get("/search", query_string={"q": WORD, "kind": "paragraph"}))
    links = {a.get_text(): query_of(a["href"]) for a in page.select(".sort a")}
    assert links["Newest"] == {"q": [WORD], "kind": ["paragraph"], "sort": ["newest"]}


def test_pagination_keeps_every_parameter(client: FlaskClient) -> None:
    params = {
        "q": WORD,
        "kind": "paragraph",
        "sort": "oldest",
        "per_page": "3",
        "from": "2023-01-01",
    }
    first = api(client, **params)
    page = soup(client.get("/search", query_string=params))
    nxt = page.select_one("a[rel=next]")
    assert query_of(nxt["href"]) == {k: [v] for k, v in {**params, "page": "2"}.items()}
    second = soup(client.get(nxt["href"]))
    ids = [urlsplit(a["href"]).path for a in second.select(".result-title a")]
    assert ids == [f"/articles/{r['article_id']}" for r in api(client, **params, page=2)["results"]]
    assert set(ids).isdisjoint(f"/articles/{r['article_id']}" for r in first["results"])
    assert second.select_one(".page-current").get_text() == "2"


def test_did_you_mean_is_a_link(client: FlaskClient) -> None:
    misspelt = WORD[:-2] + WORD[-1]  # "lighthouse" -> "lighthose"
    suggestion = api(client, q=misspelt)["suggestion"]
    assert suggestion == WORD
    link = soup(client.get("/search", query_string={"q": misspelt})).select_one(".suggestion a")
    assert query_of(link["href"]) == {"q": [WORD]}


def test_zero_results_state_helps(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": "zyxwvut", "source": "BBC"})
    assert response.status_code == 200
    page = soup(response)
    state = page.select_one(".no-results")
    assert state is not None and "zyxwvut" in state.get_text()
    hrefs = [a["href"] for a in state.select("a")]
    assert any(urlsplit(h).path == "/help" for h in hrefs)
    assert any(query_of(h) == {"q": ["zyxwvut"]} for h in hrefs)


# --- bad requests ---------------------------------------------------------------------------

BAD = [
    ({"page": "0"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page": "two"}, "page"),
    ({"per_page": "100000"}, "per_page"),
    ({"per_page": "0"}, "per_page"),
    ({"from": "garbage"}, "from"),
    ({"to": "2023-13-45"}, "to"),
    ({"from": "2023-10-02", "to": "2023-10-01"}, "from"),
    ({"sort": "sideways"}, "sort"),
    ({"kind": "video"}, "kind"),
    ({"q": "x" * 10_000}, "q"),
    ({"q": "nosuchfield:word"}, "q"),
    ({"q": '"unclosed phrase'}, None),
]


@pytest.mark.parametrize(("params", "param"), BAD, ids=[str(p)[:40] for p, _ in BAD])
def test_bad_parameters_are_400_with_a_message(
    client: FlaskClient, params: dict[str, str], param: str | None
) -> None:
    query = {"q": WORD, **params}
    response = client.get("/api/search", query_string=query)
    if param is None and response.status_code == 200:
        pytest.skip("the library accepts this query leniently")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert set(error) == {"message", "param"}
    assert error["message"] and error["param"] == (param or error["param"])

    page_response = client.get("/search", query_string=query)
    assert page_response.status_code == 400
    page = soup(page_response)
    notice = page.select_one("#query-error")
    assert error["message"] in notice.get_text(" ", strip=True)
    assert page.select_one("input[name=q]")["value"] == query["q"]  # the query is kept

    if param in ("sort", "per_page"):
        return  # the feed sets its own order and length
    feed = client.get("/search.atom", query_string=query)
    assert feed.status_code == 400 and feed.get_json()["error"]["message"] == error["message"]


def test_unknown_article_is_404_on_page_and_api(client: FlaskClient) -> None:
    response = client.get("/articles/no-such-article")
    assert response.status_code == 404
    assert "no-such-article" in soup(response).select_one(".error-message").get_text()
    response = client.get("/api/articles/no-such-article")
    assert response.status_code == 404
    assert response.get_json()["error"]["param"] == "id"


@pytest.mark.parametrize("path", ["/api/nope", "/nope", "/articles/"])
def test_unknown_routes_are_404_in_the_right_shape(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.get_json()["error"]["message"]
    else:
        assert soup(response).select_one(".notice-error") is not None


def test_wrong_method_is_405_not_500(client: FlaskClient) -> None:
    response = client.post("/api/search", data={"q": WORD})
    assert response.status_code == 405
    assert response.get_json()["error"]["message"]


def test_unexpected_errors_show_no_traceback(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = app.extensions["newsfind_index"].get()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(index, "search", broken)
    for path in ("/search?q=x", "/api/search?q=x"):
        response = client.get(path)
        assert response.status_code == 500
        body = response.get_data(as_text=True)
        assert "secret internals" not in body and "Traceback" not in body


# --- safety ---------------------------------------------------------------------------------


def assert_no_injected_markup(page: BeautifulSoup) -> None:
    for script in page.find_all("script"):
        assert script.get("src", "").startswith("/static/"), script
    for tag in page.find_all(True):
        assert not any(attr.startswith("on") for attr in tag.attrs), tag
    # the one svg allowed is the page's own timeline chart (figure.timeline > svg)
    found = page.find_all(["img", "svg", "b", "i"])
    assert not [t for t in found if not is_timeline_chart(t)]
    assert len(found) <= 1


def is_timeline_chart(tag: Any) -> bool:
    parent = tag.parent
    return bool(
        tag.name == "svg" and parent is not None and parent.name == "figure"
        and "timeline" in parent.get("class", [])
    )  # fmt: skip


def test_document_text_and_query_are_escaped_in_html(client: FlaskClient) -> None:
    query = f'{WORD} "<script>alert(9)</script>"'
    response = client.get("/search", query_string={"q": WORD, "per_page": "100"})
    page = soup(response)
    assert_no_injected_markup(page)
    xss = xss_article()
    titles = [a.get_text() for a in page.select(".result-title a")]
    assert xss["headline"] in titles
    assert xss["source"] in [li.get_text() for li in page.select(".facet-label")]

    echoed = soup(client.get("/search", query_string={"q": query}))
    assert_no_injected_markup(echoed)
    assert echoed.select_one("input[name=q]")["value"] == query
    assert echoed.title is not None and query in echoed.title.get_text()

    article = soup(client.get(f"/articles/{XSS_ID}", query_string={"q": query}))
    assert_no_injected_markup(article)
    assert article.select_one(".article-title").get_text() == xss["headline"]
    assert XSS_TEXT in [p.get_text() for p in article.select(".passage")]
    assert article.select_one(".article-meta .dateline").get_text() == xss["dateline"]
    assert article.select_one(".article-source-link a")["href"] == xss["url"]


def test_pages_carry_a_csp_forbidding_inline_script(client: FlaskClient) -> None:
    for path in ("/", f"/search?q={WORD}", f"/articles/{XSS_ID}", "/help", "/api/stats"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'self'" in script_src
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if response.mimetype == "text/html":
            # no JSON-in-HTML or inline script anywhere: every script is a static file
            assert all(s.get("src") for s in soup(response).find_all("script"))


def test_atom_feed_escapes_and_is_newest_first(client: FlaskClient) -> None:
    response = client.get("/search.atom", query_string={"q": f"{WORD} <b>x</b>"})
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert "<b>x</b>" in feed.findtext(f"{ATOM}title", "")
    entries = feed.findall(f"{ATOM}entry")
    published = [e.findtext(f"{ATOM}published") for e in entries]
    assert published == sorted(published, reverse=True)
    by_title = {e.findtext(f"{ATOM}title"): e for e in entries}
    xss = by_title[xss_article()["headline"]]  # the raw text survives as text, not markup
    summary = xss.find(f"{ATOM}summary")
    assert summary is not None and summary.get("type") == "html"
    fragment = BeautifulSoup(summary.text or "", "html.parser")
    assert_no_injected_markup(fragment)
    assert fragment.find("mark") is not None


def test_atom_feed_is_linked_from_the_page(client: FlaskClient) -> None:
    page = soup(client.get("/search", query_string={"q": WORD, "kind": "caption", "page": "1"}))
    link = page.select_one("link[rel=alternate][type='application/atom+xml']")
    assert query_of(link["href"]) == {"q": [WORD], "kind": ["caption"]}
    feed = ET.fromstring(client.get(link["href"]).data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(
        {r["article_id"] for r in api(client, q=WORD, kind="caption", per_page=100)["results"]}
    )


def test_opensearch_description_is_linked_from_every_page(client: FlaskClient) -> None:
    for path in ("/", f"/search?q={WORD}", f"/articles/{XSS_ID}", "/help", "/nope"):
        link = soup(client.get(path)).select_one("link[rel=search]")
        assert link["href"] == "/opensearch.xml"
    desc = ET.fromstring(client.get("/opensearch.xml").data)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    templates = {u.get("type"): u.get("template") for u in desc.findall(f"{ns}Url")}
    html_template = templates["text/html"]
    assert html_template.endswith("/search?q={searchTerms}")
    target = html_template.replace("{searchTerms}", WORD).replace("http://localhost", "")
    assert client.get(target).status_code == 200


# --- the article page and the JSON twins ----------------------------------------------------


def test_article_page_in_reading_order_with_terms_marked(client: FlaskClient) -> None:
    source = lighthouse_articles()[2]
    page = soup(client.get(f"/articles/{source['id']}", query_string={"q": WORD}))
    assert page.select_one(".article-title").get_text() == source["headline"]
    assert page.select_one(".dateline").get_text() == source["dateline"]
    assert page.select_one(".byline").get_text() == source["byline"]
    body = [p.get_text() for p in page.select(".article-body p")]
    assert body == source["paragraphs"] + source["notes"]
    captions = page.select(".article-photos figure")
    assert [f.select_one(".photo-text").get_text() for f in captions] == [
        c["text"] for c in source["captions"]
    ]
    assert captions[0].select_one(".credit").get_text() == source["captions"][0]["credit"]
    marked = [m.get_text() for m in page.select(".article-body mark")]
    assert marked == [WORD] * sum(p.count(WORD) for p in source["paragraphs"])
    # every hit of a search links to an element of this page with that id
    hits = [
        r for r in api(client, q=WORD, per_page=100)["results"] if r["article_id"] == source["id"]
    ]
    for hit in hits[0]["hits"]:
        assert page.select_one(f"#doc-{hit['position']}") is not None


def test_article_ids_that_need_escaping_round_trip(client: FlaskClient) -> None:
    page = soup(client.get("/search", query_string={"q": "semaphore"}))
    href = page.select_one(".result-title a")["href"]
    response = client.get(href)
    assert response.status_code == 200
    api_href = href.replace("/articles/", "/api/articles/", 1)
    assert client.get(api_href).get_json()["id"] == ODD_ID


def test_api_article_and_stats(client: FlaskClient) -> None:
    article = client.get(f"/api/articles/{XSS_ID}").get_json()
    assert article == {**json.loads(json.dumps(article)), "id": XSS_ID}
    assert article["paragraphs"] == xss_article()["paragraphs"]
    stats = client.get("/api/stats").get_json()
    assert stats["articles"] == len(all_articles()) + 1  # the corpus and the seed
    assert sum(stats["kinds"].values()) == stats["documents"]


def test_healthz(client: FlaskClient, tmp_path: Path) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    missing = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    for path in ("/healthz", "/api/search?q=x", "/api/stats"):
        response = missing.get(path)
        assert response.status_code == 503
        assert response.get_json()["error"]["message"]
    page = missing.get("/")
    assert page.status_code == 503 and soup(page).select_one(".notice-error") is not None
    assert missing.get("/help").status_code == 200


def test_server_sees_new_articles_without_restart(build_index: Any) -> None:
    index_dir = build_index(SEED)
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    assert api(client, q="semaphore")["total_hits"] == 0
    before = client.get("/healthz").get_json()["generation"]
    report = index_articles(index_dir, [_odd_article()])
    assert report.added == 1
    assert api(client, q="semaphore")["total_articles"] == 1
    assert client.get("/healthz").get_json()["generation"] != before


def _odd_article() -> Any:
    from indexer import article_from_json
    from tests.browser.corpus import odd_id_article

    return article_from_json(odd_id_article())


# --- OpenAPI --------------------------------------------------------------------------------


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        target: dict[str, Any] = doc
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        return target
    return schema


def check(doc: dict[str, Any], schema: dict[str, Any], value: Any, where: str = "$") -> None:
    """A small JSON Schema check: types, required keys, enums, nested items and properties."""
    schema = resolve(doc, schema)
    kinds = schema.get("type")
    if kinds:
        names = kinds if isinstance(kinds, list) else [kinds]
        py = {"string": str, "integer": int, "number": (int, float), "object": dict}
        py |= {"array": list, "null": type(None), "boolean": bool}
        assert any(isinstance(value, py[n]) for n in names), f"{where}: {value!r} is not {names}"
    if "enum" in schema and value is not None:
        assert value in schema["enum"], where
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                check(doc, sub, value[key], f"{where}.{key}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, item in value.items():
                check(doc, extra, item, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(doc, schema["items"], item, f"{where}[{i}]")


def test_openapi_matches_what_the_routes_accept_and_return(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    op = doc["paths"]["/api/search"]["get"]
    assert [p["name"] for p in op["parameters"]] == list(SEARCH_PARAMS)

    def body(status: str, path: str = "/api/search") -> dict[str, Any]:
        responses = doc["paths"][path]["get"]["responses"]
        return dict(responses[status]["content"]["application/json"]["schema"])

    for param in op["parameters"]:  # every documented enum value is accepted
        for value in param["schema"].get("enum", []):
            response = client.get("/api/search", query_string={"q": WORD, param["name"]: value})
            assert response.status_code == 200, (param["name"], value)
            check(doc, body("200"), response.get_json())
        maximum = param["schema"].get("maximum")
        if maximum is not None:
            over = {"q": WORD, param["name"]: maximum + 1}
            response = client.get("/api/search", query_string=over)
            assert response.status_code == 400
            check(doc, body("400"), response.get_json())
    check(doc, body("200"), api(client, q=WORD, per_page=100))
    check(doc, body("200", "/api/stats"), client.get("/api/stats").get_json())
    check(doc, body("200", "/healthz"), client.get("/healthz").get_json())
    check(doc, body("200", "/api/articles/{id}"), client.get(f"/api/articles/{XSS_ID}").get_json())
    check(doc, body("404", "/api/articles/{id}"), client.get("/api/articles/nope").get_json())


def test_help_page_examples_all_run(client: FlaskClient) -> None:
    page = soup(client.get("/help"))
    links = page.select(".syntax a")
    assert links
    for link in links:
        query = query_of(link["href"])["q"][0]
        response = client.get("/api/search", query_string={"q": query})
        assert response.status_code == 200, (query, response.get_json())
