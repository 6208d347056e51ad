"""`sitrep serve`: gunicorn with N workers in front of the same app."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from search import load_settings, update_index

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(*args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    return subprocess.Popen(
        [sys.executable, "-c", "from search.cli import main; main()", "serve", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def get_json(url: str, attempts: int = 100) -> tuple[int, dict]:
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


def test_gunicorn_workers_serve_the_api(seed_settings):
    port = free_port()
    server = start("--port", str(port), "--workers", "2", "--index-dir", str(seed_settings.index_dir))
    try:
        status, body = get_json(f"http://127.0.0.1:{port}/api/search?q=Pokrovsk")
        assert status == 200 and body["total"] == 6
        status, body = get_json(f"http://127.0.0.1:{port}/api/search?q=%22open")
        assert status == 400 and "unclosed quote" in body["error"]
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "Starting gunicorn" in log and log.count("Booting worker") == 2


def test_serving_before_the_first_index_answers_503(tmp_path):
    port = free_port()
    server = start("--port", str(port), "--workers", "1", "--index-dir", str(tmp_path / "none"))
    try:
        status, body = get_json(f"http://127.0.0.1:{port}/api/search?q=Kursk")
        assert status == 503 and "run `sitrep index` first" in body["error"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)


def test_a_bad_taxonomy_stops_serve_before_it_starts(tmp_path):
    server = start("--taxonomy", str(tmp_path / "missing.toml"))
    _, err = server.communicate(timeout=30)
    assert server.returncode == 1
    assert err.strip().splitlines() == [f"Error: cannot read {tmp_path / 'missing.toml'}: No such file or directory"]


def get_text(url: str, attempts: int = 100) -> str:
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


@pytest.mark.parametrize(("args", "base"), [((), "http://127.0.0.1:{port}"),
                                            (("--base-url", "https://sitrep.example.org/desk/"), "https://sitrep.example.org/desk")])
def test_absolute_links_start_with_base_url(seed_settings, args, base):
    # The default follows --port (not the 5000 of the settings before the flags), and
    # --base-url replaces it; neither comes from the Host header (#13).
    port = free_port()
    server = start("--port", str(port), "--workers", "1", "--index-dir", str(seed_settings.index_dir), *args)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/opensearch.xml", headers={"Host": "evil.example"})
        description = get_text(f"http://127.0.0.1:{port}/opensearch.xml")
        with urllib.request.urlopen(request, timeout=5) as response:
            forged = response.read().decode("utf-8")
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    assert f'template="{base.format(port=port)}/?q={{searchTerms}}"' in description
    assert forged == description


def run_serve(*args: str, timeout: float = 15) -> subprocess.CompletedProcess:
    """The real `sitrep serve` console script to its end; ``timeout`` stops one that starts serving."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    sitrep = Path(sys.executable).with_name("sitrep")  # .venv/bin/sitrep
    return subprocess.run([str(sitrep), "serve", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("debug", [(), ("--debug",)])
def test_a_busy_port_is_one_error_line(tmp_path, debug):
    # gunicorn printed "Serving ...", then retried five times, a second apart, with two ERROR lines each (#13).
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve("--port", str(port), "--index-dir", str(tmp_path), *debug)
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    suggestion = re.fullmatch(
        rf"Error: port {port} on 127\.0\.0\.1 is in use by another program; choose another with "
        rf"--port (\d+) or SITREP_PORT=\1 \(make run SITREP_PORT=\1\)", line)
    assert suggestion, line
    assert int(suggestion.group(1)) != port


def test_an_address_of_another_machine_is_one_error_line(tmp_path):
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it.
    result = run_serve("--host", "192.0.2.1", "--port", str(free_port()), "--index-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: cannot listen on 192.0.2.1: it is not an address of this machine; choose another with "
        "--host or SITREP_HOST (127.0.0.1: this machine only; 0.0.0.0: every network)"]


def test_workers_warm_before_they_answer_and_see_each_new_generation(tmp_path, seed_copy):
    # The master reads the index once before forking, each worker opens its
    # own searcher and warms it before it accepts a request (gunicorn's
    # post_worker_init), and a thread of each worker opens new generations
    # as they land (#17): no answer may be older than the index.
    index_dir = tmp_path / "index"
    settings = load_settings(environ={}, index_dir=index_dir)
    update_index(settings, [seed_copy])
    port = free_port()
    server = start("--port", str(port), "--workers", "2", "--index-dir", str(index_dir))
    try:
        status, body = get_json(f"http://127.0.0.1:{port}/api/search?q=Pokrovsk&collapse=true")
        assert status == 200 and body["total"] == 6
        (seed_copy / "extra.txt").write_text(
            "December 24, 2024\n\nInstitute for the Study of War\n\nRussian forces struck Pokrovsk again.\n"
        )
        update_index(settings, [seed_copy])
        for _ in range(8):  # both workers, whichever answers
            status, body = get_json(f"http://127.0.0.1:{port}/api/search?q=Pokrovsk&collapse=true")
            assert status == 200 and body["total"] == 7
        assert re.search(r"[1-9]\d* similar paragraphs?</h2>", get_text(f"http://127.0.0.1:{port}/more/{body['hits'][0]['id']}"))
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    assert server.returncode == 0
    booted = set(re.findall(r"Booting worker with pid: (\d+)", log))
    warm = set(re.findall(r"Worker warm \(pid: (\d+)\) in \d+\.\d\d s", log))
    assert len(booted) == 2 and warm == booted, log
