"""Webhooks out: learning events, signed per Standard Webhooks 1.0, sent to
the endpoints a course's instructor subscribed.

- :mod:`.events` turns an outbox row into the public event (type and data);
- :mod:`.signing` makes ``whsec_`` secrets and the three signature headers;
- :mod:`.targets` refuses private, loopback and link-local targets;
- :mod:`.transport` posts to the checked address, never following redirects;
- :mod:`.schedule` says when a failed delivery is tried again;
- :mod:`.worker` hands outbox events out as deliveries and sends them.
"""
