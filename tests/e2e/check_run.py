"""Verdict on one run of the SPA kit's Chromium scenario (`run-all.sh` stdout, see the kit's
README, "Output"): `make e2e` fails unless every run passes.

A run passes when it printed `base: ok`, every required `step: <name> ok`, and nothing a user
would have noticed as an error:

- no HTTP 400 or 5xx from `/api/graphql` (5xx from anything under `/api/`), and no HTTP 401/403
  from `/api/graphql` while logged in (a refused session or CSRF token);
- no `gqlerror:` except `refreshAuthToken` while logged out (the app tries to refresh a session
  it does not have at start-up and after logout);
- no `pageerror:`, no `fatal:`, no error dialog closed (`dialog:`), no page that showed an error
  (`detail error:`), no mutation the app's journal recorded as failed (`mutationlog: status=1`).

Steps named with `--optional` are reported but not required (a role without the right to
create claims cannot pass `create-claim`); everything else still applies to them.

Usage: check_run.py RUN_LOG [--user NAME] [--exit-code N] [--optional step,...]
Standard library only: CI runs it before or without the project's virtualenv.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

STEPS = ("create-claim", "submit-claim", "review-page", "logout")
# tests/e2e/review.js: the medical officer saves and delivers a review in the app.
REVIEW_STEPS = ("review-save", "review-deliver")
LOGGED_OUT_GQLERROR = re.compile(r"^gqlerror: refreshAuthToken ")
API_LINE = re.compile(r"^API< (\d{3}) (\S+)")
CURRENT_USER = "/api/core/users/current_user"
STEP_LINE = re.compile(r"^step: (\S+) (ok|FAILED)(?:: (.*))?$")


@dataclass
class Verdict:
    """What one run showed: the base verdict, each step's, and every problem line."""

    base: str = "missing"
    steps: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    gqlerrors: list[str] = field(default_factory=list)

    def passed(self, required: tuple[str, ...]) -> bool:
        return (self.base == "ok" and not self.problems
                and all(self.steps.get(name) == "ok" for name in required))


def check(lines: list[str], exit_code: int = 0) -> Verdict:
    """Read the scenario's stdout; see the module docstring for the rules."""
    verdict = Verdict()
    logged_in = False
    if exit_code != 0:
        verdict.problems.append(f"run-all.sh exited {exit_code} (1: base cut short, "
                                "2: could not start or timed out)")
    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith("base: "):
            verdict.base = line[len("base: "):]
        elif match := STEP_LINE.match(line):
            name, state, why = match.groups()
            verdict.steps[name] = "ok" if state == "ok" else f"FAILED: {why or ''}".rstrip()
            if name == "logout" and state == "ok":
                logged_in = False
        elif line.startswith("logout: "):
            logged_in = False
        elif match := API_LINE.match(line):
            status, url = int(match.group(1)), match.group(2)
            graphql = "/api/graphql" in url
            if status == 200 and CURRENT_USER in url:
                logged_in = True  # the app loads the user right after tokenAuth succeeds
            if status >= 500 or (graphql and status == 400) or \
                    (graphql and logged_in and status in (401, 403)):
                verdict.problems.append(line)
        elif line.startswith("gqlerror: "):
            verdict.gqlerrors.append(line)
            if logged_in or not LOGGED_OUT_GQLERROR.match(line):
                verdict.problems.append(line)
        elif line.startswith(("pageerror:", "fatal:", "dialog:")) or "] detail error:" in line:
            verdict.problems.append(line)
        elif line.startswith("mutationlog: status=1 "):
            verdict.problems.append(line)
    return verdict


def report(verdict: Verdict, user: str, required: tuple[str, ...], optional: tuple[str, ...]
           ) -> list[str]:
    """One summary line per run, then each problem on its own line."""
    parts = [f"base {verdict.base}"]
    for name in (*required, *optional):
        state = verdict.steps.get(name, "missing")
        parts.append(f"{name} {state}" + (" (not required)" if name in optional else ""))
    outcome = "ok" if verdict.passed(required) else "FAILED"
    out = [f"e2e {user}: {outcome}: " + " | ".join(parts)]
    for problem, count in Counter(verdict.problems).items():  # first-seen order
        out.append(f"e2e {user}:   {problem[:400]}" + (f" (x{count})" if count > 1 else ""))
    return out


def failed_operations(network_lines: list[str]) -> list[str]:
    """The operations behind HTTP errors on `/api/graphql`, from the kit's `network.jsonl` (its
    stdout gives only the status and URL), e.g. `claim: HTTP 400 x2`."""
    counts: Counter = Counter()
    for raw in network_lines:
        try:
            exchange = json.loads(raw)
        except ValueError:
            continue
        if "/api/graphql" in exchange.get("url", "") and exchange.get("status", 200) >= 400:
            counts[(exchange.get("op") or "?", exchange["status"])] += 1
    return [f"{op}: HTTP {status} x{n}" for (op, status), n in counts.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("log")
    parser.add_argument("--user", default="?")
    parser.add_argument("--exit-code", type=int, default=0)
    parser.add_argument("--optional", default="",
                        help="comma-separated steps this role is not expected to pass")
    parser.add_argument("--review", action="store_true",
                        help="the log is tests/e2e/review.js's, whose steps are REVIEW_STEPS")
    args = parser.parse_args(argv)
    steps = REVIEW_STEPS if args.review else STEPS
    optional = tuple(name for name in args.optional.split(",") if name)
    unknown = set(optional) - set(steps)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    required = tuple(name for name in steps if name not in optional)
    with open(args.log, encoding="utf-8", errors="replace") as log:
        verdict = check(log.readlines(), args.exit_code)
    lines = report(verdict, args.user, required, optional)
    network = os.path.join(os.path.dirname(args.log), "network.jsonl")
    if os.path.exists(network):
        with open(network, encoding="utf-8", errors="replace") as exchanges:
            failed = failed_operations(exchanges.readlines())
        if failed:
            lines.append(f"e2e {args.user}:   HTTP errors on /api/graphql by operation: "
                         + ", ".join(failed))
    print("\n".join(lines))
    return 0 if verdict.passed(required) else 1


if __name__ == "__main__":
    sys.exit(main())
