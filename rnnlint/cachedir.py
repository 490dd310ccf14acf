"""The `.rnnlint_cache/` folder shared by the checker's confirmations (`confirm/`) and the result cache
(`results/`): its CACHEDIR.TAG and .gitignore markers, atomic writes, and signed entries.

Signed entries: the cache folder lives in the project, so a cloned repository (a pull request) can bring one.
Every entry is written as `rnnlint-mac <hex>` on its first line, a keyed BLAKE2b-256 of the rest (a MAC by design,
RFC 7693; no HMAC construction needed) under a secret key
that lives outside every project, in the user's own cache folder (`$XDG_CACHE_HOME/rnnlint/cache-key`, else
`~/.cache/rnnlint/cache-key`; `%LOCALAPPDATA%` on Windows), created once with mode 0600. An entry whose MAC does
not verify (forged, copied from another machine or user, or written by an older rnnlint) is a miss. When no key
can be read or created (a read-only home), the caches are not used at all.

Kept free of heavy imports: the result cache uses it on every warm run.
"""
from __future__ import annotations

import os
import time

try:  # the modules behind hashlib.blake2b and hmac.compare_digest: importing hashlib loads OpenSSL (~2.5 ms of a
    # replayed run's ~33, rnnlint.replay), which nothing here needs
    from _blake2 import blake2b
    from _operator import _compare_digest as compare_digest
except ImportError:  # an interpreter built without them
    from hashlib import blake2b
    from hmac import compare_digest

TYPE_CHECKING = False  # pathlib is not imported: a replayed run (rnnlint.replay) verifies its record without it
if TYPE_CHECKING:
    from pathlib import Path

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by rnnlint.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
DEFAULT_CACHE_DIR = ".rnnlint_cache"
DEBUG_ENV = "RNNLINT_DEBUG_CACHE"  # =1: the result cache's hits and misses on stderr (rnnlint.resultcache.debug)


def ensure(root: Path, sub: str) -> Path:
    """Create `root/sub` and the root's markers (CACHEDIR.TAG, a .gitignore of `*`). Raises OSError."""
    folder = root / sub
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "# Created by rnnlint.\n*\n")):
        marker = root / name
        if not marker.exists():
            write_atomic(marker, text)
    return folder


def write_atomic(target: Path, content: str | bytes) -> None:
    """Write `content` (text as UTF-8, or bytes) to `target` through a temporary file in the same folder and
    os.replace, so that a reader (or a concurrent run) sees the old content or the new one, never a torn file. The
    file is private to the user (mkstemp: mode 0600). Raises OSError; leaves no temporary file behind."""
    import tempfile  # imported when a write happens: a replayed run (rnnlint.replay) writes nothing

    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        data = content.encode("utf-8") if isinstance(content, str) else content
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        remove(temporary)
        raise


MAC_PREFIX = "rnnlint-mac "
KEY_ENV = "RNNLINT_CACHE_KEY_FILE"  # another key file (tests; machines whose home is shared or read-only)


def key_file() -> str:
    """Where the per-user secret cache key lives: outside every project."""
    override = os.environ.get(KEY_ENV)
    if override:
        return override
    base = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
    return os.path.join(base or os.path.join(os.path.expanduser("~"), ".cache"), "rnnlint", "cache-key")


# Each key file's key, read (or made) once a process. A dict rather than functools.lru_cache: importing functools
# (and collections through it) is ~3 ms of a replayed run's ~37 ms (rnnlint.replay verifies its record here).
_SECRETS: dict[str, bytes | None] = {}


def _secret(path: str) -> bytes | None:
    """The key in `path` (see `_make_secret`), once a process."""
    if path not in _SECRETS:
        _SECRETS[path] = _make_secret(path)
    return _SECRETS[path]


