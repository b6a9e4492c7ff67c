"""Download on demand: against a file served by a local HTTP server on 127.0.0.1."""

import functools
import hashlib
import http.server
import threading

import pytest

import biomedkit as bk

CONTENT = b"patient_id,age,event\n1,64,0\n2,71,1\n"


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www on a free loopback port; yield (base URL, folder, stop())."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "cohort.csv").write_bytes(CONTENT)
    (www / "corrupted.csv").write_bytes(CONTENT[:-5] + b"XXXXX")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.RequestHandlerClass.log_message = lambda *a: None  # keep test output quiet
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    stopped = []

    def stop():
        if not stopped:
            httpd.shutdown()
            httpd.server_close()
            stopped.append(True)

    yield f"http://127.0.0.1:{httpd.server_port}", www, stop
    stop()


SHA256 = "sha256:" + hashlib.sha256(CONTENT).hexdigest()
MD5 = "md5:" + hashlib.md5(CONTENT).hexdigest()


@pytest.mark.parametrize("known_hash", [SHA256, MD5])
def test_downloads_and_verifies(server, tmp_path, known_hash):
    url, _, _ = server
    path = bk.datasets.fetch(f"{url}/cohort.csv", known_hash, cache=tmp_path / "cache")
    assert path == tmp_path / "cache" / "cohort.csv"
    assert path.read_bytes() == CONTENT


def test_cached_file_is_used_offline(server, tmp_path):
    url, _, stop = server
    first = bk.datasets.fetch(f"{url}/cohort.csv", SHA256, cache=tmp_path / "cache")
    stop()
    assert bk.datasets.fetch(f"{url}/cohort.csv", SHA256, cache=tmp_path / "cache") == first


def test_corrupted_download_is_rejected_and_not_kept(server, tmp_path):
    url, _, _ = server
    with pytest.raises(ValueError, match="does not match its expected hash .* rejected"):
        bk.datasets.fetch(f"{url}/corrupted.csv", SHA256, cache=tmp_path / "cache")
    assert not (tmp_path / "cache" / "corrupted.csv").exists()


def test_changed_file_on_the_server_is_rejected(server, tmp_path):
    url, www, _ = server
    (www / "cohort.csv").write_bytes(CONTENT + b"3,55,0\n")
    with pytest.raises(ValueError, match="does not match"):
        bk.datasets.fetch(f"{url}/cohort.csv", SHA256, cache=tmp_path / "cache")


def test_offline_error_says_where_to_put_the_file(server, tmp_path):
    url, _, stop = server
    stop()
    with pytest.raises(ConnectionError, match=r"Could not download .*copy it to .*cohort\.csv"):
        bk.datasets.fetch(f"{url}/cohort.csv", SHA256, cache=tmp_path / "cache")


def test_cache_folder_from_the_environment(server, tmp_path, monkeypatch):
    url, _, _ = server
    monkeypatch.setenv("BIOMEDKIT_DATA", str(tmp_path / "from-env"))
    assert bk.datasets.cache_dir() == tmp_path / "from-env"
    path = bk.datasets.fetch(f"{url}/cohort.csv", SHA256)
    assert path.parent == tmp_path / "from-env"


@pytest.mark.parametrize("known_hash", [None, "abc", "sha256:1234", "sha1:" + "0" * 40])
def test_a_hash_is_required(known_hash):
    with pytest.raises(ValueError, match="known_hash must be 'sha256:<64 hex digits>'"):
        bk.datasets.fetch("http://127.0.0.1:1/x.csv", known_hash)


@pytest.mark.parametrize("url", ["ftp://host/x.csv", "cohort.csv", 3])
def test_url_must_be_http(url):
    with pytest.raises(ValueError, match="url must be an http"):
        bk.datasets.fetch(url, SHA256)
