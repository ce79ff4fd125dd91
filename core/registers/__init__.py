"""The shared registers openIMIS keeps as modules of their own (location, medical, insuree, product,
policy, medical price list): what claims and approvals both read.

Part of the core module: the models keep the `core` app label (`core.models` imports them for
Django), the rights keys are core's (`core/apps.py`) and the root queries join core's `Query`
(`core.schema`). The registers import the framework; the framework imports the registers only at
the composition points `tests/core/test_dependencies.py` lists.
"""
