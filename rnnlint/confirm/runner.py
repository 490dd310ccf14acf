"""Confirm a run's findings: spec each one, use the cache, build the rest in one worker (one per Keras major
version when some files are written for another Keras than the run's, e.g. tf_keras code under Keras 3)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnlint.confirm.budget import DEFAULT_MAX_PARAMS, estimate_params
from rnnlint.confirm.cache import DEFAULT_CACHE_DIR, Cache
from rnnlint.confirm.client import Spawn, WorkerOptions, run_batch, spawn_worker
from rnnlint.confirm.environment import KerasTarget, find_keras
from rnnlint.confirm.spec import Refusal, Spec, build_spec
from rnnlint.findings import Confirmation, Finding


@dataclass(frozen=True)
class Options:
    """The settings the checker reads (the engine's Settings object may hold more)."""

    use_cache: bool = True
    target_keras: int | None = None
    timeout: float = 20.0
    cache_dir: Path = Path(DEFAULT_CACHE_DIR)
    max_params: int = DEFAULT_MAX_PARAMS
    max_restarts: int = 1
    startup_timeout: float = 120.0

    @classmethod
    def from_settings(cls, settings: Any) -> "Options":
        return cls(
            use_cache=bool(getattr(settings, "use_cache", True)),
            target_keras=_major(getattr(settings, "target_keras", None)),
            timeout=float(getattr(settings, "confirm_timeout", 20.0) or 20.0),
            cache_dir=Path(getattr(settings, "cache_dir", None) or DEFAULT_CACHE_DIR),
            max_params=int(getattr(settings, "confirm_max_params", DEFAULT_MAX_PARAMS)),
            max_restarts=int(getattr(settings, "confirm_restarts", 1)),
            startup_timeout=float(getattr(settings, "confirm_startup_timeout", 120.0)),
        )


def confirm_findings(
    findings: list[Finding], settings: Any, *, spawn: Spawn = spawn_worker, progress: Any = None,
) -> tuple[list[Finding], list[str]]:
    """The same findings with `.confirmation` set, and run-level notes (at most one per cause). `progress`: a
    rnnlint.progress.ProgressLine (updated as models are built, erased at the end)."""
    options = Options.from_settings(settings)
    targets: dict[int | None, KerasTarget | str] = {}  # by the Keras major to build with (None: the run's)

    def target_for(major: int | None) -> KerasTarget | str:
        if major not in targets:
            targets[major] = find_keras(options.target_keras if major is None else major)
        return targets[major]

    decided: dict[int, Confirmation] = {}
    pending: dict[int | None, dict[int, Spec]] = {}
    for index, finding in enumerate(findings):
        major = finding.evidence.keras_major if finding.evidence is not None else None
        outcome = _plan(finding, options)
        if isinstance(outcome, Refusal):
            target = target_for(major)
            decided[index] = Confirmation("unconfirmed", outcome.reason,
                                          target.version if isinstance(target, KerasTarget) else None)
        else:
            pending.setdefault(major, {})[index] = outcome
    notes: list[str] = []
    for major, specs in sorted(pending.items(), key=lambda item: item[0] or 0):  # one worker per Keras
        target = target_for(major)
        if not isinstance(target, KerasTarget):
            notes.append(target)
            decided.update({i: Confirmation("unconfirmed", _short(target), None) for i in specs})
        else:
            decided.update(_confirm_specs(specs, target, options, spawn, notes, progress))
    if progress is not None:
        progress.close()
    return [f.with_confirmation(decided[i]) for i, f in enumerate(findings)], notes


def _plan(finding: Finding, options: Options) -> Spec | Refusal:
    if finding.evidence is None:
        return Refusal("the rule gives nothing to build")
    spec = build_spec(finding.evidence)
    if isinstance(spec, Spec):
        params = estimate_params(spec.data)
        if params > options.max_params:
            return Refusal(f"not built: about {params:,} parameters, above the limit of "
                           f"{options.max_params:,} (memory guard)")
    return spec


def _confirm_specs(
    pending: dict[int, Spec], target: KerasTarget, options: Options, spawn: Spawn, notes: list[str],
    progress: Any = None,
) -> dict[int, Confirmation]:
    cache = Cache(options.cache_dir) if options.use_cache else None
    keys = {i: Cache.key(spec.canonical_json(), target.cache_id) for i, spec in pending.items()}
    known: dict[str, dict] = {}
    if cache is not None:
        for key in set(keys.values()):
            hit = cache.get(key)
            if hit is not None:
                known[key] = hit
    misses = {key: pending[i] for i, key in keys.items() if key not in known}
    if misses:
        order = sorted(misses)
        worker_options = WorkerOptions(
            env=target.environment(dict(os.environ)), build_timeout=options.timeout,
            startup_timeout=options.startup_timeout, max_restarts=options.max_restarts,
            progress=(lambda done, total, _what: progress.update(done, total, f"Keras {target.version}"))
            if progress is not None else None,
        )
        batch = run_batch([misses[key].data for key in order], worker_options, spawn)
        if batch.note:
            notes.append(f"{batch.note}: findings are unconfirmed")
        for key, result in zip(order, batch.results):
            entry = {"status": result["status"], "detail": result["detail"],
                     "keras_version": batch.keras_version or target.version}
            if result.get("transient"):
                known[key] = {**entry, "transient": True}  # not cached: the next run asks Keras again
            else:
                known[key] = entry
                if cache is not None:
                    cache.put(key, entry)
    return {i: _confirmation(known[keys[i]], pending[i]) for i in pending}


def _confirmation(entry: dict, spec: Spec) -> Confirmation:
    detail = "; ".join([entry["detail"], *spec.notes])
    return Confirmation(entry["status"], detail, entry.get("keras_version"), entry.get("transient") is True)


def _major(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _short(note: str) -> str:
    return note.split(":", 1)[0]



__all__ = ["confirm_findings", "Options"]
