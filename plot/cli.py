# SPDX-License-Identifier: GPL-2.0
"""The front end every plot/ command shares: arguments refused in the
suite's own words (one line, exit 2), a run directory refused in one line
naming file, line and column (exit 1), never a traceback; output files
written atomically (a temporary file renamed over the old one)."""
import argparse
import math
import os
import sys
import tempfile
import traceback

import published
import rundir
import schema


class UsageError(Exception):
    """Wrong arguments; the message is the suite's, without the prog."""


class Refusal(Exception):
    """A command refuses its input; the message is one line."""


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one line in the suite's words."""

    def __init__(self, prog, description):
        super().__init__(prog=prog, description=description,
                         allow_abbrev=False)

    def error(self, message):
        usage = True
        for theirs, ours in (("argument ", ""),
                             ("expected one argument", "needs a value"),
                             ("the following arguments are required: ",
                              "missing "),
                             ("unrecognized arguments: ", "unknown "
                              "argument: ")):
            message = message.replace(theirs, ours)
        if message.startswith("-") and "needs a value" not in message:
            usage = False       # one option's value, said in our words
        if usage:
            message += f" ({' '.join(self.format_usage().split())})"
        raise UsageError(message)


def number(s):
    """A finite number."""
    try:
        v = float(s)
    except ValueError:
        v = math.nan
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"'{s}' is not a number")
    return v


def positive(s):
    v = number(s)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"'{s}' is not above 0")
    return v


def count(s):
    """A whole number >= 0."""
    if not (s.isascii() and s.isdigit()):
        raise argparse.ArgumentTypeError(f"'{s}' is not a whole number "
                                         ">= 0")
    return int(s)


def margin_options(p):
    """--margin-ns NS (published.margin()'s override) and the relative
    --margin of old, refused in words."""
    p.add_argument("--margin-ns", type=positive, default=None,
                   metavar="NS", help=published.MARGIN_HELP)
    p.add_argument("--margin", type=_no_relative_margin, metavar="PCT",
                   help=argparse.SUPPRESS)


def _no_relative_margin(s):
    raise argparse.ArgumentTypeError(
        "a relative margin is gone: the margin is absolute; use "
        "--margin-ns NS")


def write_atomic(path, text):
    """Write text to path through a temporary file in the same directory
    and a rename: a reader sees the old file or the new one, never half."""
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=d, prefix=f".{os.path.basename(path)}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def one_line(text):
    return " ".join(str(text).split())


def run(prog, parser, body, argv=None, on_failure=None):
    """Parse argv and call body(args) -> exit status. Usage errors: one
    line, 2. A refused run directory, schema or output: one line, 1,
    after on_failure(args). Never a traceback: anything else is reported
    as an internal error in one line naming where it happened."""
    try:
        a = parser.parse_args(argv)
    except UsageError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 2
    try:
        return body(a)
    except UsageError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 2
    except (rundir.RunDirError, schema.SchemaError, Refusal) as e:
        msg = f"error: {e}"
    except OSError as e:
        msg = f"error: {e.filename or ''}: {e.strerror or e}"
    except KeyboardInterrupt:
        msg = "interrupted"
    except Exception as e:                     # noqa: BLE001
        at = traceback.extract_tb(e.__traceback__)[-1]
        msg = (f"internal error: {type(e).__name__}: {e} (at "
               f"{os.path.basename(at.filename)}:{at.lineno})")
    if on_failure:
        on_failure(a)
    print(f"{prog}: {one_line(msg)}", file=sys.stderr)
    return 1
