"""``--from-index``: fetch a published release's sdist and wheel, to verify exactly what users install.

A release gate should judge the files that were uploaded, not a rebuild of them. They come from
the index the installers use (``--index-url``, else uv's and pip's settings) through the simple
API, PEP 691 JSON or PEP 503 HTML, or from a ``file://`` directory laid out the same way. Every
hash the index publishes is checked, and each file appears in the destination only once complete.

urllib cannot send the ``user:token@`` of a private index's URL, so those credentials go in an
``Authorization`` header instead (to that host only), and every URL in a message is redacted.
"""

from __future__ import annotations

import base64
import configparser
import contextlib
import hashlib
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from http.client import HTTPException
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar
from urllib.parse import SplitResult, unquote, urldefrag, urljoin, urlsplit, urlunsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, sys_tags
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from ._boundary import InputError, loads_json, read_bytes
from ._exceptions import BuildError, UsageError
from ._threads import in_daemon_thread
from ._version import __version__

T = TypeVar("T")

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from packaging.utils import BuildTag, NormalizedName

PYPI = "https://pypi.org/simple"
TIMEOUT = 15.0
"""Seconds any one network operation (connect, or a read) may take: pip's own default."""
MAX_PAGE = 64 * 1024 * 1024
"""The largest index page read (PyPI's largest are a few MB)."""
MAX_FILE = 2 * 1024**3
"""The largest sdist or wheel downloaded."""
SLOWEST = 10 * 1024
"""Bytes per second below which a download that has run for ``GRACE`` seconds is given up as stalled."""
GRACE = 30.0

_CODE = "MV106"
_INDEX_VARIABLES = ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL")
_ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
_JSON_TYPES = {"application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json"}
_USER_AGENT = f"mcp-verify/{__version__}"
_PURE = Tag("py3", "none", "any")
_CHUNK = 1 << 16
_SHOWN = 5
_NETWORK_HINT = "check the network and the index URL (--index-url, UV_DEFAULT_INDEX, PIP_INDEX_URL, pip.conf)"


def index_url(explicit: str | None = None) -> str:
    """The index a user's installer would use: ``--index-url``, uv's and pip's variables, pip.conf, PyPI."""
    for value in (explicit, *(os.environ.get(name) for name in _INDEX_VARIABLES)):
        if value and value.strip():
            return value.strip()
    return _pip_config_index() or PYPI


def _pip_config_files() -> list[Path]:
    """The files pip reads, lowest precedence first (pip reads them all; later ones win)."""
    env_file = os.environ.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []  # pip's documented way to ignore every configuration file
    config_dirs = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    files = [Path(directory, "pip", "pip.conf") for directory in config_dirs.split(os.pathsep) if directory]
    files.append(Path("/etc/pip.conf"))
    if not (env_file and Path(env_file).exists()):  # pip skips the user's files when PIP_CONFIG_FILE exists
        config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        files += [Path.home() / ".pip" / "pip.conf", Path(config_home, "pip", "pip.conf")]
    if env_file:
        files.append(Path(env_file))
    return files


class _PipConfig(configparser.RawConfigParser):
    """Option names as pip normalizes them: ``index_url`` and ``Index-URL`` are ``index-url``."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr.lower().replace("_", "-")


def _pip_config_index() -> str | None:
    """``index-url`` from pip's files: ``[install]`` beats ``[global]`` whichever file holds it, as in pip."""
    parser = _PipConfig()
    for path in _pip_config_files():
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        try:
            parser.read_string(text, source=str(path))
        except configparser.Error as error:
            first_line = str(error).splitlines()[0]
            raise UsageError(
                f"pip configuration {path} cannot be read ({first_line}): fix it or give --index-url"
            ) from None
    for section in ("install", "global"):
        value = parser.get(section, "index-url", fallback="").strip()
        if value:
            return value
    return None


