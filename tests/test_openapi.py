"""/api/openapi.json is a valid OpenAPI 3 document that matches what the endpoints do."""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_schema_validator import validate as validate_instance
from openapi_spec_validator import validate

from web import create_app
from web.params import STATE_KEYS

SAMPLES = {
    "q": "Kursk", "topic": "North Korea", "source": "Institute for the Study of War", "place": "Kursk Oblast",
    "section": "Key Takeaways", "label": "Claims", "cited": "t.me", "from": "Dec 2024", "to": "2024-12-31",
    "event_from": "2024-12-01", "event_to": "last 3 years", "sort": "newest", "page": "1", "per_page": "5",
    "collapse": "true", "literal": "1", "exclude": "topic:Syria", "group": "report", "view": "table", "col": "date",
    "interval": "month",
}


@pytest.fixture(scope="module")
def client(seed_settings):
    app = create_app(seed_settings, TESTING=True)
    yield app.test_client()
    app.extensions["sitrep"].close()


@pytest.fixture(scope="module")
def document(client):
    return client.get("/api/openapi.json").get_json()


def test_the_document_validates(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_search_documents_exactly_the_parameters_it_takes(document):
    documented = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert documented == set(STATE_KEYS)


def test_every_documented_parameter_works(client, document):
    tried = 0
    for path, item in document["paths"].items():
        parameters = item["get"]["parameters"]
        if any(p["in"] == "path" for p in parameters):
            continue
        for parameter in parameters:
            value = SAMPLES[parameter["name"]]
            response = client.get(path, query_string={"q": "Kursk", parameter["name"]: value})
            body = response.get_data(as_text=True)  # read streamed exports to the end
            response.close()
            assert response.status_code == 200, (path, parameter["name"], body[:200])
            tried += 1
    assert tried >= 3 * len(STATE_KEYS)


def test_path_parameters_and_their_errors(client, document):
    hit = client.get("/api/search?q=Kursk").get_json()["hits"][0]
    values = {"report_id": hit["report_id"], "paragraph_id": hit["id"]}
    for path, item in document["paths"].items():
        names = [p["name"] for p in item["get"]["parameters"] if p["in"] == "path"]
        if not names:
            continue
        assert client.get(path.format(**values)).status_code == 200, path
        missing = client.get(path.format(**{name: "no-such-id" for name in names}))
        assert missing.status_code == 404 and "404" in item["get"]["responses"], path


def test_responses_match_their_schemas(client, document):
    def check(schema_name, body):
        schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
        validate_instance(body, schema, cls=OAS30Validator)

    search = client.get("/api/search?q=Kursk&per_page=3").get_json()
    check("SearchPage", search)
    check("Report", client.get(f"/api/reports/{search['hits'][0]['report_id']}").get_json())
    check("Hit", client.get(f"/api/paragraphs/{search['hits'][0]['id']}").get_json())
    check("Similar", client.get(f"/api/paragraphs/{search['hits'][0]['id']}/similar").get_json())
    check("Error", client.get("/api/search?q=%22x").get_json())
    with pytest.raises(Exception):
        check("SearchPage", {**search, "total": "many"})  # the check can fail
