"""Issue 19, point 5: the web app's smaller holes, each probed the way an attacker would.

Control characters XML forbids in every field (feeds parsed by lxml, a strict parser), a forged
Host header (it must appear in no answer), ids that paths mangle (``a\\nb``, ``../../etc``,
``x?y#z``, ``.``), Cache-Control on every answer, and over real HTTP (``newsfind serve``): the
security headers on waitress's own 400/413/431, and a slowloris of more than a hundred sockets.
"""

from __future__ import annotations

import re
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from indexer import article_from_json, index_articles
from indexer.cli.commands import cli
from tests.serving import serving
from webapp import create_app
from webapp.app import DEFAULTS, SECURITY_HEADERS
from webapp.feeds import xml_text

WORD = "zaphole"
#: Every kind of character XML 1.0 forbids, plus a terminal colour sequence.
FORBIDDEN = "\x00\x01\x08\x0b\x0c\x0e\x1b\x1f\ufffe\uffff"
CONTROL = f"{FORBIDDEN}\x1b[31m"
IDS = [
    "a\nb",
    "../../etc",
    "x?y#z",
    "100%",
    "a/b",
    ".",
    "..",
    "/lead",
    "a//b",
    "trail/",
    "..\\..\\win",
    f"ctl{CONTROL}",
]
ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
EVIL_HOST = "evil-host.example"


def hostile_articles() -> list[dict[str, Any]]:
    return [
        {
            "id": article_id,
            "url": f"https://example.test/{n}{CONTROL}",
            "headline": f"Hole {n} {WORD} {CONTROL}",
            "published": f"2023-10-{n + 1:02d}T08:00:00Z",
            "source": f"Source{CONTROL}",
            "byline": f"By {CONTROL}",
            "dateline": f"PLACE{CONTROL}",
            "paragraphs": [f"Body {n} {WORD} {CONTROL} end"],
            "captions": [{"text": f"Caption {WORD} {CONTROL}", "credit": f"Credit {CONTROL}"}],
            "notes": [f"Note {CONTROL}"],
        }
        for n, article_id in enumerate(IDS)
    ]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("holes") / "ix"
    report = index_articles(index_dir, [article_from_json(a) for a in hostile_articles()])
    assert report.added == len(IDS), report.errors
    return index_dir


def make_app(index_dir: Path, **config: Any) -> Flask:
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True, **config})


