"""``--from-index``: real releases from real indexes on 127.0.0.1 and ``file://``, what lands and what is said.

The fixture project is built for real (two versions), laid out as PEP 503 and PEP 691 indexes and
served by a child ``http.server`` that answers JSON only to a client that asks for it, and logs
every request so a test can see what the client sent.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import anyio
import pytest
from packaging.tags import Tag, sys_tags

from mcp_verify._exceptions import BuildError, UsageError
from mcp_verify._index import PYPI, _parse_html, best_wheel, download_release, index_url, redact_url

from .conftest import PACKAGES, mcp_verify

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

NAME = "mvt-good-server"
PREFIX = "mvt_good_server"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
SERVER = r"""
import functools, http.server, io, json, os, sys

root, log = sys.argv[1], sys.argv[2]
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


class Handler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        headers = {name: self.headers.get(name) for name in ("Accept", "Authorization")}
        with open(log, "a") as file:
            file.write(json.dumps({"path": self.path, **headers}) + "\n")
        page = os.path.join(self.translate_path(self.path), "index.json")
        if self.path.endswith("/") and JSON_TYPE in (headers["Accept"] or "") and os.path.isfile(page):
            with open(page, "rb") as file:
                body = file.read()
            self.send_response(200)
            self.send_header("Content-Type", JSON_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def log_message(self, format, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(spec: str, dest: Path, index: str) -> list[Path]:
    """The coroutine run as the CLI runs it, in a fresh event loop."""
    return anyio.run(partial(download_release, spec, dest, index=index))


def fetch_error(spec: str, dest: Path, index: str) -> BuildError:
    with pytest.raises(BuildError) as caught:
        fetch(spec, dest, index)
    assert caught.value.code == "MV106"
    assert caught.value.finding.step == "build"
    assert "\n" not in caught.value.message
    return caught.value


# -- the index's address: no files or network needed -------------------------------------------


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No index variables, and a home and XDG directories of the test's own."""
    for variable in ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL", "PIP_CONFIG_FILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    return tmp_path


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_index_url_flag_then_uv_then_pip_variables(clean_environ: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://pip.example/simple")
    assert index_url() == "https://pip.example/simple"
    monkeypatch.setenv("UV_INDEX_URL", "https://uv-old.example/simple")
    assert index_url() == "https://uv-old.example/simple"
    monkeypatch.setenv("UV_DEFAULT_INDEX", " https://uv.example/simple ")
    assert index_url() == "https://uv.example/simple"
    assert index_url("https://flag.example/simple") == "https://flag.example/simple"
    monkeypatch.setenv("UV_DEFAULT_INDEX", "")
    assert index_url("") == "https://uv-old.example/simple"


def test_index_url_from_pip_config_files(clean_environ: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = write_config(clean_environ / "config" / "pip" / "pip.conf", "[global]\nindex_url = https://user.example\n")
    assert index_url() == "https://user.example"
    # [install] is what `pip install` reads first, whichever file has it
    write_config(clean_environ / "home" / ".pip" / "pip.conf", "[install]\nindex-url = https://legacy.example\n")
    assert index_url() == "https://legacy.example"
    # an existing PIP_CONFIG_FILE replaces the user's files
    env_file = write_config(clean_environ / "env.conf", "[global]\nindex-url = https://env.example\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(env_file))
    assert index_url() == "https://env.example"
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    assert index_url() == PYPI
    user.write_text("index-url = no section\n")
    monkeypatch.delenv("PIP_CONFIG_FILE")
    with pytest.raises(UsageError, match=r"pip configuration .*pip\.conf cannot be read"):
        index_url()


def test_credentials_are_redacted() -> None:
    assert redact_url("https://user:t0ken@host.example/simple") == "https://user:****@host.example/simple"
    assert redact_url("https://t0ken@host.example/simple") == "https://****@host.example/simple"
    assert redact_url("https://host.example/simple") == "https://host.example/simple"


@pytest.mark.parametrize(
    "spec",
    [f"{NAME}>=1", f"{NAME}==1.*", f"{NAME}[cli]", f"{NAME}==1,!=2", f"{NAME}; python_version>'3'", "a b", ""],
)
def test_only_name_or_one_exact_version(spec: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="expected NAME or NAME==VERSION") as caught:
        fetch(spec, tmp_path / "dest", "http://127.0.0.1:9/simple")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "dest").exists()  # refused before anything was asked of the index


def test_pure_wheel_first_then_the_interpreters_preference() -> None:
    native = next(iter(sys_tags()))
    other = Tag("cp39", "cp39", "win32")
    pure = ("p-1-py2.py3-none-any.whl", frozenset({Tag("py2", "none", "any"), Tag("py3", "none", "any")}))
    built = ("p-1-native.whl", frozenset({native}))
    assert best_wheel([built, pure]) == pure[0]
    assert best_wheel([("p-1-other.whl", frozenset({other})), built]) == built[0]
    assert best_wheel([("p-1-other.whl", frozenset({other}))]) is None


def test_html_links_are_resolved_and_yanked_is_kept() -> None:
    page = """<html><head><base href="https://cdn.example/packages/"></head><body>
    <a href="a/p-1.0.tar.gz#sha256=ABC" data-requires-python="&gt;=3.10">p-1.0.tar.gz</a>
    <a href="p%2D2.0.tar.gz?x=1&amp;y=2" data-yanked="">p-2.0.tar.gz</a>
    <a>no href</a></body></html>"""
    first, second = _parse_html(page, "https://index.example/simple/p/")
    assert (first.filename, first.url, first.hashes, first.yanked) == (
        "p-1.0.tar.gz",
        "https://cdn.example/packages/a/p-1.0.tar.gz",
        {"sha256": "ABC"},
        False,
    )
    assert (second.filename, second.url, second.yanked) == (
        "p-2.0.tar.gz",
        "https://cdn.example/packages/p%2D2.0.tar.gz?x=1&y=2",
        True,
    )


def test_a_refused_connection_names_the_url(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fetch_error(NAME, tmp_path, f"http://127.0.0.1:{port}/simple")
    assert f"could not download http://127.0.0.1:{port}/simple/{NAME}/" in error.message
    assert error.message.startswith(f"{NAME}: ")
    assert "refused" in error.message.lower()


# -- real releases on real indexes ---------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    sdist: Path
    wheel: Path


def build_versions(base: Path, versions: list[str]) -> dict[str, Release]:
    """Build the good-server fixture once per version, all at the same time."""
    installer = ["--installer", "uv"] if importlib.util.find_spec("uv") or shutil.which("uv") else []
    builds = {}
    for version in versions:
        source = base / f"src-{version}"
        shutil.copytree(PACKAGES / "good-server", source)
        pyproject = source / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('version = "1.0.0"', f'version = "{version}"'))
        command = [sys.executable, "-m", "build", *installer, "--outdir", str(base / "dist"), str(source)]
        builds[version] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for version, process in builds.items():
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, f"building {version}:\n{output}"
    dist = base / "dist"
    return {
        version: Release(dist / f"{PREFIX}-{version}.tar.gz", dist / f"{PREFIX}-{version}-py3-none-any.whl")
        for version in versions
    }


def html_page(links: list[str]) -> str:
    return "<!DOCTYPE html>\n<html><body>\n" + "\n".join(links) + "\n</body></html>\n"


def link(file: Path, *, digest: str | None = None, yanked: bool = False) -> str:
    extra = ' data-yanked=""' if yanked else ""
    return f'<a href="../../files/{file.name}#sha256={digest or sha256(file)}"{extra}>{file.name}</a>'


@dataclass(frozen=True)
class Index:
    """The laid-out indexes, and the files they list."""

    root: Path
    releases: dict[str, Release]
    yanked: Path
    prerelease: Path


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """1.0.0 and 0.9.0 built for real; a yanked 1.5.0 and a 2.0.0rc1 that only their names tell apart.

    ``simple/`` is PEP 503, ``json/`` PEP 691 (1.0.0 yanked there, and no HTML at all),
    ``badhash/`` lists a wrong wheel hash, ``missing/`` a file that is not there.
    """
    base = tmp_path_factory.mktemp("index")
    releases = build_versions(base, ["1.0.0", "0.9.0"])
    one = releases["1.0.0"]
    files = base / "root" / "files"
    files.mkdir(parents=True)
    for release in releases.values():
        for path in (release.sdist, release.wheel):
            shutil.copy(path, files)
    yanked = files / f"{PREFIX}-1.5.0-py3-none-any.whl"
    prerelease = files / f"{PREFIX}-2.0.0rc1.tar.gz"
    foreign = files / f"{PREFIX}-1.0.0-cp39-cp39-win32.whl"
    for fake, real in ((yanked, one.wheel), (prerelease, one.sdist), (foreign, one.wheel)):
        shutil.copy(real, fake)
    real_files = [files / path.name for release in releases.values() for path in (release.sdist, release.wheel)]

    def page(directory: str, text: str, name: str = "index.html") -> None:
        path = base / "root" / directory / NAME / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    (base / "root" / "simple").mkdir()
    (base / "root" / "simple" / "index.html").write_text(html_page([f'<a href="{NAME}/">{NAME}</a>']))
    links = [link(path) for path in (*real_files, prerelease, foreign)]
    page("simple", html_page([*links, link(yanked, yanked=True), '<a href="../../files/README.txt">README.txt</a>']))
    page(
        "json",
        json.dumps(
            {
                "meta": {"api-version": "1.1"},
                "name": NAME,
                "files": [
                    {
                        "filename": path.name,
                        "url": f"../../files/{path.name}",
                        "hashes": {"sha256": sha256(path)},
                        "yanked": "broken entry point" if "1.0.0" in path.name else False,
                    }
                    for path in real_files
                ],
            }
        ),
        "index.json",
    )
    page("badhash", html_page([link(files / one.sdist.name), link(files / one.wheel.name, digest="0" * 64)]))
    page("missing", html_page([f'<a href="../../files/{PREFIX}-3.0.0.tar.gz">{PREFIX}-3.0.0.tar.gz</a>']))
    return Index(base / "root", releases, yanked, prerelease)


@dataclass(frozen=True)
class Server:
    url: str
    log: Path

    def requests(self) -> list[dict[str, str | None]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@pytest.fixture(scope="module")
def server(index: Index) -> Iterator[Server]:
    """``index.root`` over HTTP on 127.0.0.1, stopped whatever the tests did."""
    log = index.root.parent / "requests.jsonl"
    log.touch()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(index.root), str(log)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield Server(f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def assert_landed(dest: Path, release: Release, files: list[Path]) -> None:
    """Exactly the sdist and the wheel, byte for byte, and no temporary file beside them."""
    assert files == [dest / release.sdist.name, dest / release.wheel.name]
    assert sorted(dest.iterdir()) == sorted(files)
    for built, downloaded in ((release.sdist, files[0]), (release.wheel, files[1])):
        assert sha256(downloaded) == sha256(built)


@pytest.mark.slow
def test_a_pinned_release_lands_byte_for_byte(index: Index, server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "new" / "dest"
    files = fetch(f"{NAME}==1.0.0", dest, f"{server.url}/simple/")
    assert_landed(dest, index.releases["1.0.0"], files)
    assert oct(files[0].stat().st_mode & 0o777) == oct(0o666 & ~current_umask())
    assert {request["Accept"] for request in server.requests() if request["path"] == f"/simple/{NAME}/"} == {
        f"{JSON_TYPE}, text/html;q=0.1"
    }


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.slow
def test_a_bare_name_is_the_newest_stable_release_not_yanked(index: Index, server: Server, tmp_path: Path) -> None:
    files = fetch("MVT_Good.Server", tmp_path, f"{server.url}/simple")
    assert_landed(tmp_path, index.releases["1.0.0"], files)


@pytest.mark.slow
def test_a_pinned_yanked_release_is_still_fetched(index: Index, server: Server, tmp_path: Path) -> None:
    files = fetch(f"{NAME}==1.5", tmp_path, f"{server.url}/simple")
    assert files == [tmp_path / index.yanked.name]
    assert sha256(files[0]) == sha256(index.yanked)


@pytest.mark.slow
def test_an_unknown_version_lists_the_available_ones(server: Server, tmp_path: Path) -> None:
    error = fetch_error(f"{NAME}==3.0", tmp_path, f"{server.url}/simple")
    assert error.message == (
        f"{NAME}==3.0: {server.url}/simple has no version 3.0 of {NAME}; "
        "available: 2.0.0rc1 (pre-release), 1.5.0 (yanked), 1.0.0, 0.9.0"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_unknown_project_is_named_with_its_url(server: Server, tmp_path: Path) -> None:
    error = fetch_error("mvt-no-such-server==1.0", tmp_path, f"{server.url}/simple")
    assert error.message == (
        f"mvt-no-such-server==1.0: there is no project mvt-no-such-server on {server.url}/simple "
        f"({server.url}/simple/mvt-no-such-server/ returned 404)"
    )


@pytest.mark.slow
def test_pep_691_json_is_used_when_served(index: Index, server: Server, tmp_path: Path) -> None:
    files = fetch(NAME, tmp_path, f"{server.url}/json")
    assert_landed(tmp_path, index.releases["0.9.0"], files)  # 1.0.0 is yanked in the JSON page only


@pytest.mark.slow
def test_a_hash_mismatch_leaves_nothing_behind(index: Index, server: Server, tmp_path: Path) -> None:
    wheel = index.releases["1.0.0"].wheel
    error = fetch_error(f"{NAME}==1.0.0", tmp_path, f"{server.url}/badhash")
    assert error.message == (
        f"{NAME}==1.0.0: {wheel.name} from {server.url}/badhash does not match the sha256 the index lists "
        f"(expected {'0' * 64}, got {sha256(wheel)})"
    )
    assert list(tmp_path.iterdir()) == []  # not even the sdist, whose hash was right


@pytest.mark.slow
def test_a_missing_file_is_named_and_credentials_are_sent_not_shown(server: Server, tmp_path: Path) -> None:
    index = server.url.replace("http://", "http://ci:s3cret@") + "/missing"
    error = fetch_error(NAME, tmp_path, index)
    shown = server.url.replace("http://", "http://ci:****@")
    assert error.message == (
        f"{NAME}: could not download {server.url}/files/{PREFIX}-3.0.0.tar.gz from {shown}/missing: "
        "HTTP 404 File not found"
    )
    sent = {request["path"]: request["Authorization"] for request in server.requests()}
    credentials = "Basic " + base64.b64encode(b"ci:s3cret").decode()
    assert sent[f"/missing/{NAME}/"] == sent[f"/files/{PREFIX}-3.0.0.tar.gz"] == credentials
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_file_index_with_pages(index: Index, tmp_path: Path) -> None:
    files = fetch(f"{NAME}==0.9.0", tmp_path / "dest", (index.root / "simple").as_uri())
    assert_landed(tmp_path / "dest", index.releases["0.9.0"], files)


@pytest.mark.slow
def test_a_file_index_without_pages(index: Index, tmp_path: Path) -> None:
    project = tmp_path / "local index" / "Mvt_Good_Server"
    project.mkdir(parents=True)
    for release in index.releases.values():
        shutil.copy(release.sdist, project)
        shutil.copy(release.wheel, project)
    files = fetch(NAME, tmp_path / "dest", project.parent.as_uri())
    assert_landed(tmp_path / "dest", index.releases["1.0.0"], files)
    error = fetch_error("mvt-other", tmp_path / "dest", project.parent.as_uri())
    assert f"(no directory {project.parent / 'mvt-other'})" in error.message


@pytest.mark.slow
def test_the_command_verifies_a_release_from_the_index(index: Index, server: Server, tmp_path: Path) -> None:
    """``--from-index`` end to end: downloaded, not rebuilt, installed, launched, listed."""
    result = mcp_verify(
        "--from-index", f"{NAME}==1.0.0", "--index-url", f"{server.url}/simple", "--format", "json", tmp=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    release = index.releases["1.0.0"]
    assert report["project"] == f"{NAME}==1.0.0"
    assert report["steps"][0]["message"].startswith(f"downloaded from {server.url}/simple:")
    assert report["wheel"]["sha256"] == sha256(release.wheel)
    assert report["sdist"]["sha256"] == sha256(release.sdist)
    assert [tool["name"] for tool in report["tools"]] == ["add", "echo"]
