"""Run one function in a child process that is killed at a time bound and limited in memory.

A thread cannot be stopped, so a bound enforced with `Future.result(timeout)` only stops waiting:
the work goes on using a core. A child process can be killed. Children are forked from a
forkserver started once per process (the `forkserver` start method) that has preloaded Django,
WeasyPrint and the report templates, so a child starts in a few milliseconds, not at Python's
and WeasyPrint's start-up cost. The forkserver never opens a database connection and only the
function's name and its (plain, pickled) arguments cross to the child; the result comes back
through a pipe. The forkserver reaps its children and ends with the process that started it.
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing
import os
import resource
import sys
import threading
import time
from typing import Any

PRELOAD = ["__main__", "reports.sandbox_preload"]
MB = 1024 * 1024
# A thread's stack is reserved from the address space whole. Left to the default (the stack
# rlimit: 8 MB on most machines, 64 MB or more on some), one thread a native library starts
# (pango sorts fonts in one) would spend the memory bound on a reservation it never touches, and
# GLib aborts when it cannot start a thread. Threads in the child get a fixed stack instead, and
# the bound leaves room for a few of them over what the render may allocate.
# For the same reason threads share malloc's one arena: a thread's own arena reserves 64 MB.
THREAD_STACK = 2 * MB
THREAD_ALLOWANCE = 8 * THREAD_STACK
M_ARENA_MAX = -8

_context: multiprocessing.context.BaseContext | None = None
_context_lock = threading.Lock()


class SandboxError(Exception):
    """The child did not return a result."""


class SandboxTimeout(SandboxError):
    """The child ran past its time bound and was killed."""


class SandboxMemoryError(SandboxError):
    """The child needed more memory than its bound."""


class SandboxCrash(SandboxError):
    """The child ended without a result (killed by a signal or a native library's abort, often
    an allocation refused at the memory bound)."""


def _mp_context() -> multiprocessing.context.BaseContext:
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
    return _context


def start() -> None:
    """Start this process's forkserver now and wait for its preload (a few seconds), instead of
    at the first render: for tests that time a render, or a server's worker start-up hook."""
    run_bounded("builtins.len", (), seconds=5, memory_mb=64)


def run_bounded(function: str, argument: Any, *, seconds: float, memory_mb: int) -> Any:
    """`function(argument)` (a dotted name: the child imports it) in a child process; its
    return value, or the exception it raised; SandboxTimeout after `seconds` (the child is
    killed), SandboxMemoryError or SandboxCrash when it needed more than `memory_mb` MB over
    what it started with."""
    context = _mp_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, argument, seconds,
                                                   memory_mb), name="report-render",
                              daemon=True)
    deadline = None
    try:
        process.start()  # the first start of a process waits for the forkserver's preload
        deadline = time.monotonic() + seconds
        sender.close()
        # The result is read as soon as it comes (a large one would fill the pipe and block a
        # child that is only joined); poll answers too when the child dies without one.
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise SandboxTimeout(f"killed after {seconds:g} s")
        try:
            kind, value = receiver.recv()
        except EOFError:
            process.join(1)
            raise SandboxCrash(f"exit code {process.exitcode}") from None
    finally:
        sender.close()
        if process.pid is not None:
            process.join(max(0.0, min(1.0, deadline - time.monotonic())) if deadline else 0)
            if process.is_alive():
                process.kill()
            process.join()
            process.close()
        receiver.close()
    if kind == "ok":
        return value
    if kind == "memory":
        raise SandboxMemoryError(f"over {memory_mb} MB")
    raise value


def _child(sender, function: str, argument: Any, seconds: float, memory_mb: int) -> None:
    """In the child: bound memory (address space) and CPU time, run, send the outcome."""
    _limit_resources(seconds, memory_mb)
    module, _, name = function.rpartition(".")
    try:
        _ensure_django()
        outcome = ("ok", getattr(importlib.import_module(module), name)(argument))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as exc:  # every failure goes back to the parent
        outcome = ("raised", exc)
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", None))
    except Exception as exc:  # an exception that does not pickle
        sender.send(("raised", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} "
                                            f"({type(exc).__name__})")))
    sender.close()


def _limit_resources(seconds: float, memory_mb: int) -> None:
    """RLIMIT_AS: the address space the child has now plus `memory_mb` (Django and WeasyPrint
    are already mapped; what the render adds is what is bounded) and the stacks of a few
    threads. RLIMIT_CPU: a second stop should the parent die before it can kill the child."""
    _fix_thread_stack()
    in_use = _address_space()
    if in_use is not None:
        _lower(resource.RLIMIT_AS, in_use + memory_mb * MB + THREAD_ALLOWANCE)
    _lower(resource.RLIMIT_CPU, int(seconds) + 2)


def _fix_thread_stack() -> None:
    """Every thread started from now on, by Python or by a native library, gets THREAD_STACK
    and allocates from the arena the process already has."""
    threading.stack_size(THREAD_STACK)
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_ARENA_MAX, 1)
        attr = ctypes.create_string_buffer(256)  # a pthread_attr_t is 56 bytes on x86-64
        if libc.pthread_attr_init(attr) == 0:
            libc.pthread_attr_setstacksize(attr, ctypes.c_size_t(THREAD_STACK))
            libc.pthread_setattr_default_np(attr)
            libc.pthread_attr_destroy(attr)
    except (OSError, AttributeError):
        pass  # not glibc: native threads keep the default stack


def _lower(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or value < soft:
        resource.setrlimit(kind, (value, hard))


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None  # not Linux: no address-space bound, the time bound still holds


def _ensure_django() -> None:
    """The preload has set Django up; a child of a forkserver started without it does now."""
    from django.apps import apps

    preload = sys.modules.get("reports.sandbox_preload")
    if preload is not None and preload.SETUP_ERROR:
        raise RuntimeError(f"The report render process could not set Django up:\n"
                           f"{preload.SETUP_ERROR}")
    if not apps.ready:
        import django

        django.setup()


def allow_in_worker_pool() -> None:
    """Let a Celery pool process start render children (`renderReport` on a worker).

    Celery's prefork pool (billiard) marks its processes daemonic, and multiprocessing refuses
    children to a daemonic process, a guard against children orphaned when it exits. A render
    child cannot outlive its bound: it is killed at the time limit and joined before
    `run_bounded` returns, and the forkserver ends with the pipe of the process that started
    it. Only this process's own flag changes; the pool still stops it as a daemon. Its
    authentication key keeps its value in the standard library's type, which the forkserver
    can send (billiard's own refuses to be pickled outside billiard)."""
    config = multiprocessing.current_process()._config
    config["daemon"] = False
    config["authkey"] = multiprocessing.process.AuthenticationString(bytes(config["authkey"]))
