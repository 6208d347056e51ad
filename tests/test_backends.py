"""The opensearch back end against a real node (#18): indexing into it, serving from it, and its errors.

The Whoosh back end's behaviour is the reference: the same reports indexed
into both give the same answers (tests/test_backends_parity.py checks 67
query shapes). Here: `sitrep index --backend opensearch` (first run,
unchanged files, an edited and a deleted file, --rebuild with an alias
swap, a cluster that refuses documents), `sitrep serve`/the API/the page on
a cluster, and what an unreachable cluster or a missing index give.
"""

from __future__ import annotations

import html
import json
import os
import shutil

import pytest
from opensearchpy import OpenSearch

from search import ClusterUnavailable, load_settings, open_backend
from search.cli import cli
from web import create_app

pytestmark = pytest.mark.opensearch

DEAD_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there


def cluster_args(url: str, name: str, index_dir) -> list[str]:
    return ["--backend", "opensearch", "--opensearch-url", url, "--opensearch-index", name,
            "--index-dir", str(index_dir)]


def run(runner, *args):
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def reports(tmp_path, seeds_dir):
    folder = tmp_path / "reports"
    shutil.copytree(seeds_dir, folder)
    return folder


@pytest.fixture
def cluster_name(opensearch_url, request):
    """An alias of the test's own, deleted with everything behind it afterwards."""
    name = "t-" + request.node.name.lower().replace("_", "-")[:60].strip("-")
    yield name
    client = OpenSearch(hosts=[opensearch_url])
    client.indices.delete(index=f"{name}-*", ignore_unavailable=True)
    client.close()


def cluster_settings(url, name, index_dir):
    return load_settings(environ={}, index_dir=index_dir, backend="opensearch", opensearch_url=url,
                         opensearch_index=name)


def test_index_into_the_cluster_then_nothing_to_send(runner, opensearch_url, cluster_name, reports, tmp_path):
    args = cluster_args(opensearch_url, cluster_name, tmp_path / "ix")
    code, out, err = run(runner, "index", str(reports), *args)
    assert code == 0, err
    assert out.splitlines() == [
        "2 added, 0 updated, 0 removed, 0 skipped, 0 unchanged; 32 paragraphs written",
        f"OpenSearch {cluster_name} (new index): 2 files sent (32 paragraphs), 0 removed, 0 unchanged",
    ]
    code, out, _ = run(runner, "index", str(reports), *args)
    assert out.splitlines()[-1] == f"OpenSearch {cluster_name} (updated): 0 files sent (0 paragraphs), 0 removed, 2 unchanged"
    client = OpenSearch(hosts=[opensearch_url])
    assert client.count(index=cluster_name)["count"] == 32
    # The alias names one versioned index, and the file list is in the cluster.
    (concrete,) = client.indices.get_alias(name=cluster_name)
    assert concrete.startswith(f"{cluster_name}-2")
    files = client.search(index=f"{cluster_name}-files", body={"query": {"exists": {"field": "path"}}})
    assert sorted(hit["_source"]["paragraphs"] for hit in files["hits"]["hits"]) == [13, 19]
    # Paragraph ids are the documents' _ids: sending twice replaced, never duplicated.
    ids = {hit["_id"] for hit in client.search(index=cluster_name, body={"size": 100})["hits"]["hits"]}
    assert len(ids) == 32


def test_edited_and_deleted_files_reach_the_cluster(runner, opensearch_url, cluster_name, reports, tmp_path):
    args = cluster_args(opensearch_url, cluster_name, tmp_path / "ix")
    run(runner, "index", str(reports), *args)
    files = sorted(p for p in reports.iterdir() if p.is_file())
    edited, deleted = files[0], files[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nZorbulon brigades crossed the Oskil river.\n",
                      encoding="utf-8")
    deleted.unlink()
    code, out, err = run(runner, "index", str(reports), *args)
    assert code == 0, err
    assert out.splitlines()[-1] == f"OpenSearch {cluster_name} (updated): 1 files sent (20 paragraphs), 1 removed, 0 unchanged"
    settings = cluster_settings(opensearch_url, cluster_name, tmp_path / "ix")
    with open_backend(settings) as cluster, open_backend(load_settings(environ={}, index_dir=tmp_path / "ix")) as whoosh:
        assert cluster.search("Zorbulon").total == whoosh.search("Zorbulon").total == 1
        assert cluster.search("").total == whoosh.search("").total == 20
        assert {h.path for h in cluster.iter_hits("")} == {str(edited.resolve())}


