"""The whole render (template and PDF) runs in a child process that is killed at
`render_timeout_seconds` and limited to `render_max_memory_mb`: a template over a bound is
refused when it is saved, and a print answers 400 within the bound instead of holding a worker."""

import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import time
from multiprocessing import forkserver
from pathlib import Path

import pytest
from graphql_jwt.shortcuts import get_token

from core.models import ModuleConfiguration
from core.registers.models import Diagnosis
from openimis_claim.services import submit_claims
from reports import sandbox
from reports.models import ReportDefinition
from reports.registry import get_report
from reports.templating import RenderJob, render
from tests.factories import make_claim, make_claim_scene

pytestmark = pytest.mark.django_db

SECONDS, MEMORY_MB = 3, 64
SAVE = """mutation ($template: String!) { saveReportOverride(input: {clientMutationId: "b1",
  name: "claim_print", template: $template}) { status error } }"""


def nested_loops(depth: int) -> str:
    """`depth` loops over the claim's lines, one inside the other."""
    return "".join(f"{{% for l{n} in lines %}}" for n in range(depth)) + "{{ l0.code }}" + \
        "{% endfor %}" * depth


# A 400 MB string from a 10-character code: one filter, over the memory bound.
MEMORY_HOG = '{{ claim.code|ljust:"400000000" }}'
# 64,000 copies of the (long) explanation: some 70 MB of output, over the bound.
LOOP_OUTPUT = "{% for a in lines %}{% for b in lines %}{% for c in lines %}" \
    "{{ claim.explanation }}{{ claim.explanation }}{% endfor %}{% endfor %}{% endfor %}"


@pytest.fixture(scope="module", autouse=True)
def _render_process_started():
    """The first render of a process waits for the forkserver's preload: not what is timed."""
    sandbox.start()


@pytest.fixture(autouse=True)
def bounds(db):
    ModuleConfiguration.objects.create(module="report", layer="be", config={
        "render_timeout_seconds": SECONDS, "render_max_memory_mb": MEMORY_MB})


@pytest.fixture
def designer(make_user):
    return make_user([131201, 111006], username="designer")


@pytest.fixture
def claim(tenant, make_user):
    scene = make_claim_scene(tenant)
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=Diagnosis.objects.get(code="B50"), code="LOOP-1",
                       items=[(scene.item, 2, "2.50")] * 8, services=[scene.service] * 2)
    submit_claims(make_user(superuser=True, username="op"), [str(claim.uuid)])
    return claim


def save(gql, user, template):
    payload = gql(SAVE, {"template": template}, user=user).data["saveReportOverride"]
    return json.loads(payload["error"]) if payload["error"] else []


def render_children() -> list[int]:
    """The processes the render forkserver has forked and not yet reaped."""
    server = forkserver._forkserver._forkserver_pid
    if server is None:
        return []
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server:
            children.append(int(stat.parent.name))
    return children


def test_a_template_of_eight_nested_loops_is_refused_at_save_within_the_bound(gql, designer):
    started = time.monotonic()

    errors = save(gql, designer, nested_loops(8))

    assert errors == [{"message": f"The report took longer than {SECONDS} s to render",
                       "detail": "template", "code": "template_invalid"}]
    assert time.monotonic() - started < SECONDS + 5
    assert not ReportDefinition.objects.exists()


def test_nested_loops_forced_into_the_database_answer_400_within_the_bound(
        client, claim, designer, tenant):
    ReportDefinition.objects.create(name="claim_print", tenant=tenant,
                                    template=nested_loops(8))
    started = time.monotonic()

    response = client.get(f"/api/claim/print/?uuid={claim.uuid}",
                          HTTP_AUTHORIZATION=f"JWT {get_token(designer)}")

    assert response.status_code == 400
    assert response.json() == {"detail": f"The report took longer than {SECONDS} s to render"}
    assert time.monotonic() - started < SECONDS + 5
    # The child was killed and reaped: nothing keeps the core busy afterwards.
    deadline = time.monotonic() + 2
    while render_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert render_children() == []
    assert multiprocessing.active_children() == []


def test_a_loop_nesting_the_sample_can_bear_is_kept(gql, designer):
    assert save(gql, designer, nested_loops(2)) == []
    assert ReportDefinition.objects.count() == 1


@pytest.mark.parametrize("template", [MEMORY_HOG, LOOP_OUTPUT], ids=["ljust", "loop-output"])
def test_a_template_over_the_memory_bound_is_refused_at_save(gql, designer, template):
    errors = save(gql, designer, template)

    assert errors == [{"message": f"The report used more than {MEMORY_MB} MB of memory to "
                                  f"render", "detail": "template", "code": "template_invalid"}]
    assert not ReportDefinition.objects.exists()


def test_a_print_after_a_refused_render_is_served_normally(client, claim, designer, tenant,
                                                           gql):
    save(gql, designer, MEMORY_HOG)

    response = client.get(f"/api/claim/print/?uuid={claim.uuid}",
                          HTTP_AUTHORIZATION=f"JWT {get_token(designer)}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_render_opens_no_connection_and_no_file_outside_its_assets(monkeypatch):
    """What the child runs, run here under a spy: no socket is connected and every outside URL
    is refused before it is opened."""
    opened = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: opened.append(address))
    real_open = open
    read = []

    def spy_open(path, *args, **kwargs):
        read.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy_open)
    report = get_report("claim_print")
    output = render(RenderJob(context=report.sample_context(), template_name=report.template,
                              max_bytes=10_000_000, template_source="""
      <link rel="stylesheet" href="file:///etc/passwd"><link rel="stylesheet" href="report.css">
      <style>@import url("http://example.org/x.css");
        body::after { content: url("file:///etc/hostname"); }</style>
      <img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">
      <img src="file:///proc/self/environ"><object data="ftp://example.org/x"></object>
      <h1>Claim {{ claim.code }}</h1>"""))

    assert output.pdf.startswith(b"%PDF")
    assert opened == []
    assert not [path for path in read if path.startswith(("/etc", "/proc"))]
    assert set(output.refused_urls) >= {"file:///etc/passwd", "http://example.org/x.css",
                                        "http://169.254.169.254/latest/meta-data/"}


@pytest.mark.parametrize("stack_mb", [8, 64])
def test_threads_a_render_starts_do_not_spend_the_memory_bound_whatever_the_stack_limit(
        stack_mb):
    """Pango starts a thread to sort fonts, and GLib aborts the render when it cannot. A thread's
    stack used to be the stack rlimit, reserved whole: on a machine with `ulimit -s 65536` one
    thread spent a 64 MB bound and the sample render of a plain template crashed."""
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    if hard != resource.RLIM_INFINITY and hard < stack_mb * 1024 * 1024:
        pytest.skip(f"the hard stack limit is under {stack_mb} MB")
    script = ("import django; django.setup()\n"
              "from reports.sandbox import run_bounded\n"
              "print(run_bounded('tests.reports.threads.start_threads', 8, seconds=10, "
              f"memory_mb={MEMORY_MB}))\n")

    def stack_limit() -> None:
        resource.setrlimit(resource.RLIMIT_STACK, (stack_mb * 1024 * 1024, hard))

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, preexec_fn=stack_limit, cwd=Path(__file__).parents[2],
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"})

    assert result.stdout.strip() == "8", result.stderr[-2000:]