@pytest.fixture(scope="module")
def app(index_dir: Path) -> Iterator[Flask]:
    app = make_app(index_dir)
    yield app
    app.extensions["newsfind_index"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def parse_xml(data: bytes) -> Any:
    """Parse with lxml's strict parser (no recovery): any forbidden character is an error."""
    return etree.fromstring(data, etree.XMLParser(recover=False, resolve_entities=False))


# --- XML: every document the app writes parses, whatever the text holds -----------------------


@pytest.mark.parametrize("query", [WORD, f"{WORD} {CONTROL}", "\x01test", f"\x00{WORD}\uffff"])
def test_atom_feeds_are_well_formed_whatever_the_text_holds(
    client: FlaskClient, query: str
) -> None:
    response = client.get("/search.atom", query_string={"q": query})
    assert response.status_code == 200, response.get_data(as_text=True)
    feed = parse_xml(response.get_data())
    entries = feed.findall(f"{ATOM}entry")
    api = client.get("/api/search", query_string={"q": query, "per_page": 100}).get_json()
    assert len(entries) == len(api["results"])
    if query.startswith(WORD):
        assert len(entries) == len(IDS)
    for element in feed.iter():
        for text in [element.text or "", *element.attrib.values()]:
            assert not set(text) & set(FORBIDDEN), (element.tag, text)
    title = feed.findtext(f"{ATOM}title") or ""
    assert ("\ufffd" in title) == bool(set(query) & set(FORBIDDEN)), title


def test_feed_text_keeps_everything_xml_allows(client: FlaskClient) -> None:
    """Each forbidden character became one U+FFFD; the rest of each headline is intact."""
    feed = parse_xml(client.get("/search.atom", query_string={"q": WORD}).get_data())
    titles = sorted(e.findtext(f"{ATOM}title") or "" for e in feed.iter(f"{ATOM}entry"))
    api = client.get("/api/search", query_string={"q": WORD, "per_page": 100}).get_json()
    stored = [r["headline"] for r in api["results"]]
    assert all("\x1b[31m" in h for h in stored)
    assert titles == sorted(xml_text(h) for h in stored)
    assert all(t.endswith("\ufffd[31m") for t in titles)


def test_every_xml_route_is_well_formed_with_hostile_config(index_dir: Path) -> None:
    """Not only the feed: any route that answers XML, even with a site name full of controls."""
    app = make_app(index_dir, SITE_NAME=f"news{CONTROL}")
    client = app.test_client()
    xml_routes = 0
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in (rule.methods or ()):
            continue
        response = client.get(rule.rule, query_string={"q": f"{WORD} {CONTROL}"})
        if response.mimetype.endswith("xml"):
            xml_routes += 1
            root = parse_xml(response.get_data())
            assert root.tag in (f"{ATOM}feed", f"{OPENSEARCH}OpenSearchDescription")
    assert xml_routes == 2
    app.extensions["newsfind_index"].close()


def test_xml_text_replaces_exactly_what_xml_forbids() -> None:
    forbidden = [chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]]
    forbidden += ["\ud800", "\udfff"]
    allowed = "\t\n\r \x7f\x85\xa0é€\U0001f600\ufffd\ufffd"
    assert xml_text("".join(forbidden)) == "\ufffd" * len(forbidden)
    assert xml_text(allowed) == allowed


# --- the Host header is never reflected -------------------------------------------------------


def every_route(app: Flask) -> list[str]:
    """A URL for every GET route (path parameters filled with a real id), and some odd ones."""
    urls = ["/nope", "//search", "/search//", "/articles?id=..", f"/search?q={WORD}"]
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        path = re.sub(r"<[^>]*filename>", "style.css", rule.rule)
        path = re.sub(r"<[^>]*>", "a/b", path)
        urls.append(f"{path}?q={WORD}")
    return urls


def test_a_forged_host_appears_in_no_answer(app: Flask, client: FlaskClient) -> None:
    headers = {"Host": EVIL_HOST, "X-Forwarded-Host": EVIL_HOST, "Forwarded": f"host={EVIL_HOST}"}
    urls = every_route(app)
    assert len(urls) >= 15
    for url in urls:
        response = client.get(url, headers=headers)
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code < 500, url
        assert EVIL_HOST not in body, url
        for name, value in response.headers.items():
            assert EVIL_HOST not in value, (url, name, value)


def test_without_public_url_links_are_relative(client: FlaskClient) -> None:
    feed = parse_xml(client.get("/search.atom", query_string={"q": WORD}).get_data())
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link") if link.get("rel") != "related"]
    assert hrefs and all(h.startswith("/") for h in hrefs), hrefs
    ids = [e.text for e in feed.iter(f"{ATOM}id")]
    # Atom ids must be absolute: the source URL, else a stable urn
    assert all(i.startswith(("https://example.test/", "urn:uuid:")) for i in ids), ids
    again = parse_xml(client.get("/search.atom", query_string={"q": WORD}).get_data())
    assert [e.text for e in again.iter(f"{ATOM}id")] == ids
    desc = parse_xml(client.get("/opensearch.xml").get_data())
    templates = [u.get("template") for u in desc.iter(f"{OPENSEARCH}Url")]
    assert all(t.startswith("/") for t in templates), templates
    assert client.get("/api/openapi.json").get_json()["servers"] == [{"url": "/"}]