def test_rebuild_swaps_the_alias_to_a_new_index(runner, opensearch_url, cluster_name, reports, tmp_path):
    args = cluster_args(opensearch_url, cluster_name, tmp_path / "ix")
    run(runner, "index", str(reports), *args)
    client = OpenSearch(hosts=[opensearch_url])
    (before,) = client.indices.get_alias(name=cluster_name)
    code, out, _ = run(runner, "index", str(reports), "--rebuild", *args)
    assert code == 0
    assert out.splitlines()[-1] == f"OpenSearch {cluster_name} (new index): 2 files sent (32 paragraphs), 0 removed, 0 unchanged"
    (after,) = client.indices.get_alias(name=cluster_name)
    assert after != before and not client.indices.exists(index=before)
    assert client.count(index=cluster_name)["count"] == 32


def test_refused_documents_leave_the_old_index_in_place(runner, opensearch_url, cluster_name, reports, tmp_path):
    args = cluster_args(opensearch_url, cluster_name, tmp_path / "ix")
    run(runner, "index", str(reports), *args)
    client = OpenSearch(hosts=[opensearch_url])
    (before,) = client.indices.get_alias(name=cluster_name)
    # Every new index of this name refuses each document written to it.
    client.indices.put_index_template(name=f"{cluster_name}-refuse", body={
        "index_patterns": [f"{cluster_name}-2*"], "priority": 500,
        "template": {"settings": {"index.blocks.write": True}}})
    try:
        code, out, err = run(runner, "index", str(reports), "--rebuild", *args)
    finally:
        client.indices.delete_index_template(name=f"{cluster_name}-refuse")
    assert code == 1
    assert err.startswith("Error: the OpenSearch cluster refused paragraph ") and "cluster_block_exception" in err
    assert len(err.strip().splitlines()) == 1
    assert list(client.indices.get_alias(name=cluster_name)) == [before]
    assert client.count(index=cluster_name)["count"] == 32
    assert sorted(client.indices.get(index=f"{cluster_name}-*")) == [before, f"{before}-files"]


@pytest.mark.parametrize("command", [["index"], ["search", "Pokrovsk"], ["serve", "--port", "5999"]])
def test_an_unreachable_cluster_is_one_error_line(runner, command, reports, tmp_path):
    extra = [str(reports)] if command == ["index"] else []
    code, out, err = run(runner, *command, *extra, *cluster_args(DEAD_URL, "sitrep-paragraphs", tmp_path / "ix"))
    assert code == 1
    assert err.splitlines() == [
        f"Error: cannot reach the OpenSearch cluster at {DEAD_URL} (ConnectionError); start it, or point "
        "--opensearch-url (SITREP_OPENSEARCH_URL) at a node that answers"]
    assert not (tmp_path / "ix").exists()  # the ingest never ran


def test_a_cluster_without_the_index_says_to_index_first(runner, opensearch_url, tmp_path):
    code, _, err = run(runner, "search", "x", *cluster_args(opensearch_url, "t-never-made", tmp_path / "ix"))
    assert code == 1
    assert err.strip() == (f"Error: no Sitrep index 't-never-made' in the OpenSearch cluster at {opensearch_url}; "
                           "run `sitrep index --backend opensearch` first")


@pytest.mark.parametrize(("url", "message"), [(DEAD_URL, "cannot reach the OpenSearch cluster"),
                                              (None, "no Sitrep index 't-never-made'")])
def test_the_api_and_the_page_answer_503_without_a_cluster(opensearch_url, tmp_path, url, message):
    app = create_app(cluster_settings(url or opensearch_url, "t-never-made", tmp_path / "ix"), TESTING=True)
    client = app.test_client()
    answer = client.get("/api/search?q=Pokrovsk")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["ok"] is False and body["status"] == 503 and message in body["error"]
    page = client.get("/?q=Pokrovsk")
    assert page.status_code == 503 and message in html.unescape(page.get_data(as_text=True))
    assert "Traceback" not in page.get_data(as_text=True)


@pytest.fixture(scope="module")
def seed_cluster(opensearch_url, tmp_path_factory, seeds_dir):
    """The seeds indexed into both back ends: (Whoosh settings, cluster settings)."""
    folder = tmp_path_factory.mktemp("served")
    name = "t-served-seeds"
    settings = cluster_settings(opensearch_url, name, folder / "ix")
    from search import update_backend

    update_backend(settings, [seeds_dir])
    yield load_settings(environ={}, index_dir=folder / "ix"), settings
    client = OpenSearch(hosts=[opensearch_url])
    client.indices.delete(index=f"{name}-*", ignore_unavailable=True)


