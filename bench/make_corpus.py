"""Generate a benchmark corpus: N Python files, a given fraction of them Keras RNN scripts, the rest ordinary Python.

The Keras scripts follow the kinds in examples/ — time-series windows, sensor data, text classification,
encoder-decoder — in varied styles: six import styles (`import keras`, `from keras import layers as kl`,
`from keras.models import Sequential`, `from tensorflow.keras ...`, `import tensorflow as tf` + `tf.keras.…`,
Keras 2 `keras.layers.recurrent`), Sequential lists, `.add()` chains, the functional API and `build_model()`
factories; LSTM, GRU, SimpleRNN and Bidirectional, stacked 1–3 deep. About a third carry one of the bugs rnnlint
flags (a missing return_sequences, a 2D X, a many-to-many target of the wrong rank, batch_input_shape / nb_epoch,
an input_shape of the wrong rank, no batch_size). Around each model: data loading, windowing, scaling, plotting
helpers and a small CLI, as real scripts have.

The ordinary files are modules of similar size: dataclasses, parsers, services with error handling, text
utilities, small algorithms, CLIs — typed, documented, with loops, comprehensions and f-strings. A few mention
PyTorch's nn.LSTM (they have nothing for rnnlint either). Every file is checked to parse.

Usage: python bench/make_corpus.py OUT_DIR [--files 5000] [--keras-fraction 0.01] [--seed 0]
Deterministic for a given seed. Files go into nested package folders (20–50 files each), like a real tree.
"""
from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import textwrap

NOUNS = ["order", "user", "invoice", "sensor", "record", "session", "item", "account", "event", "report",
         "batch", "message", "ticket", "payment", "device", "profile", "metric", "window", "sample", "job",
         "cache", "config", "token", "node", "edge", "graph", "schedule", "task", "price", "stock"]
VERBS = ["load", "parse", "build", "compute", "validate", "normalize", "merge", "split", "render", "fetch",
         "update", "collect", "summarize", "filter", "group", "encode", "decode", "resolve", "export", "check"]
ADJS = ["raw", "clean", "active", "pending", "daily", "total", "recent", "valid", "sorted", "unique"]


def ident(rng: random.Random, parts: int = 2) -> str:
    words = [rng.choice(VERBS)] + [rng.choice(ADJS + NOUNS) for _ in range(parts - 1)]
    return "_".join(words)


def cls_name(rng: random.Random) -> str:
    return rng.choice(ADJS).title() + rng.choice(NOUNS).title() + rng.choice(["Manager", "Store", "Parser",
                                                                              "Builder", "Service", "Index"])


# --------------------------------------------------------------------------------------------- ordinary Python


def _dataclass_block(rng: random.Random) -> str:
    name = cls_name(rng)
    fields = rng.sample(NOUNS, rng.randint(3, 6))
    types = ["int", "str", "float", "bool", "list[str]", "dict[str, int]"]
    lines = [f"@dataclass\nclass {name}:", f'    """A {rng.choice(ADJS)} {rng.choice(NOUNS)} record."""', ""]
    for f in fields:
        t = rng.choice(types)
        default = {"int": "0", "str": '""', "float": "0.0", "bool": "False"}.get(t, "field(default_factory=" +
                                                                                  ("list" if "list" in t else "dict") + ")")
        lines.append(f"    {f}: {t} = {default}")
    lines += ["", "    def to_dict(self) -> dict:", "        return {"]
    lines += [f'            "{f}": self.{f},' for f in fields]
    lines += ["        }", "", "    @classmethod", f"    def from_dict(cls, data: dict) -> \"{name}\":",
              "        return cls(" + ", ".join(f'{f}=data.get("{f}")' for f in fields) + ")", ""]
    return "\n".join(lines)


