from core import modules

DEFAULT_CFG = {
    "gql_query_notes_perms": ["900001"],
    "gql_mutation_create_notes_perms": ["900002"],
}


class SampleConfig(modules.OpenIMISModule):
    """A small module used by the framework tests (rights, scoping, mutation log, signals)."""

    name = "tests.sampleapp"
    label = "sample"
    module_name = "sample"
    DEFAULT_CFG = DEFAULT_CFG
