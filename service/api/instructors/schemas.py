"""Schemas of the instructors resource."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from service.auth import LOGIN_TOKEN_MAX_AGE


class LoginSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = ma.fields.String(required=True, validate=validate.Length(min=1, max=1024),
                                load_only=True)


class PasswordChangeSchema(ma.Schema):
    current_password = ma.fields.String(required=True, validate=validate.Length(min=1, max=1024), load_only=True)
    new_password = ma.fields.String(required=True, validate=validate.Length(min=8, max=1024), load_only=True,
                                    metadata={"description": "At least 8 characters"})


class EmptyBodySchema(ma.Schema):
    """Nothing to send: ``{}`` or no body at all (a rotation takes no input)."""


class ApiKeySchema(ma.Schema):
    api_key = ma.fields.String(
        required=True,
        metadata={"description": "The new key, shown once; the old one no longer works"})


class InstructorSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class LoginTokenSchema(ma.Schema):
    token = ma.fields.String(
        required=True,
        metadata={"description": "Send as 'Authorization: Bearer <token>'; "
                                 f"valid {LOGIN_TOKEN_MAX_AGE // 3600} hours"},
    )
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "Seconds"})
    instructor = ma.fields.Nested(InstructorSchema, required=True)
