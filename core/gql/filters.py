"""Filter pieces the modules' list arguments share."""

from __future__ import annotations

import graphene
from django import forms
from django.core.exceptions import ValidationError
from graphene_django.filter import TypedFilter
from graphql_relay import from_global_id

from core.scoping import parse_pk


class RowIdField(forms.CharField):
    """A row's id as clients send it: the relay global id of the node their picker returned
    (`icd_Id: "RGlhZ25vc2lzR1FMVHlwZToxMg=="`, what the web app sends), or the number."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        if not text.isdigit():
            try:
                text = from_global_id(text)[1]
            except Exception:  # undecodable: refused below
                text = ""
        key = parse_pk(text)
        if key is None:
            raise ValidationError("Enter an id or a relay global id.", code="invalid")
        return key


class RowIdFilter(TypedFilter):
    field_class = RowIdField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(graphene.ID, *args, **kwargs)
