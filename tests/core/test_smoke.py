import pytest

pytestmark = pytest.mark.django_db

MODULE_CONFIGURATIONS = "{ moduleConfigurations { module config controls { field usage } } }"
NOTES = "{ notes(first: 5) { totalCount edges { node { title } } } }"


def test_smoke(gql, make_user):
    assert gql(MODULE_CONFIGURATIONS).data == {"moduleConfigurations": []}
    user = make_user([900001])
    r = gql(NOTES, user=user)
    assert r.data == {"notes": {"totalCount": 0, "edges": []}}, r.body