def redact_url(url: str) -> str:
    """``url`` with its password (or a lone token) replaced by ``****``, fit for a message or a report."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    shown = f"{user}:****" if colon else "****"
    return urlunsplit(parts._replace(netloc=f"{shown}@{host}"))


def _spec(spec: str) -> tuple[NormalizedName, Version | None]:
    """``NAME`` or ``NAME==VERSION``: one release, no ranges, extras, markers or URLs."""
    usage = UsageError(f"--from-index {' '.join(spec.split())}: expected NAME or NAME==VERSION, e.g. my-server==1.2.0")
    try:
        requirement = Requirement(spec)
    except InvalidRequirement:
        raise usage from None
    specifiers = list(requirement.specifier)
    if requirement.extras or requirement.url or requirement.marker or len(specifiers) > 1:
        raise usage
    name = canonicalize_name(requirement.name)
    if not specifiers:
        return name, None
    (only,) = specifiers
    if only.operator != "==" or only.version.endswith(".*"):
        raise usage
    try:
        return name, Version(only.version)
    except InvalidVersion:
        raise usage from None


@dataclass(frozen=True)
class _File:
    """One file the index lists for the project."""

    filename: str
    url: str
    hashes: dict[str, str]
    yanked: bool = False


@dataclass(frozen=True)
class _Dist:
    """A listed file that is an sdist or a wheel of the project, with what its name declares."""

    file: _File
    version: Version
    tags: frozenset[Tag] | None = None
    """The wheel's tags; ``None`` for an sdist."""
    build: BuildTag = ()


@dataclass(frozen=True)
class _Query:
    """One ``--from-index`` request, and the messages that name it, its index and the URLs (redacted)."""

    spec: str
    name: NormalizedName
    index: str

    @property
    def project_url(self) -> str:
        return f"{self.index.strip().rstrip('/')}/{self.name}/"

    @property
    def shown_index(self) -> str:
        return redact_url(self.index)

    def error(self, message: str, hint: str | None = None) -> BuildError:
        return BuildError(_CODE, f"{self.spec}: {message}", hint)

    def unreachable(self, url: str, error: BaseException) -> BuildError:
        return self.error(
            f"could not download {redact_url(url)} from {self.shown_index}: {_reason(error)}", _NETWORK_HINT
        )


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return str(error) or type(error).__name__


def _open(url: str, index: str, accept: str | None = None) -> Any:
    """urlopen with the index's credentials as a header: in the URL urllib cannot use them."""
    parts = urlsplit(url)
    credentials: SplitResult | None = None
    if parts.scheme in {"http", "https"}:
        if "@" in parts.netloc:
            credentials = parts
            url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        else:
            index_parts = urlsplit(index.strip())
            same_origin = (index_parts.scheme, index_parts.hostname, index_parts.port) == (
                parts.scheme,
                parts.hostname,
                parts.port,
            )
            if same_origin and "@" in index_parts.netloc:
                credentials = index_parts
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    if accept:
        request.add_header("Accept", accept)
    if credentials is not None:
        pair = f"{unquote(credentials.username or '')}:{unquote(credentials.password or '')}"
        # unredirected: a redirect to a CDN or object store must not carry the index's token
        request.add_unredirected_header("Authorization", f"Basic {base64.b64encode(pair.encode()).decode()}")
    return urllib.request.urlopen(request, timeout=TIMEOUT)


class _Links(HTMLParser):
    """The ``<a href>`` of a PEP 503 page, resolved against the page (or its ``<base>``)."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[tuple[str, bool]] = []
        """Absolute URL and whether the file is yanked."""
        self._based = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        href = attributes.get("href")
        if not href:
            return
        if tag == "base" and not self._based:
            self.base = urljoin(self.base, href.strip())
            self._based = True
        elif tag == "a":
            self.links.append((urljoin(self.base, href.strip()), "data-yanked" in attributes))


def _file(url: str, yanked: bool, filename: str | None = None, hashes: dict[str, str] | None = None) -> _File:
    """A listed file; the hash in the URL's fragment (PEP 503) counts when the JSON gave none."""
    url, fragment = urldefrag(url)
    found = {algorithm.lower(): value for algorithm, value in (hashes or {}).items()}
    algorithm, equals, value = fragment.partition("=")
    if equals and value and algorithm.lower() not in found:
        found[algorithm.lower()] = value
    if filename is None:
        filename = unquote(urlsplit(url).path.rpartition("/")[2])
    return _File(filename, url, found, yanked)


def _parse_html(text: str, base: str) -> list[_File]:
    parser = _Links(base)
    parser.feed(text)
    parser.close()
    return [_file(url, yanked) for url, yanked in parser.links]


