"""graphene's Decimal refuses float literals (`claimed_Gte: 100.5`), which the openIMIS web app
writes unquoted into its filters. A float literal's text is parsed as an exact Decimal here
(never through float), for every Decimal argument of the schema."""

from __future__ import annotations

import graphene
from graphql import FloatValueNode, IntValueNode, StringValueNode, Undefined


def _parse_decimal_literal(cls, node, _variables=None):
    if isinstance(node, (StringValueNode, IntValueNode, FloatValueNode)):
        return cls.parse_value(node.value)
    return Undefined


graphene.Decimal.parse_literal = classmethod(_parse_decimal_literal)