@pytest.mark.parametrize("url", [
    "/api/search?q=Pokrovsk", "/api/search?q=%22North+Korean%22&topic=North+Korea", "/api/search?q=&collapse=1",
    "/api/search?q=Kiev&sort=newest", "/api/search?q=Kursk&exclude=place:Pokrovsk&group=report",
    "/api/search?q=Pokrovsk&interval=month", "/api/reports/004_46fcd5d56deb0784?q=Kursk",
    "/api/paragraphs/97d0e535f6e24a57",
])
def test_the_api_answers_the_same_from_the_cluster(seed_cluster, url):
    whoosh, cluster = (create_app(s, TESTING=True).test_client().get(url) for s in seed_cluster)
    assert whoosh.status_code == cluster.status_code == 200
    a, b = whoosh.get_json(), cluster.get_json()
    if "hits" in a:
        assert (a["total"], a["facets"], a["timeline"], a["map"], sorted(a)) == (b["total"], b["facets"], b["timeline"], b["map"], sorted(b))
        assert {h["id"] for h in a["hits"]} == {h["id"] for h in b["hits"]}  # at most 10 of them: all
        assert all(sorted(x) == sorted(y) for x, y in zip(a["hits"], b["hits"]))
        assert all("<mark>" in hit["snippet"] for hit in b["hits"]) == all("<mark>" in h["snippet"] for h in a["hits"])
    else:
        assert a == b  # a report (marked by Sitrep's own marker) and a paragraph are the same documents


@pytest.mark.parametrize("url", ["/api/search?q=%22unclosed", "/api/search?q=%28Kursk", "/api/search?q=nosuchfield:x", "/api/search?from=soon", "/api/search?page=99",
                                 "/api/paragraphs/nope", "/api/reports/nope", "/api/search?sort=sideways"])
def test_bad_input_is_the_same_error_from_the_cluster(seed_cluster, url):
    whoosh, cluster = (create_app(s, TESTING=True).test_client().get(url) for s in seed_cluster)
    assert whoosh.status_code == cluster.status_code and whoosh.status_code in (400, 404)
    assert whoosh.get_json() == cluster.get_json()


def test_the_page_and_the_other_views_render_from_the_cluster(seed_cluster):
    whoosh, cluster = (create_app(s, TESTING=True).test_client() for s in seed_cluster)
    for url in ("/?q=Pokrovsk", "/?q=Kursk&group=report&view=table", "/reports/004_46fcd5d56deb0784?q=Kursk",
                "/more/97d0e535f6e24a57", "/api/paragraphs/97d0e535f6e24a57/similar", "/api/export.csv?q=Pokrovsk", "/feed.atom?q=Kursk"):
        a, b = whoosh.get(url), cluster.get(url)
        assert a.status_code == b.status_code == 200, url
    assert "6 paragraphs" in cluster.get("/?q=Pokrovsk").get_data(as_text=True)
    csv_w = whoosh.get("/api/export.csv?q=Pokrovsk").get_data(as_text=True).splitlines()
    csv_c = cluster.get("/api/export.csv?q=Pokrovsk").get_data(as_text=True).splitlines()
    assert csv_w[0] == csv_c[0] and sorted(csv_w) == sorted(csv_c)


def test_more_like_this_and_did_you_mean_from_the_cluster(seed_cluster):
    _, settings = seed_cluster
    with open_backend(settings) as cluster:
        similar = cluster.more_like_this("97d0e535f6e24a57")
        assert similar and all(hit.id != "97d0e535f6e24a57" for hit in similar)
        assert cluster.search("Pokrovsk").hits[0].snippet.count("<mark>Pokrovsk</mark>") >= 1
        assert cluster.suggest("Pokrovsk") is None
        assert cluster.newest_date() == "2024-12-23"


def test_the_cluster_json_from_the_cli(runner, seed_cluster):
    _, settings = seed_cluster
    code, out, _ = run(runner, "search", "Pokrovsk", "--json", *cluster_args(settings.opensearch_url,
                                                                             settings.opensearch_index,
                                                                             settings.index_dir))
    assert code == 0 and json.loads(out)["total"] == 6


def test_unreachable_cluster_is_a_503_error_class():
    assert ClusterUnavailable.status == 503 and ClusterUnavailable.exit_code == 1


def test_sitrep_serve_with_gunicorn_answers_from_the_cluster(seed_cluster, opensearch_url):
    # The real console command: gunicorn's master warms the back end before it
    # forks, so the cluster back end must take part in that too.
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _, cluster = seed_cluster
    server = subprocess.Popen(
        [sys.executable, "-c", "from search.cli import main; main()", "serve", "--port", str(port), "--workers", "2",
         "--backend", "opensearch", "--opensearch-url", opensearch_url, "--opensearch-index", cluster.opensearch_index,
         "--index-dir", str(cluster.index_dir)],
        env={k: v for k, v in os.environ.items() if not k.startswith("SITREP_")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=Pokrovsk", timeout=5) as answer:
                    body = json.load(answer)
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            raise AssertionError("sitrep serve --backend opensearch never answered")
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    assert server.returncode == 0, log
    assert body["total"] == 6, log