def _parse_json(query: _Query, body: bytes, base: str) -> list[_File]:
    try:
        data = loads_json(body, what="the page", max_bytes=MAX_PAGE)
    except InputError as error:
        raise query.error(f"{redact_url(base)} is not a valid PEP 691 page: {error}", _NETWORK_HINT) from None
    entries = data.get("files") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise query.error(f"{redact_url(base)} is not a valid PEP 691 page: it has no files list", _NETWORK_HINT)
    files = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        filename, url, hashes, yanked = (entry.get(key) for key in ("filename", "url", "hashes", "yanked"))
        if not isinstance(filename, str) or not isinstance(url, str):
            continue
        listed = hashes.items() if isinstance(hashes, dict) else ()
        hashes = {algorithm: value for algorithm, value in listed if isinstance(value, str)}
        # PEP 691: yanked is a boolean, or a (non-empty) string giving the reason
        files.append(_file(urljoin(base, url), yanked is True or isinstance(yanked, str), filename, hashes))
    return files


class _Transfer:
    """Limits of one ``--from-index`` download: a deadline, a stop asked for from outside, and pace."""

    def __init__(self, deadline: float, stop: threading.Event) -> None:
        self.deadline = deadline
        self.stop = stop

    def read(self, query: _Query, url: str, response: Any, limit: int, sink: Callable[[bytes], None]) -> int:
        """Copy a response into ``sink`` in chunks, giving up past the deadline, the size ``limit``, or
        when it is too slow to ever finish (one byte every few seconds); returns the size."""
        started = time.monotonic()
        size = 0
        while True:
            if self.stop.is_set():
                raise query.error("the download was stopped")
            now = time.monotonic()
            if now > self.deadline:
                raise query.error(f"{redact_url(url)} did not arrive within the time allowed", _NETWORK_HINT)
            if now - started > GRACE and size / (now - started) < SLOWEST:
                raise query.error(
                    f"{redact_url(url)} is too slow to finish: {size} bytes in {now - started:.0f} s", _NETWORK_HINT
                )
            try:
                chunk = response.read1(_CHUNK)
            except (OSError, HTTPException, ValueError) as error:
                raise query.unreachable(url, error) from None
            if not chunk:
                return size
            size += len(chunk)
            if size > limit:
                raise query.error(
                    f"{redact_url(url)} is larger than {limit // (1024 * 1024)} MiB: not an index page or a release "
                    "file mcp-verify reads",
                    _NETWORK_HINT,
                )
            sink(chunk)


def _remote_files(query: _Query, transfer: _Transfer) -> list[_File] | None:
    """The project's files from an HTTP index; ``None`` when the index has no such project."""
    url = query.project_url
    try:
        with _open(url, query.index, _ACCEPT) as response:
            chunks: list[bytes] = []
            transfer.read(query, url, response, MAX_PAGE, chunks.append)
            body = b"".join(chunks)
            base: str = response.geturl()
            content_type: str = response.headers.get_content_type()
            charset: str = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as error:
        error.close()
        if error.code in {404, 410}:
            return None
        raise query.unreachable(url, error) from None
    except (OSError, HTTPException, ValueError) as error:
        raise query.unreachable(url, error) from None
    if content_type in _JSON_TYPES:
        return _parse_json(query, body, base)
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    return _parse_html(text, base)


def _local_root(index: str) -> Path | None:
    """The directory of a ``file://`` index (or one given as a plain path); ``None`` for a remote index."""
    parts = urlsplit(index.strip())
    if parts.scheme == "file":
        return Path(urllib.request.url2pathname(parts.path))
    if "://" not in index and Path(index.strip()).is_dir():
        return Path(index.strip())
    return None


def _local_files(query: _Query, root: Path) -> list[_File] | None:
    """The project's files in a local index: its ``index.html``, else whatever its directory holds.

    There is no server to list a directory, so a layout without pages (just ``NAME/*.whl``) works too.
    """
    if not root.is_dir():
        raise query.error(f"the index directory {root} does not exist", _NETWORK_HINT)
    project = root / query.name
    if not project.is_dir():
        # a directory named as uploaded rather than normalized (My_Server for my-server)
        project = next((entry for entry in root.iterdir() if canonicalize_name(entry.name) == query.name), project)
    if not project.is_dir():
        return None
    project = project.absolute()
    page = project / "index.html"
    try:
        if page.is_file():
            text = read_bytes(page, what=str(page), limit=MAX_PAGE).decode("utf-8", errors="replace")
            return _parse_html(text, page.as_uri())
        return [_file(entry.as_uri(), False) for entry in sorted(project.iterdir()) if entry.is_file()]
    except (OSError, InputError) as error:
        raise query.error(f"could not read {project} from {query.shown_index}: {error}", _NETWORK_HINT) from None