def _function_block(rng: random.Random) -> str:
    fn, a, b = ident(rng), rng.choice(NOUNS), rng.choice(NOUNS)
    kind = rng.randrange(6)
    if kind == 0:
        return textwrap.dedent(f'''
            def {fn}({a}s: list[dict], key: str = "{b}") -> dict[str, list[dict]]:
                """Group {a}s by `key`, skipping entries without it."""
                groups: dict[str, list[dict]] = {{}}
                for {a} in {a}s:
                    value = {a}.get(key)
                    if value is None:
                        continue
                    groups.setdefault(str(value), []).append({a})
                return {{k: sorted(v, key=lambda e: e.get("id", 0)) for k, v in groups.items()}}
            ''')
    if kind == 1:
        return textwrap.dedent(f'''
            def {fn}(path: str, encoding: str = "utf-8") -> list[tuple[str, int]]:
                """Read `path` as `name,count` lines; blank lines and comments are ignored."""
                rows = []
                with open(path, encoding=encoding) as handle:
                    for number, line in enumerate(handle, 1):
                        line = line.strip()
                        if not line or line.startswith("#"):
                            continue
                        try:
                            name, count = line.split(",", 1)
                            rows.append((name.strip(), int(count)))
                        except ValueError as exc:
                            raise ValueError(f"{{path}}:{{number}}: bad row {{line!r}}") from exc
                return rows
            ''')
    if kind == 2:
        return textwrap.dedent(f'''
            def {fn}(values: list[float], window: int = {rng.randint(2, 9)}) -> list[float]:
                """Moving average of `values` over `window` items."""
                if window <= 0:
                    raise ValueError("window must be positive")
                out: list[float] = []
                total = 0.0
                for i, value in enumerate(values):
                    total += value
                    if i >= window:
                        total -= values[i - window]
                    out.append(total / min(i + 1, window))
                return out
            ''')
    if kind == 3:
        return textwrap.dedent(f'''
            def {fn}(text: str, width: int = {rng.choice([40, 60, 72, 80])}) -> str:
                """Wrap `text` to `width` columns, keeping paragraphs."""
                paragraphs = [p.strip() for p in text.split("\\n\\n")]
                wrapped = []
                for paragraph in paragraphs:
                    line, lines = "", []
                    for word in paragraph.split():
                        if len(line) + len(word) + 1 > width:
                            lines.append(line)
                            line = word
                        else:
                            line = f"{{line}} {{word}}".strip()
                    if line:
                        lines.append(line)
                    wrapped.append("\\n".join(lines))
                return "\\n\\n".join(wrapped)
            ''')
    if kind == 4:
        return textwrap.dedent(f'''
            def {fn}(graph: dict[str, list[str]], start: str) -> list[str]:
                """Breadth-first order of the {a} graph from `start`."""
                seen = {{start}}
                queue = deque([start])
                order = []
                while queue:
                    node = queue.popleft()
                    order.append(node)
                    for neighbour in graph.get(node, []):
                        if neighbour not in seen:
                            seen.add(neighbour)
                            queue.append(neighbour)
                return order
            ''')
    return textwrap.dedent(f'''
        def {fn}({a}: dict, *, strict: bool = False) -> bool:
            """Check that a {a} has the required fields."""
            required = {sorted(rng.sample(NOUNS, 3))!r}
            missing = [name for name in required if name not in {a}]
            if missing and strict:
                raise KeyError(", ".join(missing))
            if {a}.get("{b}", 0) < 0:
                logger.warning("negative {b} in %s", {a}.get("id"))
                return False
            return not missing
        ''')


def _class_block(rng: random.Random) -> str:
    name, thing = cls_name(rng), rng.choice(NOUNS)
    return textwrap.dedent(f'''
        class {name}:
            """Keeps {thing}s in memory, with a size limit and simple statistics."""

            def __init__(self, limit: int = {rng.choice([100, 256, 1000, 4096])}) -> None:
                self.limit = limit
                self._items: dict[str, dict] = {{}}
                self.hits = 0
                self.misses = 0

            def get(self, key: str) -> dict | None:
                item = self._items.get(key)
                if item is None:
                    self.misses += 1
                else:
                    self.hits += 1
                return item

            def put(self, key: str, {thing}: dict) -> None:
                if len(self._items) >= self.limit:
                    oldest = next(iter(self._items))
                    del self._items[oldest]
                self._items[key] = {thing}

            def stats(self) -> dict[str, float]:
                total = self.hits + self.misses
                return {{"size": len(self._items), "hit_rate": self.hits / total if total else 0.0}}

            def __len__(self) -> int:
                return len(self._items)
        ''')


