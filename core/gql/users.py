"""How other types show a user (an approval's requesting provider, a history row's author)."""

import graphene

from core.gql.types import ScopedObjectType
from core.models import User


class UserGQLType(ScopedObjectType):
    """A user as others see them: name and login, nothing more (same tenant only)."""

    class Meta:
        model = User
        interfaces = (graphene.relay.Node,)
        fields = ("id", "uuid", "username", "last_name", "other_names")
