"""The tutor: a rule-based dialogue engine. Pure: no Flask, no database.

The public entry points::

    from service.tutor.engine import start, respond, TutorContext, ConversationState

    turn = start(TutorContext(mastery=...), "(2x+1)^3")   # greeting + first question
    turn = respond(ConversationState.from_dict(stored), "u = 2x + 1", context)
    turn.replies, turn.events, turn.verdict, turn.mastery, turn.state.to_dict()

Modules, by what they hold: ``plan`` (a problem's steps), ``intents`` (what a
message asks for), ``answers`` (Leibniz tags), ``answering`` (moves on an
answer), ``guidance`` (hints, next factor, worked solution), ``hints`` (the
ladders), ``lifecycle`` (setting and finishing problems), ``mastery`` (BKT),
``problems`` (choosing and generating problems), ``explanations`` (concept
texts), ``state``, ``turn``, ``messages``, ``events``, ``skills``.
This package imports nothing heavy on purpose: ``service.tutor.skills`` is
imported by the content and database layers.
"""
