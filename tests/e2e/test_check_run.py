"""The verdict `make e2e` draws from the SPA kit's scenario output (tests/e2e/check_run.py)."""

import json

import pytest

from tests.e2e.check_run import check, failed_operations, main

API = "http://127.0.0.1:3311/api"
PASSING = f"""\
API< 200 {API}/graphql
API< 401 {API}/graphql
gqlerror: refreshAuthToken Refresh token is required
API< 401 {API}/core/users/current_user/
API< 200 {API}/graphql
API< 200 {API}/core/users/current_user/
console: Failed to load resource: net::ERR_FAILED
logged in as clerk; url http://127.0.0.1:3311/front/home
[base] rows: 3
base: ok
mutationlog: status=2 label="Create claim UI123456" error=-
create-claim: UI123456 via + with the filter's claim administrator
step: create-claim ok
mutationlog: status=2 label="Submit claims" error=-
step: submit-claim ok
step: review-page ok
API< 401 {API}/core/users/current_user/
logout: cookies left ["csrftoken"]; current_user after logout: 401
step: logout ok
API< 401 {API}/graphql
gqlerror: refreshAuthToken Refresh token is required
gqlerror-summary: refreshAuthToken: Refresh token is required
""".splitlines()
STEPS = ("create-claim", "submit-claim", "review-page", "logout")


def with_line(after: str, line: str) -> list[str]:
    at = next(n for n, text in enumerate(PASSING) if text.startswith(after)) + 1
    return [*PASSING[:at], line, *PASSING[at:]]


def test_a_clean_run_passes():
    verdict = check(PASSING)

    assert verdict.base == "ok"
    assert verdict.steps == dict.fromkeys(STEPS, "ok")
    assert verdict.problems == []
    assert verdict.passed(STEPS)


@pytest.mark.parametrize("line", [
    f"API< 400 {API}/graphql",
    f"API< 500 {API}/graphql",
    f"API< 502 {API}/core/users/current_user/",
    f"API< 403 {API}/graphql",  # a refused CSRF token or origin while logged in
    f"API< 401 {API}/graphql",
    "gqlerror: claim Cannot query field 'manualPrice' on type 'MedicalServiceGQLType'.",
    "gqlerror: refreshAuthToken Refresh token is required",  # logged in: the session broke
    "gqlerror: createClaim CSRF token missing or incorrect",
    "pageerror: Cannot read properties of undefined (reading 'uuid')",
    "dialog: closing 1 modal dialog(s): Fatal Error Bad Request CLOSE",
    "[create-form] detail error: 400 : Bad Request",
    "mutationlog: status=1 label=\"Create claim\" error=[{'message': 'x'}]",
    "fatal: Error: browser closed",
])
def test_what_a_user_would_notice_fails_the_run(line):
    verdict = check(with_line("step: create-claim ok", line))

    assert verdict.problems == [line]
    assert not verdict.passed(STEPS)


@pytest.mark.parametrize("lines", [
    [line.replace("base: ok", "base: FAILED: no claim rows shown") for line in PASSING],
    [line.replace("step: review-page ok", "step: review-page FAILED: no claims")
     for line in PASSING],
    [line for line in PASSING if not line.startswith("step: logout")],  # cut short
])
def test_a_failed_or_missing_verdict_fails_the_run(lines):
    assert not check(lines).passed(STEPS)


def test_a_failed_exit_code_fails_the_run():
    assert not check(PASSING, exit_code=2).passed(STEPS)


def test_an_optional_step_may_fail_but_its_errors_still_count():
    refused = [line.replace("step: create-claim ok", "step: create-claim FAILED: no + button")
               for line in PASSING]
    assert check(refused).passed(("review-page", "logout"))
    assert not check(refused).passed(STEPS)

    noisy = [*refused[:-4], f"API< 400 {API}/graphql", *refused[-4:]]
    assert not check(noisy).passed(("review-page", "logout"))


def test_http_errors_are_named_by_operation(tmp_path, capsys):
    log = tmp_path / "run.log"
    log.write_text("\n".join(with_line("base: ok", f"API< 400 {API}/graphql")))
    exchanges = [{"status": 401, "url": f"{API}/graphql", "op": "refreshAuthToken"},
                 {"status": 400, "url": f"{API}/graphql", "op": "claim"},
                 {"status": 400, "url": f"{API}/graphql", "op": "claim"},
                 {"status": 200, "url": f"{API}/graphql", "op": "claims"}]
    (tmp_path / "network.jsonl").write_text("\n".join(json.dumps(e) for e in exchanges))

    assert failed_operations([json.dumps(e) for e in exchanges]) == [
        "refreshAuthToken: HTTP 401 x1", "claim: HTTP 400 x2"]
    assert main([str(log), "--user", "clerk"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("e2e clerk: FAILED: base ok | create-claim ok")
    assert out[1] == f"e2e clerk:   API< 400 {API}/graphql"
    assert out[2] == ("e2e clerk:   HTTP errors on /api/graphql by operation: "
                      "refreshAuthToken: HTTP 401 x1, claim: HTTP 400 x2")


REVIEW_RUN = f"""\
API< 401 {API}/graphql
gqlerror: refreshAuthToken Refresh token is required
API< 200 {API}/graphql
API< 200 {API}/core/users/current_user/
review: claim C0000015: {{"code":"C0000015","review":"Selected REVIEW","status":"Checked"}}
base: ok
mutationlog: status=2 label="Save claim C0000015 review" error=-
step: review-save ok
mutationlog: status=2 label="Deliver claim C0000015 review" error=-
step: review-deliver ok
"""


def test_a_review_run_passes_only_with_its_review_saved_and_delivered(tmp_path, capsys):
    log = tmp_path / "run.log"
    log.write_text(REVIEW_RUN)
    assert main([str(log), "--user", "reviewer", "--review"]) == 0
    assert capsys.readouterr().out.startswith(
        "e2e reviewer: ok: base ok | review-save ok | review-deliver ok")

    log.write_text(REVIEW_RUN.replace("step: review-deliver ok\n", "").replace(
        'status=2 label="Deliver', 'status=1 label="Deliver'))
    assert main([str(log), "--user", "reviewer", "--review"]) == 1
    out = capsys.readouterr().out
    assert "review-deliver missing" in out
    assert "mutationlog: status=1" in out
