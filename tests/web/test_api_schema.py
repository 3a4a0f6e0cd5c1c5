"""schemathesis against our own OpenAPI description, on a real ``newsfind serve``.

The description at ``/api/openapi.json`` is a promise to API clients. schemathesis reads it,
generates requests for every operation (valid values, boundary values, and strings the
description allows but nobody thought of), sends them over real HTTP and checks each answer:
never a 5xx, a status code the description lists, the content type it names, and a body that
matches its schema. The index holds the seed article plus articles made to be awkward: markup
in every field, ids that need escaping, no date, captions without credit.

Bounded by default (``MAX_EXAMPLES`` per operation, fixed seed, so a run is repeatable);
``NEWSFIND_FUZZ=long`` runs many more, as for tests/test_fuzz.py.

Each operation gets its own Hypothesis run over ``operation.as_strategy()`` rather than
schemathesis' pytest integration (``schemathesis.pytest.from_fixture``): that one fails on
pytest 9.2 (it reads ``request.node._nodeid``, which pytest no longer has).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from indexer import index_articles, iter_articles
from tests.browser.corpus import WORD, all_articles
from tests.conftest import SEED, write_jsonl
from tests.serving import serving
from webapp import create_app
from webapp.openapi import openapi_document

LONG = os.environ.get("NEWSFIND_FUZZ") == "long"
MAX_EXAMPLES = 2000 if LONG else 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
HOSTILE = '"><script>alert(1)</script> \u202e\u200b\ufeff {{7*7}} ]]> \x7f zapschema'


def hostile_articles() -> list[dict[str, Any]]:
    """Articles beyond the web corpus: markup everywhere, odd ids, missing optional fields."""
    return [
        {
            "id": "schema/evil/<1>",
            "url": "javascript:alert(1)",
            "headline": HOSTILE,
            "published": "1999-12-31T23:59:59-05:00",
            "source": HOSTILE[:30],
            "byline": HOSTILE,
            "dateline": HOSTILE,
            "paragraphs": [f"First {HOSTILE}", "Second paragraph, plain zapschema text."],
            "captions": [{"text": f"Caption {HOSTILE}"}, {"text": "Caption", "credit": HOSTILE}],
            "notes": [HOSTILE],
        },
        {
            "id": "ünïcødé id %2F ..",
            "published": "2024-02-29",
            "paragraphs": ["Leap day zapschema report, with an id that needs escaping."],
        },
        {"id": "undated", "paragraphs": ["An article without headline or date zapschema."]},
    ]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``newsfind serve`` as a subprocess on a free loopback port, over a fresh index."""
    root = tmp_path_factory.mktemp("schema")
    corpus = write_jsonl(root / "corpus.jsonl", [*all_articles(), *hostile_articles()])
    report = index_articles(root / "index", iter_articles([str(corpus), str(SEED)]))
    assert report.failed == 0, report.errors
    log_path = root / "serve.log"
    with serving(root / "index", log_path) as base:
        yield base
    # The server logs every unexpected exception; none may have happened, even if the answer
    # somehow still looked right to the checks.
    assert "Traceback" not in log_path.read_text(), log_path.read_text()


@pytest.fixture(scope="module")
def api_schema(base_url: str) -> Any:
    """The description as the running server serves it (not as the module builds it)."""
    return schemathesis.openapi.from_url(f"{base_url}/api/openapi.json")


#: Operations as the app describes them; the last test checks the served description agrees.
OPERATIONS = [
    (path, method.upper(), operation.get("parameters", []))
    for path, by_method in openapi_document("http://localhost")["paths"].items()
    for method, operation in by_method.items()
]
CASES = [
    pytest.param(path, method, mode.value, id=f"{method} {path} {mode.value}")
    for path, method, parameters in OPERATIONS
    for mode in GenerationMode
    # invalid input exists only where a query parameter has a type or range (a path id is any
    # string, so negative generation for it is unsatisfiable)
    if mode is GenerationMode.POSITIVE or any(p["in"] == "query" for p in parameters)
]
# Generated queries and ids almost never hit an article, so the 200 answers (the big schemas)
# would go unchecked; the "corpus" runs fix q or id to values the index holds and still generate
# every other parameter.
CORPUS_QUERIES = [
    WORD,
    "zapschema",
    f'"{WORD} keeper"',
    f"{WORD} -storm",
    f"headline:{WORD}",
    f"{WORD} OR zapschema",
    HOSTILE,
]
CORPUS_VALUES: dict[tuple[str, str], list[str]] = {
    ("/api/search", "q"): CORPUS_QUERIES,
    ("/api/articles/{id}", "id"): [a["id"] for a in [*all_articles(), *hostile_articles()]],
}
CASES += [pytest.param(path, "GET", "corpus", id=f"GET {path} corpus") for path, _ in CORPUS_VALUES]


def strategy(operation: Any, path: str, mode: str) -> Any:
    """Cases for ``operation``: schemathesis' own (valid or invalid), or with a corpus value."""
    if mode != "corpus":
        return operation.as_strategy(generation_mode=GenerationMode(mode))
    [(name, values)] = [(n, v) for (p, n), v in CORPUS_VALUES.items() if p == path]
    fixed = "path_parameters" if "{" + name + "}" in path else "query"
    return st.sampled_from(values).flatmap(
        lambda value: operation.as_strategy(**{fixed: {name: value}})
    )


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_every_answer_matches_the_description(
    api_schema: Any, base_url: str, path: str, method: str, mode: str
) -> None:
    operation = api_schema[path][method]
    session = requests.Session()

    @seed(20231017)
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy(operation, path, mode))
    def check(case: Any) -> None:
        statuses.append(case.call_and_validate(base_url=base_url, session=session, checks=CHECKS))

    statuses: list[Any] = []
    with session:
        check()
    counts = Counter(response.status_code for response in statuses)
    assert statuses, "no request was sent"
    if mode == "corpus":
        assert counts[200] > 0, f"no request found anything: {counts}"


def test_the_served_description_covers_every_api_route(api_schema: Any) -> None:
    """The property test is only as wide as the description: every JSON route must be in it."""
    app = create_app({"INDEX_DIR": "unused"})
    routes = {
        re.sub(r"<[^>]*>", "{}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/api/", "/healthz")) and rule.rule != "/api/openapi.json"
    }
    served = {re.sub(r"{[^}]*}", "{}", r.ok().path) for r in api_schema.get_all_operations()}
    tested = {re.sub(r"{[^}]*}", "{}", path) for path, _, _ in OPERATIONS}
    assert served == routes == tested