def test_public_url_makes_every_link_absolute(index_dir: Path) -> None:
    public = "https://news.example.test/base"
    app = make_app(index_dir, PUBLIC_URL=public + "/")
    client = app.test_client()
    headers = {"Host": EVIL_HOST}
    feed = parse_xml(client.get(f"/search.atom?q={WORD}", headers=headers).get_data())
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link") if link.get("rel") != "related"]
    assert hrefs and all(h.startswith(public + "/") for h in hrefs), hrefs
    assert feed.findtext(f"{ATOM}id") == f"{public}/search.atom?q={WORD}"
    desc = parse_xml(client.get("/opensearch.xml", headers=headers).get_data())
    templates = {u.get("type"): u.get("template") for u in desc.iter(f"{OPENSEARCH}Url")}
    assert templates["text/html"] == f"{public}/search?q={{searchTerms}}"
    openapi = client.get("/api/openapi.json", headers=headers).get_json()
    assert openapi["servers"] == [{"url": public}]
    app.extensions["newsfind_index"].close()


@pytest.mark.parametrize(
    "value", ["ftp://x.example", "news.example.com", "https://", "https://x.example/?a=1",
              "https://x.example/#top", "https://x .example", "https://x.example:port"],
)  # fmt: skip
def test_a_bad_public_url_is_one_clear_error(index_dir: Path, value: str) -> None:
    with pytest.raises(ValueError, match="PUBLIC_URL must be an http"):
        make_app(index_dir, PUBLIC_URL=value)
    result = CliRunner().invoke(
        cli, ["serve", "--index", str(index_dir), "--public-url", value, "--port", "0"]
    )
    assert result.exit_code == 2
    assert "--public-url" in result.output and "PUBLIC_URL must be" in result.output
    assert "Traceback" not in result.output


def test_every_setting_and_serve_flag_is_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    web = readme[readme.index("## Web") : readme.index("## Measuring")]
    internal = {"DEBUG", "PROPAGATE_EXCEPTIONS", "MAX_CONTENT_LENGTH", "INDEX_DIR"}
    for key in sorted(set(DEFAULTS) - internal):
        assert f"NEWSFIND_{key}" in web, key
    serve = cli.commands["serve"]
    # --index is every command's, documented with the command line
    flags = [o for p in serve.params for o in p.opts if o.startswith("--") and o != "--index"]
    assert "--public-url" in flags and "--request-timeout" in flags
    for flag in flags:
        assert f"`{flag}" in web or f"{flag}`" in web, flag


# --- article ids: every article page is reachable from its links ------------------------------

DOTS = {".", "%2e"}
DOTDOTS = {"..", ".%2e", "%2e.", "%2e%2e"}


def browser_path(href: str) -> str:
    """What a browser requests for ``href`` (WHATWG: ``.``, ``..`` and their %2e forms resolved,
    backslashes read as slashes in http URLs)."""
    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc, href
    segments = parts.path.replace("\\", "/").split("/")[1:]
    out: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment.lower() in DOTS | DOTDOTS:
            if segment.lower() in DOTDOTS and out:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out) + (f"?{parts.query}" if parts.query else "")


def result_links(client: FlaskClient) -> dict[int, list[str]]:
    """Every link to an article on the search page and in the feed, by the article's number."""
    links: dict[int, list[str]] = {}

    def number(title: str) -> int:
        found = re.match(r"Hole (\d+) ", title)
        assert found, title
        return int(found.group(1))

    page = client.get("/search", query_string={"q": WORD, "per_page": 100})
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    for result in soup.select(".result"):
        title = result.select_one(".result-title a")
        assert title is not None
        hrefs = [str(a["href"]) for a in result.select("a[href]") if "/articles" in a["href"]]
        links.setdefault(number(title.get_text()), []).extend(hrefs)
    feed = parse_xml(client.get("/search.atom", query_string={"q": WORD}).get_data())
    for entry in feed.iter(f"{ATOM}entry"):
        [href] = [a.get("href") for a in entry.iter(f"{ATOM}link") if a.get("rel") == "alternate"]
        links.setdefault(number(entry.findtext(f"{ATOM}title") or ""), []).append(href)
    return links


