import graphene

from core.gql.mutations import OpenIMISMutation
from core.gql.policy import requires
from core.gql.types import CountableConnection, OrderedConnectionField, ScopedObjectType
from core.scoping import scope_queryset
from tests.sampleapp import services
from tests.sampleapp.models import Note


class NoteGQLType(ScopedObjectType):
    class Meta:
        model = Note
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "uuid", "title", "parent")
        filter_fields = {"title": ["exact", "icontains"]}


class Query(graphene.ObjectType):
    notes = requires(
        "gql_query_notes_perms", OrderedConnectionField(NoteGQLType, ordering=("title",))
    )
    note = requires("gql_query_notes_perms", graphene.Field(NoteGQLType, uuid=graphene.String()))

    def resolve_notes(self, info, **kwargs):
        return Note.objects.select_related("parent")

    def resolve_note(self, info, uuid):
        return scope_queryset(info.context.user, Note.objects.all()).filter(uuid=uuid).first()


class CreateNoteMutation(OpenIMISMutation):
    module_name = "sample"
    rights_key = "gql_mutation_create_notes_perms"

    class Input(OpenIMISMutation.Input):
        title = graphene.String()
        fail_after_write = graphene.Boolean()

    @classmethod
    def perform(cls, user, data):
        return services.create_note(user, data.get("title"), bool(data.get("fail_after_write")))


class Mutation(graphene.ObjectType):
    create_note = CreateNoteMutation.Field()
