"""Schemas of the webhooks resource (see CONTRACT.md, "Webhooks")."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from service.webhooks.events import EVENT_TYPES


class WebhookCreateSchema(ma.Schema):
    url = ma.fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "Where events are POSTed (http or https, a public address)"})
    events = ma.fields.List(ma.fields.String(validate=validate.OneOf(EVENT_TYPES)),
                            metadata={"description": "Event types to receive; omitted means all"})
    description = ma.fields.String(validate=validate.Length(max=500), allow_none=True)


class WebhookSchema(ma.Schema):
    id = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    events = ma.fields.List(ma.fields.String(), required=True,
                            metadata={"description": "Event types received; empty means all"})
    description = ma.fields.String(allow_none=True)
    state = ma.fields.String(required=True, metadata={"description": "active or disabled"})
    disabled_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)


class NewWebhookSchema(WebhookSchema):
    secret = ma.fields.String(required=True, metadata={"description": "whsec_ signing secret, shown only here"})


class SecretSchema(ma.Schema):
    secret = ma.fields.String(required=True)


class DeliverySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    event_id = ma.fields.String(required=True, metadata={"description": "The webhook-id header"})
    type = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"description": "pending, delivered or failed"})
    attempts = ma.fields.Integer(required=True)
    last_status_code = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    next_attempt_at = ma.fields.AwareDateTime(allow_none=True)
    delivered_at = ma.fields.AwareDateTime(allow_none=True)