def _cli_block(rng: random.Random) -> str:
    return textwrap.dedent(f'''
        def main(argv: list[str] | None = None) -> int:
            parser = argparse.ArgumentParser(description="{rng.choice(VERBS)} {rng.choice(NOUNS)}s")
            parser.add_argument("paths", nargs="*")
            parser.add_argument("--limit", type=int, default={rng.randint(5, 500)})
            parser.add_argument("--verbose", action="store_true")
            args = parser.parse_args(argv)
            logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
            for path in args.paths:
                if not os.path.exists(path):
                    logger.error("missing: %s", path)
                    return 2
                logger.info("processing %s (limit %d)", path, args.limit)
            return 0


        if __name__ == "__main__":
            sys.exit(main())
        ''')


_TORCH = '''
class SequenceEncoder(nn.Module):
    """A PyTorch LSTM encoder (nothing for rnnlint: no Keras)."""

    def __init__(self, features: int = 8, hidden: int = 32) -> None:
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])
'''


def ordinary_file(rng: random.Random, target_lines: int) -> str:
    header = textwrap.dedent(f'''\
        """{rng.choice(VERBS).title()} and {rng.choice(VERBS)} {rng.choice(NOUNS)}s for the {rng.choice(NOUNS)} service."""
        from __future__ import annotations

        import argparse
        import logging
        import os
        import sys
        from collections import deque
        from dataclasses import dataclass, field

        logger = logging.getLogger(__name__)
        ''')
    torch = rng.random() < 0.02
    parts = [header.replace("import argparse\n", "import argparse\n\nimport torch.nn as nn\n") if torch else header]
    if torch:
        parts.append(_TORCH)
    lines = sum(p.count("\n") for p in parts)
    blocks = [_dataclass_block, _function_block, _function_block, _function_block, _class_block]
    while lines < target_lines:
        block = rng.choice(blocks)(rng).strip("\n") + "\n"
        parts.append("\n\n" + block)
        lines += block.count("\n") + 2
    if rng.random() < 0.5:
        parts.append("\n\n" + _cli_block(rng).strip("\n") + "\n")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------------- Keras

IMPORT_STYLES = {
    # style: (import lines, how to spell a layer, Sequential, Model, Input)
    "keras": ("import keras\nfrom keras import layers\n", "layers.{}", "keras.Sequential", "keras.Model",
              "keras.Input"),
    "keras-alias": ("import keras\nfrom keras import layers as kl\n", "kl.{}", "keras.Sequential", "keras.Model",
                    "keras.Input"),
    "keras-names": ("from keras.models import Sequential, Model\nfrom keras.layers import {names}\n", "{}",
                    "Sequential", "Model", "Input"),
    "tf-keras": ("from tensorflow.keras import layers, Sequential, Model, Input\n", "layers.{}", "Sequential",
                 "Model", "Input"),
    "tf": ("import tensorflow as tf\n", "tf.keras.layers.{}", "tf.keras.Sequential", "tf.keras.Model",
           "tf.keras.Input"),
    "keras2-legacy": (("from keras.models import Sequential, Model\nfrom keras.layers import Dense, Dropout, Input, "
                      "Embedding, Bidirectional, TimeDistributed\nfrom keras.layers.recurrent import LSTM, GRU, "
                      "SimpleRNN\n"), "{}", "Sequential", "Model", "Input"),
}
RNNS = ["LSTM", "GRU", "SimpleRNN", "LSTM", "GRU", "Bidirectional"]
BUGS = ["missing_return_sequences", "x_2d", "target_rank", "batch_input_shape", "nb_epoch", "input_rank",
        "no_batch_size"]

