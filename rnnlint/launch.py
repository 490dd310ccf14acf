"""The `rnnlint` command: the replayed report of an unchanged tree (rnnlint.replay), else the command line
(rnnlint.cli, imported only then: a replayed run does without its ~0.6 ms)."""
from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def entry() -> None:
    """`rnnlint` and `python -m rnnlint`: `main`, then exit. A replayed report leaves at once (os._exit, its
    streams flushed): the replay wrote all it writes and holds no file, no process, no handler, and the
    interpreter's teardown would cost it ~1 ms (4%) for nothing. Otherwise, before the interpreter shuts down, the
    objects of the run are moved out of the cyclic collector's reach (gc.freeze): its final collection would
    traverse every one of them to free nothing the process still needs (measured: 18-33 ms of a cold run over a
    557-file tree, 10-13 ms with the freeze). `main` leaves the collector as it was (tests call it)."""
    arguments = sys.argv[1:]
    key, status = replayed(arguments)
    if status is not None:
        import os

        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            from rnnlint.cli import EXIT_ERROR

            status = EXIT_ERROR
        os._exit(status)
    import gc

    from rnnlint.cli import run_command

    status = run_command(arguments, key)
    gc.freeze()
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """The `rnnlint` command as a function (`argv`: its arguments, default sys.argv[1:]): the exit status of the
    replayed report, else of `rnnlint.cli.run_command`."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    key, status = replayed(arguments)
    if status is not None:
        return status
    from rnnlint.cli import run_command

    return run_command(arguments, key)


def replayed(arguments: list[str]) -> tuple[str | None, int | None]:
    """(the replay key of this command line, the exit status of its replayed report): (key, None) when nothing was
    replayed; no key when the command line is never replayed or the look-up failed (then the run is not recorded)."""
    if "--no-cache" in arguments:  # (rnnlint.cli.NO_CACHE) no report is replayed or recorded: a record is a cache;
        # skipping the look-up saves a cold run ~3 ms (stamping the installation, hashing the key)
        return None, None
    from rnnlint import replay

    try:  # an unchanged tree: the last report of this command line. Before parsing it: only a run this command
        # line could replay (rnnlint.replay.eligible) wrote a record under its key
        key = replay.run_key(arguments)
        return key, replay.answer(key)
    except BrokenPipeError:
        from rnnlint.cli import EXIT_ERROR

        return None, EXIT_ERROR
    except KeyboardInterrupt:
        from rnnlint.cli import EXIT_INTERRUPTED

        print("rnnlint: interrupted", file=sys.stderr)
        return None, EXIT_INTERRUPTED
    except Exception:  # noqa: BLE001 - a replay that fails is a miss: the run takes the normal path, unrecorded
        return None, None