def _project_files(query: _Query, transfer: _Transfer) -> list[_File]:
    root = _local_root(query.index)
    files = _local_files(query, root) if root is not None else _remote_files(query, transfer)
    if files is None:
        where = f"no directory {root / query.name}" if root is not None else f"{query.project_url} returned 404"
        raise query.error(
            f"there is no project {query.name} on {query.shown_index} ({redact_url(where)})",
            "check the name, and that the index is the one the release was uploaded to",
        )
    return files


def _dists(query: _Query, files: Iterable[_File], name: NormalizedName, *, remote: bool) -> list[_Dist]:
    """The project's sdists (``.tar.gz``) and wheels among the listed files; anything else is ignored.

    A file name with a control character (a ``%00`` in a link) is no index's honest answer: refused, named.
    """
    dists = []
    for file in files:
        if any(ord(character) < 0x20 or ord(character) == 0x7F for character in file.filename):
            raise query.error(
                f"{query.shown_index} lists a file name with a control character: {file.filename[:120]!r}",
                "this index is broken or hostile: do not install from it",
            )
        if Path(file.filename).name != file.filename or "\\" in file.filename or file.filename.startswith("."):
            continue  # a name that could write outside the destination
        if remote and urlsplit(file.url).scheme not in {"http", "https"}:
            continue  # a remote index has no business pointing at this machine's files
        try:
            if file.filename.endswith(".whl"):
                wheel_name, version, build, tags = parse_wheel_filename(file.filename)
                if wheel_name == name:
                    dists.append(_Dist(file, version, tags, build))
            elif file.filename.endswith(".tar.gz"):
                sdist_name, version = parse_sdist_filename(file.filename)
                if sdist_name == name:
                    dists.append(_Dist(file, version))
        except ValueError:
            continue
    return dists


def _available(dists: Sequence[_Dist]) -> str:
    """The newest versions, marked when they would not be picked for a bare NAME."""
    versions = sorted({dist.version for dist in dists}, reverse=True)
    if not versions:
        return "it lists no sdist or wheel of any version"
    shown = []
    for version in versions[:_SHOWN]:
        files = [dist.file for dist in dists if dist.version == version]
        notes = ["pre-release"] if version.is_prerelease else []
        if all(file.yanked for file in files):
            notes.append("yanked")
        shown.append(f"{version} ({', '.join(notes)})" if notes else str(version))
    more = f" and {len(versions) - _SHOWN} older" if len(versions) > _SHOWN else ""
    return f"available: {', '.join(shown)}{more}"


def best_wheel(wheels: Sequence[tuple[str, frozenset[Tag]]]) -> str | None:
    """The wheel to verify: a pure ``py3-none-any`` one, else the one this interpreter ranks highest.

    Takes ``(filename, tags)`` pairs; of equal ones the first wins. ``None`` when none would install here.
    """
    priority = {tag: rank for rank, tag in enumerate(sys_tags())}
    ranked = []
    for position, (filename, tags) in enumerate(wheels):
        rank = -1 if _PURE in tags else min((priority[tag] for tag in tags if tag in priority), default=None)
        if rank is not None:
            ranked.append((rank, position, filename))
    return min(ranked)[2] if ranked else None


def _choose(query: _Query, dists: Sequence[_Dist], wanted: Version | None) -> list[_Dist]:
    """The sdist and the wheel to download (either may be missing, not both)."""
    if wanted is None:
        candidates = [dist for dist in dists if not dist.file.yanked and not dist.version.is_prerelease]
        if not candidates:
            raise query.error(
                f"{query.shown_index} has no release of {query.name} that is neither a pre-release nor yanked; "
                f"{_available(dists)}",
                "give NAME==VERSION to verify one of them",
            )
        newest = max(dist.version for dist in candidates)
        release = [dist for dist in candidates if dist.version == newest]
    else:
        release = [dist for dist in dists if dist.version == wanted]
        if not release:
            raise query.error(
                f"{query.shown_index} has no version {wanted} of {query.name}; {_available(dists)}",
                "give one of the available versions, or NAME alone for the newest release",
            )
        # PEP 592: a pinned version may use yanked files, but only when nothing else is left
        release = [dist for dist in release if not dist.file.yanked] or release
    sdist = next((dist for dist in release if dist.tags is None), None)
    wheels = sorted((dist for dist in release if dist.tags is not None), key=lambda dist: dist.build, reverse=True)
    wheel_name = best_wheel([(dist.file.filename, dist.tags) for dist in wheels if dist.tags is not None])
    wheel = next((dist for dist in wheels if dist.file.filename == wheel_name), None)
    chosen = [dist for dist in (sdist, wheel) if dist is not None]
    if not chosen:
        names = ", ".join(dist.file.filename for dist in release[:_SHOWN])
        raise query.error(
            f"{query.name} {release[0].version} on {query.shown_index} has no sdist and no wheel this Python "
            f"({sys.implementation.name} {sys.version_info.major}.{sys.version_info.minor}) can install: {names}",
            "publish an sdist or a wheel for this platform, or run mcp-verify on a platform that has one",
        )
    return chosen