DATA_HELPERS = '''
def make_windows(series, timesteps, horizon=1):
    """Slide a window over a 1D series: X (samples, timesteps, 1), y (samples, horizon)."""
    xs, ys = [], []
    for start in range(len(series) - timesteps - horizon + 1):
        xs.append(series[start:start + timesteps])
        ys.append(series[start + timesteps:start + timesteps + horizon])
    return np.array(xs)[..., np.newaxis], np.array(ys)


def scale(values):
    """Min-max scaling to [0, 1]; returns the scaled array and the bounds."""
    low, high = float(np.min(values)), float(np.max(values))
    span = high - low if high > low else 1.0
    return (values - low) / span, (low, high)


def train_test_split(X, y, ratio=0.8):
    cut = int(len(X) * ratio)
    return X[:cut], X[cut:], y[:cut], y[cut:]
'''

REPORT_HELPERS = '''
def plot_history(history, path="history.png"):
    """Save the loss curves of a Keras History object."""
    import matplotlib.pyplot as plt

    plt.figure(figsize=(8, 4))
    for name, values in history.history.items():
        plt.plot(values, label=name)
    plt.xlabel("epoch")
    plt.legend()
    plt.tight_layout()
    plt.savefig(path)
    plt.close()


def summarize(predictions, targets):
    errors = np.abs(np.asarray(predictions).ravel() - np.asarray(targets).ravel())
    return {"mae": float(errors.mean()), "max": float(errors.max()), "n": int(errors.size)}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="train a recurrent model")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--plot", action="store_true")
    return parser.parse_args(argv)
'''


def _layer(style: tuple, kind: str, units: int, **kwargs) -> str:
    spell = style[1]
    args = [str(units)] + [f"{k}={v!r}" if not isinstance(v, str) or k == "activation" else f"{k}={v}"
                           for k, v in kwargs.items()]
    if kind == "Bidirectional":
        inner = spell.format("LSTM") + "(" + ", ".join(args) + ")"
        return spell.format("Bidirectional") + "(" + inner + ")"
    return spell.format(kind) + "(" + ", ".join(args) + ")"