def test_every_article_is_reachable_from_its_links(client: FlaskClient) -> None:
    links = result_links(client)
    assert sorted(links) == list(range(len(IDS)))
    for n, article_id in enumerate(IDS):
        hrefs = links[n]
        assert len(hrefs) >= 3, hrefs  # title, hit links, feed entry
        for href in hrefs:
            path = browser_path(href)
            # a proxy that merges slashes (nginx's default) would change the article too
            assert "//" not in path.split("?")[0], (article_id, href)
            response = client.get(path)
            assert response.status_code == 200, (article_id, href, path)
            page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
            h1 = page.select_one("h1.article-title")
            assert h1 is not None and h1.get_text().startswith(f"Hole {n} "), (article_id, href)
        path = browser_path(hrefs[0]).split("?")[0]
        if path.startswith("/articles/"):  # "." and ".." have only the query form
            api_path = path.replace("/articles/", "/api/articles/", 1)
            assert client.get(api_path).get_json()["id"] == article_id


def test_ids_that_look_like_paths_are_not_other_pages(client: FlaskClient) -> None:
    # "../../etc" is an article, not a way out of /articles; "a/b" is not "a"
    for raw in ["/articles/..%2F..%2Fetc", "/articles/a/b", "/articles/a%2Fb"]:
        response = client.get(raw)
        assert response.status_code == 200
    assert client.get("/api/articles/a").status_code == 404
    assert client.get("/articles?id=").status_code == 404


# --- Cache-Control --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "no-store"),
        (f"/search?q={WORD}", "no-store"),
        (f"/api/search?q={WORD}", "no-store"),
        ("/articles/a/b", "no-store"),
        ("/api/articles/a/b", "no-store"),
        ("/api/stats", "no-store"),
        ("/healthz", "no-store"),
        (f"/search.atom?q={WORD}", "public, max-age=300"),
        ("/opensearch.xml", "public, max-age=3600"),
        ("/api/openapi.json", "public, max-age=3600"),
        ("/help", "public, max-age=3600"),
        ("/static/style.css", "no-cache"),
        ("/nope", "no-store"),
        ("/api/search?q=%22open", "no-store"),
        ("/search.atom?q=%22open", "no-store"),
        ("/articles/nope", "no-store"),
    ],
)
def test_every_answer_says_how_long_it_may_be_cached(
    client: FlaskClient, url: str, expected: str
) -> None:
    response = client.get(url)
    try:
        assert response.headers.get("Cache-Control") == expected, (url, response.status_code)
    finally:
        response.close()


# --- over real HTTP: waitress's own answers and slow clients ----------------------------------