def _expected_hash(hashes: dict[str, str]) -> tuple[str, str] | None:
    """sha256 when listed, else another algorithm hashlib always has (PEP 503 allows any of them)."""
    usable = sorted(name for name in hashes if name in hashlib.algorithms_guaranteed and not name.startswith("shake"))
    algorithm = "sha256" if "sha256" in hashes else (usable[0] if usable else None)
    return (algorithm, hashes[algorithm].strip().lower()) if algorithm else None


def _stream(query: _Query, file: _File, out: BinaryIO, digest: hashlib._Hash, transfer: _Transfer) -> None:
    """Copy the file's bytes into ``out``; network failures (not local ones) become MV106."""
    try:
        response = _open(file.url, query.index)
    except urllib.error.HTTPError as error:
        error.close()
        raise query.unreachable(file.url, error) from None
    except (OSError, HTTPException, ValueError) as error:
        raise query.unreachable(file.url, error) from None

    def sink(chunk: bytes) -> None:
        digest.update(chunk)
        out.write(chunk)

    with response:
        length = response.headers.get("Content-Length")
        size = transfer.read(query, file.url, response, MAX_FILE, sink)
        # http.client takes a connection closed early for the end of the body
        if length and length.isdigit() and int(length) != size and not response.headers.get("Content-Encoding"):
            raise query.unreachable(file.url, ConnectionError(f"the connection closed after {size} of {length} bytes"))


def _download(query: _Query, file: _File, dest: Path, transfer: _Transfer) -> Path:
    """Stream one file to a hidden temporary name in ``dest``, check it, then rename it into place."""
    expected = _expected_hash(file.hashes)
    digest = hashlib.new(expected[0] if expected else "sha256")
    target = dest / file.filename
    # not mkstemp: its 0600 would stay on a file the user may keep (--dist-dir) and upload
    temporary = dest / f".{file.filename[:100]}.{secrets.token_hex(4)}.part"
    try:
        with temporary.open("xb") as out:
            _stream(query, file, out, digest, transfer)
        if expected and digest.hexdigest() != expected[1]:
            raise query.error(
                f"{file.filename} from {query.shown_index} does not match the {expected[0]} the index lists "
                f"(expected {expected[1]}, got {digest.hexdigest()})",
                "the index, or a proxy in between, served other bytes than it lists: retry, "
                "and report it to the index's maintainers if it persists",
            )
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError):
            raise query.error(f"cannot write {target}: {error.strerror or error}") from None
        raise
    return target


async def download_release(spec: str, dest: Path, *, index: str, timeout: float = 900.0) -> list[Path]:
    """Download the sdist and the best wheel of ``NAME==VERSION`` (newest stable release for ``NAME``) into ``dest``.

    Returns the files, the sdist first; a release without an sdist, or without a wheel this Python
    can install, gives just the other. On failure nothing of this call is left in ``dest``. The
    whole download has ``timeout`` seconds; each page and file a size cap; a stalled one ends.
    """
    name, wanted = _spec(spec)
    query = _Query(" ".join(spec.split()), name, index)
    stop = threading.Event()
    transfer = _Transfer(time.monotonic() + timeout, stop)
    done: list[Path] = []
    try:
        files = await in_daemon_thread(partial(_project_files, query, transfer))
        chosen = _choose(query, _dists(query, files, name, remote=_local_root(index) is None), wanted)
        dest.mkdir(parents=True, exist_ok=True)
        for dist in chosen:
            done.append(await in_daemon_thread(partial(_download, query, dist.file, dest, transfer)))
    except BaseException:
        stop.set()
        for path in done:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return done
