"""The checker, against the real Keras installed here (no mocks of Keras: without it these tests fail)."""
from __future__ import annotations

import itertools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli, write
from rnnlint.confirm import confirm_findings, repro_script
from rnnlint.confirm.build import SpecError, construct_layer
from rnnlint.confirm.cache import Cache
from rnnlint.confirm.client import spawn_worker
from rnnlint.confirm.messages import describe_exception
from rnnlint.confirm.spec import Refusal, Spec, build_spec
from rnnlint.findings import Evidence, Finding
from rnnlint.ir import (
    ArrayShape, Argument, CallSite, DeclaredInput, Layer, Model, Node, Pos, Span, TensorRef, Unknown,
)

_lines = itertools.count(1)


# --- IR helpers ----------------------------------------------------------------------------------

def _span(line: int) -> Span:
    return Span(line, 1, line, 40)


def arg(value: Any, keyword: str | None = None, source: str = "") -> Argument:
    return Argument(keyword, value, _span(1), _span(1), source or repr(value))


def layer(kind: str, *args: Any, known: bool = True, inner: Layer | None = None, **kwargs: Any) -> Layer:
    line = next(_lines)
    arguments = tuple(arg(a) for a in args) + tuple(arg(v, k) for k, v in kwargs.items())
    call = CallSite(_span(line), _span(line), f"keras.layers.{kind}", Pos(line, 39))
    return Layer(kind, known, arguments, call, inner=inner)


def sequential(*layers: Layer, complete: bool = True) -> Model:
    nodes = tuple(Node(i, l, (TensorRef(i - 1),) if i else ()) for i, l in enumerate(layers))
    declared = None
    first = layers[0]
    if first.has_arg("input_shape"):
        declared = DeclaredInput(first.arg("input_shape"), None, "input_shape", first.span, 0)
    return Model(0, "model", "sequential", nodes, (TensorRef(len(nodes) - 1),), declared, _span(1),
                 complete=complete)


def functional(shape: tuple, *layers: Layer) -> Model:
    """Input(shape) followed by a chain of `layers`, as a functional model."""
    chain = (layer("Input", shape=shape),) + layers
    nodes = tuple(Node(i, l, (TensorRef(i - 1),) if i else ()) for i, l in enumerate(chain))
    declared = DeclaredInput(shape, None, "Input", chain[0].span, 0)
    return Model(0, "model", "functional", nodes, (TensorRef(len(nodes) - 1),), declared, _span(1),
                 input_nodes=(0,))


def finding(evidence: Evidence, code: str = "RNN001") -> Finding:
    return Finding(code, "test-rule", "error", "a test finding", "model.py", _span(1), evidence=evidence)


def shared_two_inputs() -> Model:
    """Two inputs, one LSTM applied to both (a shared layer), concatenated, then Dense."""
    first, second = layer("Input", shape=(10, 1)), layer("Input", shape=(10, 1))
    lstm = layer("LSTM", 4)
    nodes = (Node(0, first, ()), Node(1, second, ()), Node(2, lstm, (TensorRef(0),), shared=True),
             Node(3, lstm, (TensorRef(1),), shared=True),
             Node(4, layer("Concatenate"), (TensorRef(2), TensorRef(3))),
             Node(5, layer("Dense", 1), (TensorRef(4),)))
    return Model(0, "model", "functional", nodes, (TensorRef(5),), None, _span(1), input_nodes=(1, 0))


@dataclass(frozen=True)
class Settings:
    cache_dir: str
    use_cache: bool = True
    target_keras: int | None = None
    confirm_timeout: float = 20.0
    confirm_restarts: int = 1


