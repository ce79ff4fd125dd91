"""Signals around every mutation, one set per module.

- `validate(sender=<mutation class>, user, data)`: a receiver returns a list of error entries
  (`{message, detail, code}`) to veto the mutation; nothing is written.
- `before_mutation(sender, user, data, mutation_log)`: inside the mutation's transaction.
- `after_mutation(sender, user, data, mutation_log, outcome)`: inside the same transaction, once
  the service has run; raising rolls the whole mutation back.

Modules define their domain signals (claim submitted, approval status changed, ...) in their own
`signals.py`.
"""

from __future__ import annotations

from typing import NamedTuple

from django.dispatch import Signal


class ModuleSignals(NamedTuple):
    validate: Signal
    before_mutation: Signal
    after_mutation: Signal


_SIGNALS: dict[str, ModuleSignals] = {}


def mutation_signals(module_name: str) -> ModuleSignals:
    """The signals of one module (created on first use, so a listener may connect before the
    module's mutations are imported)."""
    if module_name not in _SIGNALS:
        _SIGNALS[module_name] = ModuleSignals(Signal(), Signal(), Signal())
    return _SIGNALS[module_name]