def keras_file(rng: random.Random, target_lines: int) -> str:
    style_name = rng.choice(list(IMPORT_STYLES))
    style = IMPORT_STYLES[style_name]
    bug = rng.choice(BUGS) if rng.random() < 0.35 else None
    if style_name == "keras2-legacy" and bug is None and rng.random() < 0.5:
        bug = rng.choice(["batch_input_shape", "nb_epoch"])
    kinds = [rng.choice(RNNS) for _ in range(rng.choice([1, 1, 2, 2, 3]))]
    if bug == "missing_return_sequences" and len(kinds) < 2:
        kinds.append(rng.choice(["LSTM", "GRU"]))
    api = rng.choice(["list", "add", "functional", "factory"])
    if bug in ("batch_input_shape", "input_rank") and api == "functional":
        api = "add"
    timesteps, features = rng.choice([10, 12, 20, 24, 30, 48, 60]), rng.choice([1, 1, 2, 3, 5])
    samples = rng.choice([64, 128, 200, 256, 500])
    batch = rng.choice([8, 16, 32])
    seq_out = rng.random() < 0.25 and bug != "missing_return_sequences"
    names = sorted({("LSTM" if k == "Bidirectional" else k) for k in kinds} |
                   {"Dense", "Dropout", "Input"} | ({"Bidirectional"} if "Bidirectional" in kinds else set()) |
                   ({"TimeDistributed"} if seq_out else set()))
    imports = "import argparse\n\nimport numpy as np\n" + style[0].replace("{names}", ", ".join(names))
    doc = rng.choice(["Forecast the next value of a univariate series with a recurrent network.",
                      "Classify sensor windows (temperature, humidity, pressure) with stacked recurrent layers.",
                      "The lecture example: sequences of numbers, predict the next one.",
                      "Train a sequence model on synthetic data and report the error."])
    out = [f'"""{doc}"""\n', imports, "\n", DATA_HELPERS]

    # --- data
    if features == 1:
        data = [f"series = np.sin(np.linspace(0, {rng.randint(10, 80)}, {samples + timesteps + 1})).astype(\"float32\")",
                f"X, y = make_windows(series, {timesteps})"]
        if bug == "x_2d":
            data = [f"X = np.random.rand({samples}, {timesteps}).astype(\"float32\")   # no feature axis",
                    f"y = np.random.rand({samples}, 1).astype(\"float32\")"]
            features = 2  # the model says 2 features: a 2D X cannot be fixed up by Keras
    else:
        data = [f"rows = np.random.rand({samples * timesteps}, {features}).astype(\"float32\")",
                f"X = rows.reshape({samples}, {timesteps}, {features})" if bug != "x_2d" else
                f"X = rows.reshape({samples}, {timesteps * features})   # forgot the time axis",
                f"y = np.random.rand({samples}, 1).astype(\"float32\")"]
    if seq_out:
        data.append(f"y = np.random.rand(len(X), {timesteps}, 1).astype(\"float32\")" if bug != "target_rank" else
                    "y = np.random.rand(len(X), 1).astype(\"float32\")   # one target per sample")
        if bug == "target_rank":
            pass
    elif bug == "target_rank":
        data.append(f"y = np.random.rand(len(X), {timesteps}, 1).astype(\"float32\")")
    # --- model
    units = [rng.choice([16, 32, 64, 128]) for _ in kinds]
    rec = []
    for i, (kind, u) in enumerate(zip(kinds, units)):
        last = i == len(kinds) - 1
        kw = {}
        if not last and not (bug == "missing_return_sequences" and i == len(kinds) - 2):
            kw["return_sequences"] = True
        if last and seq_out:
            kw["return_sequences"] = True
        if rng.random() < 0.3:
            kw["dropout"] = rng.choice([0.1, 0.2])
        rec.append((kind, u, kw))
    dense_units = 1
    seq_layers = []
    first_kw = {}
    if bug == "batch_input_shape":
        first_kw = {"batch_input_shape": (batch, timesteps, features), "stateful": True}
    elif bug == "input_rank":
        first_kw = {"input_shape": (timesteps,)}
    elif api in ("list", "add", "factory") and rng.random() < 0.5:
        first_kw = {"input_shape": (timesteps, features)}
    use_input = not first_kw
    for i, (kind, u, kw) in enumerate(rec):
        kw = dict(kw)
        if i == 0:
            kw.update(first_kw)
        seq_layers.append(_layer(style, kind, u, **kw))
        if rng.random() < 0.3 and kind != "Bidirectional":
            seq_layers.append(style[1].format("Dropout") + f"({rng.choice([0.1, 0.2, 0.3])})")
    head = style[1].format("Dense") + f"({dense_units})"
    if seq_out and rng.random() < 0.5:
        head = style[1].format("TimeDistributed") + "(" + head + ")"
    seq_layers.append(head)
    input_layer = f"{style[4]}(shape=({timesteps}, {features}))"
    lines = []
    if api == "list":
        lines.append(f"model = {style[2]}([")
        if use_input:
            lines.append(f"    {input_layer},")
        lines += [f"    {layer}," for layer in seq_layers] + ["])"]
    elif api == "add":
        lines.append(f"model = {style[2]}()")
        if use_input:
            lines.append(f"model.add({input_layer})")
        lines += [f"model.add({layer})" for layer in seq_layers]
    elif api == "functional":
        lines.append(f"inputs = {input_layer}")
        lines.append("x = inputs")
        lines += [f"x = {layer}(x)" for layer in seq_layers]
        lines.append(f"model = {style[3]}(inputs, x)")
    else:
        lines.append(f"def build_model(units={units[0]}):")
        lines.append(f"    model = {style[2]}()")
        if use_input:
            lines.append(f"    model.add({input_layer})")
        lines += [f"    model.add({layer})" for layer in seq_layers]
        lines.append("    model.compile(optimizer=\"adam\", loss=\"mse\", metrics=[\"mae\"])")
        lines.append("    return model")
        lines.append("")
        lines.append("")
    model_code = "\n".join(lines) + "\n"
    compile_code = "" if api == "factory" else "model.compile(optimizer=\"adam\", loss=\"mse\", metrics=[\"mae\"])\n"
    fit_kw = "" if bug == "no_batch_size" else f", batch_size={batch}"
    epochs = "nb_epoch=args.epochs" if bug == "nb_epoch" else "epochs=args.epochs"
    shuffle = ", shuffle=False" if bug == "batch_input_shape" else ""
    if bug == "batch_input_shape":
        data.append(f"X, y = X[:{(samples // batch) * batch}], y[:{(samples // batch) * batch}]")
    main = ["", "", "def main(argv=None):", "    args = parse_args(argv)"]
    main += ["    " + line for line in data]
    if api == "factory":
        main.append("    model = build_model(args.units)")
    else:
        main += ["    " + line for line in model_code.rstrip("\n").split("\n")]
        main.append("    " + compile_code.strip())
    main.append("    model.summary()")
    main.append(f"    history = model.fit(X, y, {epochs}{fit_kw}{shuffle}, validation_split=0.1, verbose=0)")
    main.append("    if args.plot:")
    main.append("        plot_history(history)")
    main.append(f"    print(summarize(model.predict(X{fit_kw}), y))")
    main.append("    return 0")
    if api == "factory":
        out.append("\n\n" + model_code)
    out.append(REPORT_HELPERS)
    out.append("\n".join(main) + "\n")
    # pad with more helpers of the same kind until the file is about the target size
    text = "".join(out)
    n = text.count("\n")
    extra = []
    while n < target_lines - 4:
        block = _function_block(rng).strip("\n") + "\n"
        extra.append("\n\n" + block)
        n += block.count("\n") + 2
    text += "".join(extra)
    text += "\n\nif __name__ == \"__main__\":\n    main()\n"
    if "deque" in text:
        text = text.replace("import argparse\n", "import argparse\nfrom collections import deque\n", 1)
    if "logger." in text:
        text = text.replace("import argparse\n", "import argparse\nimport logging\n", 1)
        text = text.replace("\n\ndef make_windows", "\nlogger = logging.getLogger(__name__)\n\n\ndef make_windows", 1)
    return text