class Spawns:
    """A spawn function that counts the workers it starts."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def __call__(self, command, env, stderr):
        process = spawn_worker(command, env, stderr)
        self.processes.append(process)
        return process


def refuse_spawn(command, env, stderr):
    raise AssertionError("a worker was started")


# --- the scenarios built by one shared worker -------------------------------------------------------

STACKED = sequential(layer("LSTM", 256, input_shape=(10, 1)), layer("LSTM", 256))
FIXED = sequential(layer("LSTM", 256, input_shape=(10, 1), return_sequences=True), layer("LSTM", 256))
MANY_TO_MANY = sequential(layer("LSTM", 4, input_shape=(10, 1), return_sequences=True), layer("Dense", 1))
ONE_LAYER = sequential(layer("LSTM", 4, input_shape=(10, 1)))

SCENARIOS: dict[str, Evidence] = {
    "stacked": Evidence("raises", STACKED, upto=1),
    "fixed": Evidence("raises", FIXED, upto=1),
    "synthetic": Evidence("raises", sequential(layer("LSTM", 8), layer("GRU", 8)), upto=1),
    "functional": Evidence("raises", functional((10, 3), layer("LSTM", 4), layer("LSTM", 4)), upto=2),
    "bidirectional": Evidence("raises", sequential(
        layer("Bidirectional", inner=layer("LSTM", 4), input_shape=(10, 1)), layer("LSTM", 4)), upto=1),
    "removed-argument": Evidence("raises", sequential(layer("LSTM", 4, batch_input_shape=(2, 10, 1))), upto=0),
    "stateful": Evidence("raises", sequential(layer("LSTM", 4, input_shape=(10, 1), stateful=True)), upto=0),
    "shared": Evidence("raises", shared_two_inputs()),
    "shared-y": Evidence("output_mismatch", shared_two_inputs(), data=ArrayShape((60, 10, 1))),
    "x-mismatch": Evidence("input_mismatch", ONE_LAYER, data=ArrayShape((60, 3))),
    "x-match": Evidence("input_mismatch", ONE_LAYER, data=ArrayShape((60, 10, 1))),
    # Keras 3 adds the size-1 feature axis: the exact shapes train, so a claim of a mismatch is refuted
    "x-axis-added": Evidence("input_mismatch", ONE_LAYER, data=ArrayShape((60, 10))),
    # a Sequential model runs on other time steps than it declares, silently: the claim is shown, not refuted
    "x-time-steps": Evidence("input_mismatch", ONE_LAYER, data=ArrayShape((60, 12, 1))),
    # judged against tf.keras 2.4 (which raises); the checker's Keras does not: never built, never refuted
    "x-old-release": Evidence("input_mismatch", ONE_LAYER, data=ArrayShape((60, 10)),
                              release="Keras 2 (requirements.txt:1: tensorflow==2.4.0) does not add the axis"),
    "y-mismatch": Evidence("output_mismatch", MANY_TO_MANY, data=ArrayShape((60, 1)), loss="mse"),
    "y-bce": Evidence("output_mismatch", MANY_TO_MANY, data=ArrayShape((60, 1)), loss="binary_crossentropy"),
    "y-ok-2d": Evidence("output_mismatch", MANY_TO_MANY, data=ArrayShape((60, 10)), loss="mse"),
    "ignored-input-shape": Evidence("no_effect", sequential(
        layer("LSTM", 8, input_shape=(10, 1), return_sequences=True), layer("LSTM", 4, input_shape=(99, 7))),
        node=1, argument="input_shape"),
    "unbuilt": Evidence("unbuilt", sequential(layer("LSTM", 4), layer("Dense", 1))),
    # input_shape on the layer a wrapper holds: Keras ignores it (RNN002 on the first layer, RNN009 later on)
    "wrapped-first": Evidence("unbuilt", sequential(
        layer("Bidirectional", inner=layer("LSTM", 4, input_shape=(10, 1))), layer("Dense", 1))),
    "wrapped-later": Evidence("no_effect", sequential(
        layer("LSTM", 8, input_shape=(10, 1), return_sequences=True),
        layer("Bidirectional", inner=layer("LSTM", 4, input_shape=(99, 7)))), node=1, argument="input_shape"),
    "wrapper-declares": Evidence("unbuilt", sequential(
        layer("Bidirectional", inner=layer("LSTM", 4), input_shape=(10, 1)), layer("Dense", 1))),
    "advice": Evidence("advice", STACKED),
    "unknown-argument": Evidence("raises", sequential(
        layer("LSTM", Unknown("n_units"), input_shape=(10, 1)), layer("LSTM", 4)), upto=1),
    "not-allowed": Evidence("raises", sequential(layer("Lambda", "f", input_shape=(10, 1))), upto=0),
    "custom": Evidence("raises", sequential(layer("MyLSTM", 4, known=False, input_shape=(10, 1))), upto=0),
    "incomplete": Evidence("raises", sequential(layer("LSTM", 4), complete=False), upto=0),
    "too-big": Evidence("raises", sequential(layer("LSTM", 100_000, input_shape=(10, 1))), upto=0),
}


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache") / ".rnnlint_cache"


@pytest.fixture(scope="module")
def run(cache_dir):
    spawns = Spawns()
    findings = [finding(e) for e in SCENARIOS.values()]
    confirmed, notes = confirm_findings(findings, Settings(str(cache_dir)), spawn=spawns)
    return dict(zip(SCENARIOS, confirmed)), notes, spawns


def status(run, name: str) -> tuple[str, str]:
    c = run[0][name].confirmation
    return c.status, c.detail


def test_one_worker_for_the_whole_run(run):
    assert len(run[2].processes) == 1
    assert run[1] == []


def test_stacked_lstm_without_return_sequences_is_confirmed(run):
    state, detail = status(run, "stacked")
    assert state == "confirmed"
    assert detail.startswith("ValueError: ")
    assert "expected ndim=3, found ndim=2" in detail
    assert "\x1b" not in detail


def test_fixed_model_is_refuted(run):
    assert status(run, "fixed") == ("refuted", "Keras built the model without error")


def test_missing_input_shape_uses_a_synthetic_one_and_says_so(run):
    state, detail = status(run, "synthetic")
    assert state == "confirmed"
    assert "expected ndim=3, found ndim=2" in detail
    assert "synthetic input shape (10, 1)" in detail


@pytest.mark.parametrize("name, needle", [
    ("functional", "expected ndim=3, found ndim=2"),
    ("bidirectional", "expected ndim=3, found ndim=2"),
    ("removed-argument", "Unrecognized keyword arguments"),
    ("stateful", "batch size must be static"),
])
def test_build_errors_are_confirmed_with_keras_message(run, name, needle):
    state, detail = status(run, name)
    assert state == "confirmed"
    assert needle in detail


def test_functional_model_with_shared_layer_builds(run):
    assert status(run, "shared") == ("refuted", "Keras built the model without error")
    state, detail = status(run, "shared-y")
    assert state == "confirmed" and "Keras model output is (None, 1); y is (60, 10, 1)" in detail
    script = repro_script(run[0]["shared-y"])
    assert "layer2 = keras.layers.LSTM(4)" in script and "keras.Model([x1, x0], x5)" in script


def test_input_mismatch(run):
    assert status(run, "x-mismatch")[0] == "confirmed"
    assert "Keras model input is (None, 10, 1); x is (60, 3)" in status(run, "x-mismatch")[1]
    assert status(run, "x-match")[0] == "refuted"


def test_input_mismatch_status_agrees_with_what_keras_did(run):
    state, detail = status(run, "x-axis-added")
    assert state == "refuted" and "Keras accepts such an x" in detail, detail
    state, detail = status(run, "x-time-steps")
    assert state == "confirmed" and "without error, ignoring the declared time steps" in detail, detail
    state, detail = status(run, "x-old-release")
    assert state == "unconfirmed" and detail.startswith("not built: Keras 2 (requirements.txt:1: tensorflow==2.4.0)")


def test_output_mismatch(run):
    state, detail = status(run, "y-mismatch")
    assert state == "confirmed"
    assert "(None, 10, 1)" in detail and "(60, 1)" in detail
    assert "Keras trained one step on zeros of y (60, 1) against outputs (None, 10, 1) without error" in detail
    state, detail = status(run, "y-bce")  # Keras 3's binary cross-entropy checks shapes
    assert state == "confirmed" and "training one step on y (60, 1) against outputs (None, 10, 1) raises ValueError" in detail
    assert status(run, "y-ok-2d")[0] == "refuted"


def test_ignored_input_shape_has_no_effect(run):
    state, detail = status(run, "ignored-input-shape")
    assert state == "confirmed"
    assert "did not change the built model" in detail


def test_unbuilt_model(run):
    assert status(run, "unbuilt") == ("confirmed", "the model is not built before fit (Keras: model.built is False)")


def test_a_declaration_inside_a_wrapper_is_ignored_by_keras(run):
    assert status(run, "wrapped-first")[0] == "confirmed"  # the inner input_shape did not build the model…
    assert status(run, "wrapper-declares") == ("refuted", "Keras builds the model before fit")  # …the wrapper's does
    state, detail = status(run, "wrapped-later")
    assert state == "confirmed" and "`input_shape` removed" in detail, detail


@pytest.mark.parametrize("name, needle", [
    ("advice", "not checked with Keras: this is advice"),
    ("unknown-argument", "positional argument 1 of `LSTM` is not a literal (n_units)"),
    ("not-allowed", "not on the checker's allow-list"),
    ("custom", "not a Keras layer"),
    ("incomplete", "could not be followed"),
    ("too-big", "memory guard"),
])
def test_unconfirmed_with_reason(run, name, needle):
    state, detail = status(run, name)
    assert state == "unconfirmed"
    assert needle in detail


def test_every_confirmation_names_the_keras_version(run):
    import importlib.metadata

    version = importlib.metadata.version("keras")
    assert {f.confirmation.keras_version for f in run[0].values()} == {version}


# --- cache ------------------------------------------------------------------------------------------

def test_warm_cache_starts_no_worker(run, cache_dir):
    findings = [finding(e) for e in SCENARIOS.values()]
    again, notes = confirm_findings(findings, Settings(str(cache_dir)), spawn=refuse_spawn)
    assert [f.confirmation for f in again] == [f.confirmation for f in run[0].values()]
    tag = (cache_dir / "CACHEDIR.TAG").read_text()
    assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert list((cache_dir / "confirm").glob("*.json"))


def test_cache_ignores_corrupt_entries_and_can_be_disabled(tmp_path):
    cache = Cache(tmp_path)
    key = Cache.key("{}", "keras==3")
    cache.put(key, {"status": "confirmed", "detail": "x", "keras_version": "3"})
    assert cache.get(key) == {"status": "confirmed", "detail": "x", "keras_version": "3"}
    cache.path(key).write_text("{not json")
    assert cache.get(key) is None
    cache.path(key).write_text('{"status": "maybe"}')
    assert cache.get(key) is None
    findings = [finding(Evidence("advice"))]
    confirm_findings(findings, Settings(str(tmp_path / "off"), use_cache=False), spawn=refuse_spawn)
    assert not (tmp_path / "off").exists()


# --- limits and failures ----------------------------------------------------------------------------

def test_time_limit_kills_the_worker_and_the_run_finishes(tmp_path):
    spawns = Spawns()
    findings = [finding(SCENARIOS["fixed"]), finding(SCENARIOS["stacked"])]
    settings = Settings(str(tmp_path), use_cache=True, confirm_timeout=0.001, confirm_restarts=0)
    out, _ = confirm_findings(findings, settings, spawn=spawns)
    # Specs are built in the order of their cache keys: the first one hits the limit, the other is never built.
    details = sorted(f.confirmation.detail for f in out)
    assert [f.confirmation.status for f in out] == ["unconfirmed", "unconfirmed"]
    assert details[0] == "not built: the worker stopped after a crash or time limit"
    assert details[1].startswith("time limit"), details
    assert all(p.poll() is not None for p in spawns.processes)
    assert not list(tmp_path.glob("confirm/*.json"))  # time limits are not cached


def test_crashing_worker_leaves_findings_unconfirmed(tmp_path):
    fake = ("import sys; print('{\"ready\": true, \"keras_version\": \"3.0\"}', flush=True); "
            "sys.stdin.readline(); sys.stderr.write('Segmentation fault\\n'); sys.exit(139)")

    def crash(command, env, stderr):
        return spawn_worker([sys.executable, "-c", fake], env, stderr)

    out, notes = confirm_findings([finding(SCENARIOS["stacked"])], Settings(str(tmp_path), use_cache=False),
                                  spawn=crash)
    assert out[0].confirmation.status == "unconfirmed"
    assert out[0].confirmation.detail == "worker crashed: Segmentation fault"


def test_no_keras_gives_one_note(monkeypatch, tmp_path):
    import rnnlint.confirm.runner as runner

    note = "Keras is not installed: findings are unconfirmed (pip install 'rnnlint[tensorflow]')"
    monkeypatch.setattr(runner, "find_keras", lambda target: note)
    findings = [finding(SCENARIOS["stacked"]), finding(SCENARIOS["fixed"])]
    out, notes = confirm_findings(findings, Settings(str(tmp_path)), spawn=refuse_spawn)
    assert notes == [note]
    assert {f.confirmation.detail for f in out} == {"Keras is not installed"}


def test_nothing_to_build_starts_no_worker(tmp_path):
    out, notes = confirm_findings([finding(SCENARIOS["advice"])], Settings(str(tmp_path)), spawn=refuse_spawn)
    assert out[0].confirmation.detail == "not checked with Keras: this is advice" and notes == []
    assert confirm_findings([], Settings(str(tmp_path)), spawn=refuse_spawn) == ([], [])


def test_importing_the_checker_does_not_import_tensorflow():
    code = ("import sys, rnnlint.confirm; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


TF_KERAS_FILE = """\
from tf_keras.models import Sequential
from tf_keras.layers import LSTM, Dense
model = Sequential()
model.add(LSTM(16, batch_input_shape=(4, 10, 1), stateful=True))
model.add(LSTM(16))
model.add(Dense(1))
model.reset_states()
"""


def test_a_tf_keras_file_is_judged_and_built_as_keras_2(tmp_path):
    # tf_keras is Keras 2 whatever Keras is installed: no Keras 3 migration findings (batch_input_shape,
    # reset_states), and its stacked-LSTM bug is built by a tf_keras worker while the Keras 3 file beside it
    # is built by a Keras 3 one, in the same run.
    write(tmp_path, "legacy.py", TF_KERAS_FILE)
    write(tmp_path, "modern.py", TF_KERAS_FILE.replace("tf_keras", "keras").replace(
        "batch_input_shape=(4, 10, 1), stateful=True", "input_shape=(10, 1)").replace("model.reset_states()\n", ""))
    run = run_cli("--format", "json", "--no-cache", ".", cwd=tmp_path)
    findings = {(f["path"], f["code"]): f["confirmation"] for f in json.loads(run.out)}
    assert set(findings) == {("legacy.py", "RNN001"), ("modern.py", "RNN001")}, run.out
    assert findings["legacy.py", "RNN001"]["status"] == "confirmed"
    assert findings["legacy.py", "RNN001"]["keras_version"].startswith("2.")
    assert findings["modern.py", "RNN001"]["status"] == "confirmed"
    assert findings["modern.py", "RNN001"]["keras_version"].startswith("3.")


def test_keras_2_through_tf_keras(tmp_path):
    out, notes = confirm_findings([finding(SCENARIOS["stacked"]), finding(SCENARIOS["fixed"])],
                                  Settings(str(tmp_path), target_keras=2))
    assert notes == []
    assert out[0].confirmation.keras_version.startswith("2.")
    assert out[0].confirmation.status == "confirmed"
    assert "expected ndim=3, found ndim=2" in out[0].confirmation.detail
    assert out[1].confirmation.status == "refuted"


# --- security: only literals cross into the worker -----------------------------------------------

def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def test_specs_hold_only_plain_data():
    for name, evidence in SCENARIOS.items():
        spec = build_spec(evidence)
        if isinstance(spec, Spec):
            assert _plain(spec.data), name
            assert json.loads(spec.canonical_json()) == spec.data


def test_code_in_arguments_never_reaches_the_worker(tmp_path):
    marker = tmp_path / "pwned"
    source = f"os.system('touch {marker}')"
    evil = Layer("LSTM", True, (Argument(None, Unknown("call"), _span(1), _span(1), source),),
                 CallSite(_span(1), _span(1), "LSTM", Pos(1, 2)))
    evidence = Evidence("raises", sequential(evil, layer("LSTM", 4)), upto=1)
    assert isinstance(build_spec(evidence), Refusal)
    out, _ = confirm_findings([finding(evidence)], Settings(str(tmp_path / "c")), spawn=refuse_spawn)
    assert out[0].confirmation.status == "unconfirmed"
    assert not marker.exists()
    # a neutral argument that is code is left out, and its text is nowhere in the spec
    lstm = layer("LSTM", 4, input_shape=(10, 1))
    lstm = Layer("LSTM", True, lstm.arguments + (arg(Unknown("call"), "activation", source),), lstm.call)
    spec = build_spec(Evidence("raises", sequential(lstm), upto=0))
    assert isinstance(spec, Spec) and "os.system" not in spec.canonical_json()
    assert "activation of LSTM left at Keras's default" in spec.notes[0]


def test_worker_refuses_classes_outside_the_allow_list():
    with pytest.raises(SpecError):
        construct_layer(None, {"class": "Lambda", "args": [], "kwargs": {}, "inner": None, "backward": None})
    with pytest.raises(SpecError):
        construct_layer(None, {"class": "LSTM", "args": [{"__class__": "os"}], "kwargs": {}, "inner": None,
                               "backward": None})


def test_exception_detail_skips_generic_lines():
    exc = ValueError("\x1b[1mException encountered when calling LSTMCell.call().\x1b[0m\n\n"
                     "\x1b[1mDimensions must be equal, but are 3 and 1\x1b[0m\n\nArguments received by x")
    assert describe_exception(exc) == "ValueError: Dimensions must be equal, but are 3 and 1"
    exc = ValueError("Exception encountered when calling Sequential.call().\n\n\x1b[1mInvalid input shape for "
                     "input [[0. 0. 0.]\n [0. 0. 0.]] with name 'x'. Expected shape (None, 2, 3)\x1b[0m\n")
    assert describe_exception(exc) == ("ValueError: Invalid input shape for input <array> with name 'x'. "
                                       "Expected shape (None, 2, 3)")


# --- repro -------------------------------------------------------------------------------------------

def test_repro_script_reproduces_the_finding(run, tmp_path):
    script = repro_script(run[0]["stacked"])
    assert script is not None and "keras.layers.LSTM(256, input_shape=(10, 1))" in script
    assert repro_script(run[0]["fixed"]) is None
    for name in ("x-mismatch", "y-mismatch", "ignored-input-shape", "unbuilt", "synthetic", "shared-y"):
        compile(repro_script(run[0][name]), name, "exec")
    path = tmp_path / "repro.py"
    path.write_text(script)
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                            env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode != 0 and "expected ndim=3, found ndim=2" in result.stderr
