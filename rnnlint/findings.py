"""Findings and what travels with them: fixes, confirmation status and the evidence the checker builds."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from rnnlint.ir import ArrayShape, Model, Span, fast_init

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Confirmation:
    """What the real Keras said about a finding."""

    status: Literal["confirmed", "refuted", "unconfirmed"] = "unconfirmed"
    detail: str = "not run"
    keras_version: str | None = None
    transient: bool = False  # the checker gave no answer this time (a crash, a time limit): a later run may


NOT_RUN = Confirmation()


@dataclass(frozen=True)
class Edit:
    """Replace the text in `span` (end exclusive) by `text`. An empty span inserts."""

    span: Span
    text: str


@dataclass(frozen=True)
class Fix:
    applicability: Literal["safe", "unsafe"]
    message: str
    edits: tuple[Edit, ...]


# The words of Keras's rank errors (InputSpec's "expected ndim=3, found ndim=2", TimeDistributed's "at least 3
# dimensions", the merge layers' "same rank"): a finding that claims one is confirmed only by one.
RANK_ERROR = r"ndim|dimensions|rank"


@fast_init
@dataclass(frozen=True)
class Evidence:
    """What the checker must build to confirm a finding, and what to look for.

    RANK_ERROR (below) is the `match` of findings that claim a rank error.

    `expect`:
      - "raises": building `model` (up to and including node `upto`) makes Keras raise;
      - "input_mismatch": the built model's input shape differs from `data` (x);
      - "output_mismatch": the built model's output shape differs from `data` (y), given `loss`;
      - "no_effect": the argument `argument` on node `node` does not change the built model;
      - "unbuilt": the Sequential model is not built before fit;
      - "gets_2d": Keras builds the model up to node `upto`, and that layer receives a 2D tensor (a layer that
        works on sequences but accepts 2D input silently, e.g. attention across the samples of a batch);
      - "removed": the API named by `lookup` is missing from the target Keras (no model is built): `("module",
        name)`, `("name", module, name)`, `("layer", class)`, `("method", name)` on Model, `("keyword", class,
        keyword, value)` on a constructor (`optimizers.Adam`, `Model`), `("fit_keyword", keyword, value)`;
      - "stateful_fit": training (or predicting) with `train`'s arguments — ("method", "fit"), ("samples", n),
        ("batch_size", b), ("validation_split", s), ("shuffle", bool), ("dataset_batch", b), ("claim", "batches"
        or "shuffle") — fails, or (claim "shuffle") runs silently on shuffled batches;
      - "gradient": advice, measured: build `model` up to node `upto` (a plain RNN), and compare the gradient that
        reaches the first time step with the one at the last after one backward pass on random data;
      - "advice": nothing to build.
    """

    expect: Literal["raises", "input_mismatch", "output_mismatch", "no_effect", "unbuilt", "gets_2d", "removed",
                    "stateful_fit", "gradient", "advice"]
    model: Model | None = None
    upto: int | None = None
    node: int | None = None
    data: ArrayShape | None = None
    loss: str | None = None
    argument: str | None = None
    synthetic_input: tuple[int | None, ...] | None = None  # per-sample shape to use when none is declared
    batch_size: int | None = None
    target: ArrayShape | None = None  # "raises" with data and target: also train one epoch on zeros of them
    keras_major: int | None = None  # build with this Keras (the file's own, e.g. 2 for tf_keras); None: the run's
    match: str | None = None  # "raises": a regex Keras's error must match to confirm (the kind of error claimed)
    release: str = ""  # the claim holds for the judged Keras release only (why): the checker's Keras may differ
    lookup: tuple = ()  # "removed": what to look up (see above); plain literals only
    train: tuple[tuple[str, Any], ...] = ()  # "stateful_fit": the training call's literal arguments


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    cell: int | None = None
    confirmation: Confirmation = NOT_RUN
    fix: Fix | None = None
    evidence: Evidence | None = None

    def with_confirmation(self, confirmation: Confirmation) -> "Finding":
        return replace(self, confirmation=confirmation)


def fix_kind(finding: Finding) -> str | None:
    """"safe" or "unsafe" when `finding` offers a fix with edits (what `--fix` / `--unsafe-fixes` apply)."""
    fix = finding.fix
    return fix.applicability if fix is not None and fix.edits else None


@dataclass(frozen=True)
class Diagnostic:
    """What a rule returns; the engine adds the path, code, name and suppression handling."""

    message: str
    span: Span
    fix: Fix | None = None
    evidence: Evidence | None = None
    severity: Severity | None = None  # override of the rule's default severity
