"""The prefilter: from a file's raw bytes, before decoding or parsing, tell that rnnlint has nothing to check in it.

Most files in a project never touch Keras, and parsing and analysing them is what a run would cost (~3 ms per
file with the ast analyzer, ~45 ms with the earlier libcst one; reading a file and searching its bytes takes
~13 µs: bench/RESULTS.md). `may_hold_model(path, data)` is False only when the file provably has no model
rnnlint checks; the engine then skips it (`FileResult.skipped`, counted by `--statistics`).

Why it is exact
---------------
Every rule reads only the IR, and the analyzer only builds a model (or records a layer, a train call, or a
removed-module import for RNN010) from *Keras names*: qualified names that the analyzer resolves through the
file's own import statements and that `rnnlint.analyze.names.keras_name` maps to Keras. Every Keras prefix
there (`keras.`, `tensorflow.keras.`, `tf_keras.`, `tensorflow.compat.v1.keras.`, `keras.src.`, …) and every
module in RNN010's REMOVED_MODULES contains the word `keras`. A qualified name is spelled from the identifiers
written in the file — after NFKC normalisation, which CPython applies to identifiers (`import ｋeras` with a
fullwidth k imports keras, and the analyzer, on CPython's ast, sees `keras`); so a file whose NFKC-normalised
text never contains `keras` has no Keras name, hence no model, hence no finding. A file with non-ASCII bytes is
decoded (as the engine would) and normalised before the search — also under a latin-1 cookie, where `ª`
normalises to `a`. Recurrent layer names (LSTM, GRU, …) and `tensorflow`
alone are not needed: an `LSTM` that is not reached through a `keras` name is not Keras's (PyTorch's nn.LSTM,
a user's own class). The search is case-sensitive for the same reason: `Keras.layers.LSTM` is not resolved.
`tests/test_prefilter.py` guards these assumptions against the alias table and the rules.

From bytes to text: a file of ASCII bytes read as UTF-8 (the default) or an ASCII-compatible single-byte codec
(latin-1, iso8859-*, cp125x) has the bytes as its text, so the bytes search decides. Anything else — non-ASCII
bytes, or a cookie naming another codec (UTF-7 can spell k as `+AGs-`) — is decoded as the engine would decode
it, NFKC-normalised and searched as text (rare; still far cheaper than parsing). A notebook (.ipynb, JSON) could
spell a letter as a `\\u` escape: one with an escape of a letter of the words, of a non-ASCII character whose
NFKD has one, or of half a surrogate pair is decoded with the json module and searched the same way (an ANSI colour
`\\u001b` or a typographic quote `\\u2019` spells nothing); one with NUL bytes (UTF-16/32 JSON) is not skipped.

What a skipped file does not get
--------------------------------
- No RNN000 report: a file that never mentions keras is not decoded or parsed, so its syntax errors, bad
  encodings and binary content are not reported (rnnlint is not a Python syntax checker; ruff and flake8 are).
  A file that cannot be read at all (permission denied) is still reported, since there are no bytes to look at.

Analysed are the files whose *code* names Keras and a recurrent layer (`names_recurrent_in_code`): the bytes
search finds the candidates, then comments and string literals are blanked (`code_of`, a left-to-right scan; an
f-string is kept, its braces hold code) and, for a notebook, only its code cells are read — the word in a
docstring, in markdown, or by chance in a cell's base64 output image, is no identifier, so no Keras name.

A file without `keras` that imports a module of the linted project which has it (directly, or through up to
three modules) is not skipped: the training script that imports a model builder from `models.py` fits a Keras
model that the analysis follows across the import (`imports_model_module`, decided from import lines and the
imported files' bytes, without parsing).
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

TYPE_CHECKING = False  # the notebook reader is imported only for a notebook
if TYPE_CHECKING:
    from rnnlint.sources.notebook import ParsedNotebook

#: The word every Keras name contains (see the module docstring). Bytes, searched case-sensitively.
KEYWORD = b"keras"

# PEP 263: a comment on line 1 or 2 naming the encoding.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
# A JSON \u escape (four hex digits). In a notebook, one may stand for a letter of a searched word (`\u006beras`)
# or for a character NFKC turns into one (ª → a, ｋ → k, 𝐤 → k as a surrogate pair): `_escapes_may_spell`.
_JSON_ESCAPE = re.compile(rb"\\u([0-9a-fA-F]{4})")


def _ascii_transparent(encoding: str) -> bool:
    """Codecs in which a byte string contains b'keras' exactly when its decoded text contains 'keras'."""
    return encoding in ("utf-8", "ascii") or encoding.startswith(("iso8859-", "cp125"))


def _declared_encoding(data: bytes) -> str | None:
    """The codec named by a PEP 263 cookie in the first two lines, normalised; None if there is none."""
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    lines = (data,) if first < 0 else (data[:first], data[first + 1:second] if second >= 0 else data[first + 1:])
    for line in lines:
        if b"coding" not in line:
            continue
        match = _COOKIE.match(line)
        if match:
            try:
                return codecs.lookup(match.group(1).decode("ascii")).name
            except (LookupError, UnicodeDecodeError):
                return "unknown"
    return None


def _contains(data: bytes, word: bytes) -> bool:
    """`word in data`, by the fastest of CPython's two literal searches for the word: a short word (5 bytes or fewer)
    is found 1.3-3x sooner by `re`'s literal search than by `bytes.__contains__` (measured over the real-code set's
    94 MB: `keras` 28 → 21 ms, `LSTM` 46 → 30, `GRU` 23 → 12, `\\u` 79 → 25, `.fit` 30 → 15), a longer one (`recurrent`)
    sooner by `in`. The same answer either way."""
    search = _SEARCHES.get(word)
    return word in data if search is None else search(data) is not None


def _any(data: bytes, words: tuple[bytes, ...]) -> bool:
    return any(_contains(data, word) for word in words)


def may_hold_model(path: str, data: bytes) -> bool:
    """False only when the file at `path` with content `data` cannot hold anything rnnlint checks."""
    return _mentions(path, data, (KEYWORD,))


_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def _may_spell(text: str, words: tuple[str, ...]) -> bool:
    """Whether NFKC normalisation could put a letter of `words` (ASCII) into `text` where there was none. NFKC is the
    canonical composition of the NFKD decomposition; no composition yields an ASCII character, and no character
    decomposes to nothing. So when no non-ASCII character of the text decomposes to one of the letters, an ASCII
    word made of them is in the normalised text exactly when it is in the text: each of its letters is one of
    the text's own, and whatever stood between two of them still stands between them (or has composed one of
    them away). Checking the distinct non-ASCII characters is much cheaper than normalising a large text."""
    letters = set("".join(words))
    return any(letters.intersection(unicodedata.normalize("NFKD", char)) for char in set(_ASCII_RUNS.sub("", text)))


_ASCII_BYTES = bytes(range(128))


def _may_spell_utf8(data: bytes, words: tuple[str, ...]) -> bool:
    """`_may_spell` of `data` decoded as UTF-8 (with replacement), from its non-ASCII bytes alone (deleted ASCII
    bytes, then decoded): every character the whole decoding has outside ASCII is among theirs (its bytes are all
    non-ASCII and contiguous, its lead byte never taken as the continuation of an earlier one; joining runs can only
    complete more characters, which at worst sends the caller to the exact check). No decoding of a large text."""
    return _may_spell(data.translate(None, _ASCII_BYTES).decode("utf-8", "replace"), words)


def _escapes_may_spell(data: bytes, words: tuple[str, ...]) -> bool:
    """Whether a JSON `\\u` escape in `data` may put a letter of `words` into the decoded text: it stands for one
    of the letters, for a non-ASCII character whose NFKD has one, or for half of a surrogate pair (the character it
    makes is not known from one half). Otherwise every escape decodes to a character that is no such letter and
    that NFKC makes none: it separates words, and the words of the decoded text are those of the raw one."""
    letters = set("".join(words))
    for digits in set(_JSON_ESCAPE.findall(data)):
        char = chr(int(digits, 16))
        if char in letters or 0xD800 <= ord(char) <= 0xDFFF:
            return True
        if not char.isascii() and letters.intersection(unicodedata.normalize("NFKD", char)):
            return True
    return False


def _mentions(path: str, data: bytes, words: tuple[bytes, ...]) -> bool:
    """Whether the file's text, NFKC-normalised as CPython reads identifiers, contains one of `words`: the bytes
    decide for ASCII text in an ASCII-transparent codec; anything else is decoded as the engine would decode it (a
    notebook's JSON escapes only when one may spell a letter of the words)."""
    if _any(data, words):
        return True
    texts = tuple(word.decode() for word in words)

    def found(text: str) -> bool:
        if not unicodedata.is_normalized("NFKC", text) and _may_spell(text, texts):
            text = unicodedata.normalize("NFKC", text)
        return any(t in text for t in texts)

    if path.lower().endswith(".ipynb"):  # JSON: UTF-8 (or UTF-16/32, with NUL bytes), letters maybe \u-escaped
        if b"\0" in data:
            return True
        if _contains(data, b"\\u") and _escapes_may_spell(data, texts):
            import json

            try:
                return found(json.dumps(json.loads(data), ensure_ascii=False))
            except (ValueError, RecursionError):
                return False  # not JSON: the notebook reader could only report RNN000
        return not data.isascii() and _may_spell_utf8(data, texts) and found(data.decode("utf-8", "replace"))
    encoding = _declared_encoding(data)
    if data.isascii() and (encoding is None or _ascii_transparent(encoding)):
        return False  # ASCII bytes read as UTF-8, ASCII or a single-byte superset: the text is the bytes
    if encoding is None or encoding == "utf-8":
        # UTF-8 maps ASCII bytes to themselves: without a character NFKC could turn into a letter of the words,
        # the text has them exactly where the bytes do, and the bytes have none
        return _may_spell_utf8(data, texts) and found(data.decode("utf-8", "replace"))
    from rnnlint.sources import decode_python

    try:
        text = decode_python(data)
    except (ValueError, SyntaxError):
        return False  # undecodable: no text, so no model (the engine would only report RNN000)
    return found(text)


# `import a.b, c` and `from .a.b import c, d` at the start of a line (inside a block too); matched at the starts
# of the lines that say `import` (`_import_lines`): a MULTILINE `^` search tries every byte and cost 8x as much.
_IMPORT = re.compile(rb"[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]+\(?([\w., \t]+|\*)"
                     rb"|import[ \t]+([\w., \t]+))", re.MULTILINE)


# What a file without `keras` must call for a model built in another module to be checked in it: the train and
# predict methods (RNN004–RNN007), and the model methods Keras 3 removed (RNN010).
_USES_A_MODEL = (b".fit", b".predict", b".evaluate", b"_on_batch", b"reset_states")


def module_stems(paths) -> set[str]:
    """Every folder and file name (without `.py`) along the given paths: the names a module among them can be
    imported by."""
    import os

    stems: set[str] = set()
    for path in paths:
        parts = os.path.normpath(path).split(os.sep)
        stems.update(p[:-3] if p.endswith(".py") else p for p in parts if p)
    return stems


#: What a file must name (besides `keras`) for rnnlint to analyse it: a recurrent layer, cell or wrapper, or a
#: Keras-2 recurrent module. Every recurrent class Keras has contains one of these (LSTM, LSTMCell, ConvLSTM2D,
#: CuDNNLSTM; GRU, GRUCell, CuDNNGRU; SimpleRNN, RNN, StackedRNNCells) and so do `keras.layers.recurrent`,
#: `cudnn_recurrent` and `convolutional_recurrent`; a name reached only through another module is covered by
#: the imports (`imports_model_module`).
RECURRENT_MARKERS = (b"LSTM", b"GRU", b"RNN", b"recurrent")
# The words searched in raw bytes that `re` finds sooner than `in` (`_contains`).
_SEARCHES = {word: re.compile(re.escape(word)).search
             for word in (KEYWORD, *RECURRENT_MARKERS, b"\\u", *_USES_A_MODEL) if len(word) <= 5}


def names_recurrent(path: str, data: bytes) -> bool:
    """Whether the file's text names a recurrent layer or module: exact in the same way as `may_hold_model`."""
    return _mentions(path, data, RECURRENT_MARKERS)


# Where a Python text is not code: a comment, or a string literal (single or triple quoted, a backslash escaping any
# character, a line break included). Found left to right, so a `#` inside a string and a quote inside a comment are
# not mistaken. An f-string's braces hold code: a literal with an `f` among the two characters before its quote is
# kept (conservatively: `elif"…"` is kept too).
_NOT_CODE = (r"#[^\r\n]*"
             r"|'''[^'\\]*(?:(?:\\(?:\r\n|.)|'(?!''))[^'\\]*)*'''"
             r'|"""[^"\\]*(?:(?:\\(?:\r\n|.)|"(?!""))[^"\\]*)*"""'
             r"|'[^'\\\r\n]*(?:\\(?:\r\n|.)[^'\\\r\n]*)*'"
             r'|"[^"\\\r\n]*(?:\\(?:\r\n|.)[^"\\\r\n]*)*"')
_NOT_CODE_TEXT = re.compile(_NOT_CODE, re.DOTALL)
_NOT_CODE_BYTES = re.compile(_NOT_CODE.encode("ascii"), re.DOTALL)


def code_of(text: str | bytes) -> str | bytes:
    """`text` (Python source) with each comment and string literal (f-strings kept) replaced by a space: what can
    hold an identifier. Exact for source that CPython tokenizes; on other text it may keep more, never less, than
    the code a parse would find. Since Python 3.12 an f-string's braces may hold strings in its own quotes
    (`f"{d["k"]}"`): the scan then ends the f-string early, inside a replacement field, and keeps everything from
    there on (never less than the code)."""
    binary = isinstance(text, bytes)
    pattern = _NOT_CODE_BYTES if binary else _NOT_CODE_TEXT
    hash_, f, open_, close, space = (b"#", b"f", b"{", b"}", b" ") if binary else ("#", "f", "{", "}", " ")
    empty = text[:0]
    pieces = []
    done = 0
    for match in pattern.finditer(text):
        start, literal = match.start(), match.group()
        pieces.append(text[done:start])
        done = match.end()
        if literal[:1] == hash_ or f not in text[max(start - 2, 0):start].lower():
            pieces.append(space)  # a comment, or a string that is not an f-string
            continue
        fields = literal.replace(open_ + open_, empty).replace(close + close, empty)  # `{{` and `}}` are text
        if fields.count(open_) > fields.count(close):  # it ended inside a replacement field: keep the rest
            pieces.append(text[start:])
            done = len(text)
            break
        pieces.append(literal)
    pieces.append(text[done:])
    return empty.join(pieces)


_SEARCHED = tuple(word.decode() for word in (KEYWORD, *RECURRENT_MARKERS))  # what `_program_code`'s result is for


def _program_code(path: str, data: bytes) -> tuple[str | bytes | None, ParsedNotebook | None]:
    """The code the analysis would read from the file (a notebook's code cells, a module's text) without comments
    and strings (`code_of`); None when that cannot be told without the reader (undecodable, not a notebook), whose
    diagnostic the analysis then reports. Of a notebook, the cells that cannot say a word searched for (ASCII cells
    without one of _SEARCHED) are left out: the result is only searched for those words. Second: a notebook's
    sources.notebook.ParsedNotebook (None for anything else), for the analysis not to parse it again."""
    if path.lower().endswith(".ipynb") or path == "-" and data.lstrip()[:1] == b"{":  # standard input: maybe a notebook
        from rnnlint.sources.notebook import IPYTHON_LINE, NotebookError, ParsedNotebook, parse_document

        try:
            document, sources = parse_document(data)
        except NotebookError:
            return None, None
        code = "\n".join(text if IPYTHON_LINE.search(text) else code_of(text) for _, text in sources
                         if not text.isascii() or any(word in text for word in _SEARCHED))  # (the others say none)
        return code, ParsedNotebook.of(document, sources)
    encoding = _declared_encoding(data)
    if data.isascii() and (encoding is None or _ascii_transparent(encoding)):
        return code_of(data), None
    from rnnlint.sources import decode_python

    try:
        return code_of(decode_python(data)), None
    except (ValueError, SyntaxError):
        return None, None


def _says(code: str | bytes, words: tuple[bytes, ...]) -> bool:
    """Whether `code` contains one of `words` (in a text, after NFKC normalisation, as CPython reads identifiers)."""
    if isinstance(code, bytes):
        return _any(code, words)
    texts = tuple(word.decode() for word in words)
    if not unicodedata.is_normalized("NFKC", code) and _may_spell(code, texts):
        code = unicodedata.normalize("NFKC", code)
    return any(t in code for t in texts)


def names_recurrent_in_code(path: str, data: bytes) -> bool:
    """Whether the file's code (not just a comment, a string, a notebook's markdown or outputs) names Keras and a
    recurrent layer or module. Every Keras name is spelled from identifiers, and no identifier is inside a comment
    or a string literal (f-strings, whose braces hold code, are kept), so a file whose code lacks either word has no
    Keras recurrent layer of its own. What cannot be told here (not decodable, not a notebook) is True."""
    return recurrent_in_code(path, data)[0]


def recurrent_in_code(path: str, data: bytes, holds: bool | None = None) -> tuple[bool, ParsedNotebook | None]:
    """`names_recurrent_in_code`, and the sources.notebook.ParsedNotebook of a notebook it parsed to tell (None
    when it parsed none): the analysis of a notebook that names one takes it instead of parsing the JSON again.
    `holds`: `may_hold_model(path, data)`, when the caller has it."""
    if not ((may_hold_model(path, data) if holds is None else holds) and names_recurrent(path, data)):
        return False, None
    code, parsed = _program_code(path, data)
    return code is None or (_says(code, (KEYWORD,)) and _says(code, RECURRENT_MARKERS)), parsed


def should_analyse(path: str, data: bytes, loader, stems: set[str] | None = None, named: bool | None = None,
                   memo: ImportMemo | None = None, holds: bool | None = None) -> bool:
    """Whether rnnlint analyses the file: its code names Keras and a recurrent layer, or it imports (directly or
    through other modules of the project) a module that does — a model builder, from a training script. `named`
    and `holds`: `names_recurrent_in_code` and `may_hold_model` of the file, when the caller has them already;
    `memo`: the run's (see ImportMemo)."""
    if may_hold_model(path, data) if holds is None else holds:
        if named is None:
            named = names_recurrent_in_code(path, data)
        return named or imports_model_module(path, data, loader, stems, calls=False, memo=memo)
    return imports_model_module(path, data, loader, stems, memo=memo)


@dataclass
class ImportMemo:
    """What the import search learned of the project modules during one run (same `loader` and `stems`): a module
    that many files import is read, checked and scanned for imports once (on the real-code set, 822 checks of 109
    modules)."""

    named: dict[str, bool | None] = field(default_factory=dict)  # module → names a recurrent layer; None: unreadable
    content: dict[str, bytes] = field(default_factory=dict)  # the bytes of those that do not (scanned if reached)
    imports: dict[str, list[str]] = field(default_factory=dict)  # module → the project modules it imports


def imports_model_module(path: str, data: bytes, loader, stems: set[str] | None = None, depth: int = 3,
                         calls: bool = True, memo: ImportMemo | None = None) -> bool:
    """Whether the file imports a module of the project (found by `loader`, an analyze.project.ModuleLoader)
    whose bytes contain `keras` and name a recurrent layer, directly or through at most `depth` imports. With
    `stems` (`module_stems` of the run's files with `keras`), only imports whose dotted name has one of them as a
    part are looked up. `calls`: the file must also call a model method (a file without `keras` can only use a
    model built elsewhere)."""
    frontier = _imported_files(path, data, loader, stems)  # one pass over the bytes: before the five below
    if not frontier:
        return False
    if calls and not _any(data, _USES_A_MODEL):
        return False  # it calls no model method: nothing of a model built elsewhere to check here
    memo = ImportMemo() if memo is None else memo
    seen: set[str] = set()
    for level in range(depth):
        found = []
        for target in frontier:
            if target in seen:
                continue
            seen.add(target)
            if target not in memo.named:
                try:
                    with open(target, "rb") as handle:
                        imported = handle.read()
                except OSError:
                    memo.named[target] = None
                    continue
                memo.named[target] = names_recurrent_in_code(target, imported)
                if not memo.named[target]:
                    memo.content[target] = imported
            if memo.named[target]:
                return True
            if memo.named[target] is False and level + 1 < depth:
                if target not in memo.imports:
                    memo.imports[target] = _imported_files(target, memo.content.pop(target), loader, stems)
                found.extend(memo.imports[target])
        frontier = found
        if not frontier:
            return False
    return False


# In a notebook's JSON a source line is a string: `"from models import build\n",` (one per line in a list, or
# joined with `\n` escapes in one string). An import found there is looked up as in a module; one written with
# other JSON escapes is not found (the notebook is then analysed only if it names a recurrent layer itself).
_NOTEBOOK_IMPORT = re.compile(rb'(?:"|\\n)' + _IMPORT.pattern)
_IMPORT_WORD = re.compile(rb"import").search


def _import_lines(data: bytes, notebook: bool = False) -> list[re.Match]:
    """The import statements at the start of a line — of a source line in a notebook's JSON (`_NOTEBOOK_IMPORT`)
    — found from the occurrences of `import` (a search of every byte costs 8x as much, in JSON 13x)."""
    pattern = _NOTEBOOK_IMPORT if notebook else _IMPORT
    out = []
    line_start = -1
    found = _IMPORT_WORD(data)  # re's literal search: ~20% sooner than bytes.find over the real-code set
    while found is not None:
        at = found.start()
        if notebook:  # the string's opening quote, or the `\` of the `\n` escape before the line
            start = max(data.rfind(b'"', 0, at), data.rfind(b"\\n", 0, at))
        else:
            start = data.rfind(b"\n", 0, at) + 1
        if start >= 0 and start != line_start:  # one statement per line start (a line may say `import` twice)
            line_start = start
            match = pattern.match(data, start)
            if match is not None:
                out.append(match)
        found = _IMPORT_WORD(data, at + 6)
    return out


def _imported_files(importer: str, data: bytes, loader, stems: set[str] | None) -> list[str]:
    out = []
    if stems is not None and not stems:
        return out
    for match in _import_lines(data, notebook=importer.lower().endswith(".ipynb")):
        dots, module, names, plain = match.groups()
        if plain is not None:
            candidates = [(m.strip().split()[0], 0) for m in plain.decode("ascii", "replace").split(",") if m.strip()]
        else:
            level = len(dots)
            base = module.decode("ascii", "replace")
            candidates = [(base, level)] + [
                (f"{base}.{n.strip().split()[0]}" if base else n.strip().split()[0], level)
                for n in names.decode("ascii", "replace").split(",") if n.strip() and n.strip() != "*"]
        for module_name, level in candidates:
            if not module_name and not level:
                continue
            if stems is not None and not any(part in stems for part in module_name.split(".")):
                continue
            target = loader.resolve(importer, module_name, level)
            if target is not None:
                out.append(target)
    return out