def _make_secret(path: str) -> bytes | None:
    """The key in `path`, created (0600, race-free: the first process to link its key wins) when absent."""
    for _ in range(2):
        try:
            with open(path, "rb") as stream:
                key = stream.read(4096).strip()
            return key if len(key) >= 32 else None
        except FileNotFoundError:
            pass
        except OSError:
            return None
        try:
            import secrets
            import tempfile

            folder = os.path.dirname(path) or os.curdir
            os.makedirs(folder, mode=0o700, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-key-")
            try:
                with os.fdopen(fd, "w", encoding="ascii") as stream:
                    stream.write(secrets.token_hex(32) + "\n")
                try:
                    os.link(temporary, path)  # fails if another process made the key first: then read theirs
                except FileExistsError:
                    pass
                except OSError:
                    os.replace(temporary, path)  # no hard links here; a lost race only costs cache misses
            finally:
                remove(temporary)
        except OSError:
            return None
    return None


def cache_key() -> bytes | None:
    """The secret that signs cache entries, or None when there is none (then no cache is read or written)."""
    return _secret(key_file())


def mac(key: bytes, data: bytes) -> str:
    """The MAC of `data` under `key`, in hex: BLAKE2b-256 keyed with the key (a longer key than BLAKE2b's 64 bytes
    is hashed down to 64 first)."""
    if len(key) > 64:
        key = blake2b(key).digest()
    return blake2b(data, key=key, digest_size=32).hexdigest()


def _mac_line(data: bytes) -> str | None:
    """The first line of a signed entry holding `data`, or None when there is no key."""
    key = cache_key()
    return None if key is None else f"{MAC_PREFIX}{mac(key, data)}\n"


def _verifies(head: bytes, data: bytes) -> bool:
    """Whether `head` (an entry's first line) is the MAC line of `data` under this user's key."""
    line = _mac_line(data)
    return line is not None and compare_digest(head + b"\n", line.encode("ascii"))


def sign(text: str) -> str | None:
    """`text` with its MAC line in front, or None when there is no key."""
    line = _mac_line(text.encode("utf-8", "surrogatepass"))
    return None if line is None else line + text


def verified(blob: str) -> str | None:
    """The text of a signed entry whose MAC verifies under this user's key, else None."""
    head, newline, text = blob.partition("\n")
    ok = newline and _verifies(head.encode("utf-8", "surrogatepass"), text.encode("utf-8", "surrogatepass"))
    return text if ok else None


def sign_bytes(data: bytes) -> bytes | None:
    """`data` with its MAC line in front, or None when there is no key (`sign` for bytes)."""
    line = _mac_line(data)
    return None if line is None else line.encode("ascii") + data


def verified_bytes(blob: bytes) -> bytes | None:
    """The data of a signed entry whose MAC verifies under this user's key, else None (`verified` for bytes)."""
    head, newline, data = blob.partition(b"\n")
    return data if newline and _verifies(head, data) else None


STALE_SECONDS = 3600.0  # a live run's temporary file is seconds old; one an hour old was left by a killed run


def sweep(root: Path, now: float | None = None) -> int:
    """Remove the temporary files that runs killed mid-write left in the cache folders; returns how many.
    They are never read (entries are opened by their exact names), but they would pile up."""
    now = time.time() if now is None else now
    removed = 0
    for sub in ("results", "confirm"):
        try:
            entries = list(os.scandir(root / sub))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.startswith(".tmp-"):
                continue
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue
    return removed


def prune(folder: str | Path, prefix: str, keep: int) -> int:
    """Remove all but the `keep` most recently written files of `folder` whose names start with `prefix` (a run
    index or a replay record per command line would otherwise pile up: a pre-commit hook gives each commit its own
    list of files); returns how many went. A file another run has open stays readable; one about to be opened is a
    miss."""
    try:
        found = [(entry.stat(follow_symlinks=False).st_mtime_ns, entry.path) for entry in os.scandir(folder)
                 if entry.name.startswith(prefix)]
    except OSError:
        return 0
    found.sort(reverse=True)
    for _, path in found[keep:]:
        remove(path)
    return max(len(found) - keep, 0)


def touch(path: str | Path) -> None:
    """Mark a file as just used (its mtime), for `prune`; a failure only costs speed."""
    try:
        os.utime(path)
    except OSError:
        pass


def remove(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


__all__ = ["CACHEDIR_TAG", "DEBUG_ENV", "DEFAULT_CACHE_DIR", "KEY_ENV", "cache_key", "ensure", "key_file", "mac", "prune", "remove", "sign",
           "sign_bytes", "sweep", "touch", "verified", "verified_bytes", "write_atomic"]