def make(out_dir: str, files: int, keras_fraction: float, seed: int = 0) -> dict:
    """Write the corpus; returns counts (files, keras files, lines)."""
    rng = random.Random(seed)
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    n_keras = round(files * keras_fraction)
    keras_ids = set(rng.sample(range(files), n_keras))
    lines = keras_lines = 0
    folder, in_folder, per_folder = None, 0, 0
    for i in range(files):
        if folder is None or in_folder >= per_folder:
            folder = os.path.join(out_dir, f"pkg{i // 40:03d}", rng.choice(NOUNS) + f"_{i}")
            os.makedirs(folder)
            in_folder, per_folder = 0, rng.randint(20, 50)
        target = max(30, int(rng.lognormvariate(4.55, 0.45)))  # median ~95 lines, long tail
        if i in keras_ids:
            text = keras_file(rng, target)
            name = rng.choice(["train", "model", "forecast", "lstm", "rnn", "experiment"]) + f"_{i}.py"
        else:
            text = ordinary_file(rng, target)
            name = ident(rng) + f"_{i}.py"
        ast.parse(text)  # every file must be valid Python
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(text)
        in_folder += 1
        count = text.count("\n")
        lines += count
        keras_lines += count if i in keras_ids else 0
    return {"files": files, "keras_files": n_keras, "lines": lines, "keras_lines": keras_lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--keras-fraction", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(make(args.out_dir, args.files, args.keras_fraction, args.seed))


if __name__ == "__main__":
    main()