@pytest.fixture(scope="module")
def server(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("holes-serve") / "serve.log"
    with serving(index_dir, log) as base:
        yield base


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def exchange(port: int, *chunks: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes (chunks a moment apart), read the answer until the server closes: status,
    headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for i, chunk in enumerate(chunks):
            if i:
                time.sleep(0.3)
            sock.sendall(chunk)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


#: Headers just under waitress's 64 KB, then the line that crosses it: sent apart, so the server
#: has read every byte when it answers (unread bytes would make its close a reset).
BIG_HEADERS = [
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65_400,
    b"\r\nX-End: 1" * 20 + b"\r\n\r\n",
]


@pytest.mark.parametrize(
    ("chunks", "status"),
    [
        (BIG_HEADERS, 431),
        ([b"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n"], 413),
        ([b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"], 400),
        ([b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"], 400),
    ],
    ids=["431", "413", "400-length", "400-chunk"],
)
def test_waitress_own_errors_carry_the_security_headers(
    server: str, chunks: list[bytes], status: int
) -> None:
    got, headers, _ = exchange(port_of(server), *chunks)
    assert got == status
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, (status, name, headers)
    assert headers.get("cache-control") == "no-store"


def test_a_forged_host_appears_in_no_answer_over_http(app: Flask, server: str) -> None:
    for url in every_route(app):
        request = f"GET {url} HTTP/1.1\r\nHost: {EVIL_HOST}\r\nConnection: close\r\n\r\n"
        status, headers, body = exchange(port_of(server), request.encode())
        assert status < 500, url
        assert EVIL_HOST.encode() not in body, url
        assert not any(EVIL_HOST in v for v in headers.values()), (url, headers)


def test_hostile_ids_round_trip_over_http(client: FlaskClient, server: str) -> None:
    """waitress decodes %2F, %0A… before routing: the links the pages hold still work."""
    for hrefs in result_links(client).values():
        path = browser_path(hrefs[0])
        request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        status, _, body = exchange(port_of(server), request.encode())
        assert status == 200, path
        assert b'class="article-title"' in body


class Slowloris:
    """Sockets that each open a request and then send one more header line every half second,
    never finishing it: the attack waitress's defaults do not survive."""

    def __init__(self, port: int, count: int) -> None:
        self.socks: list[socket.socket] = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /search?q=x HTTP/1.1\r\nHost: localhost\r\n")
            sock.setblocking(False)
            self.socks.append(sock)
        self.closed: set[int] = set()

    def trickle(self) -> None:
        for i, sock in enumerate(self.socks):
            if i in self.closed:
                continue
            try:
                if sock.recv(1) == b"":  # the server hung up
                    self.closed.add(i)
                    continue
            except BlockingIOError:
                pass
            except OSError:
                self.closed.add(i)
                continue
            try:
                sock.send(b"X-Slow: 1\r\n")
            except BlockingIOError:
                pass  # not accepted yet: the kernel's buffer is full
            except OSError:
                self.closed.add(i)

    def close(self) -> None:
        for sock in self.socks:
            sock.close()


def answer_while_trickling(port: int, attack: Slowloris, bound: float) -> tuple[bytes, float]:
    """A new client asks /healthz while the attack goes on: its answer (b"" if none came within
    ``bound`` seconds) and how long it took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        while (waited := time.monotonic() - started) < bound:
            attack.trickle()
            if select.select([sock], [], [], 0.5)[0]:
                return sock.recv(100), waited
    return b"", waited


@pytest.mark.slow
def test_110_slow_sockets_do_not_lock_out_a_new_client(server: str) -> None:
    attack = Slowloris(port_of(server), 110)
    try:
        answer, waited = answer_while_trickling(port_of(server), attack, bound=10)
        assert answer.startswith(b"HTTP/1.1 200"), (answer, waited)
        assert len(attack.closed) == 0  # they are within their deadline yet: they got a slot
    finally:
        attack.close()


@pytest.mark.slow
def test_sockets_that_never_finish_a_request_are_dropped(index_dir: Path, tmp_path: Path) -> None:
    """More slow sockets than connections: each is dropped at the request deadline, so the new
    client waiting behind them is answered within about two deadlines, not never."""
    timeout = 2.0
    args = ("--connection-limit", "20", "--request-timeout", str(timeout))
    with serving(index_dir, tmp_path / "serve.log", *args) as base:
        port = port_of(base)
        attack = Slowloris(port, 30)
        try:
            answer, waited = answer_while_trickling(port, attack, bound=4 * timeout + 5)
            assert answer.startswith(b"HTTP/1.1 200"), (answer, waited)
            deadline = time.monotonic() + 2 * timeout + 3
            while len(attack.closed) < 30 and time.monotonic() < deadline:
                attack.trickle()
                time.sleep(0.5)
            assert len(attack.closed) == 30
        finally:
            attack.close()
