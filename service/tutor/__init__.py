"""The tutor: a rule-based dialogue engine. Pure: no Flask, no database.

The public entry points::

    from service.tutor.engine import start, respond, TutorContext, ConversationState

    turn = start(TutorContext(mastery=...), "(2x+1)^3")   # greeting + first question
    turn = respond(ConversationState.from_dict(stored), "u = 2x + 1", context)
    turn = respond(state, "", context, action="hint")      # a widget button
    turn = resume(stored, "hint", context)                  # a stored state of any version
    turn.replies, turn.events, turn.verdict, turn.reading, turn.mastery, turn.state.to_dict()

Modules, by what they hold: ``reading`` (the pipeline that reads a message
into a ``Reading``, with phrasings and questions from ``content/tutor/``),
``intents`` (the intents and ``Reading``), ``plan`` (a problem's steps),
``answers`` (Leibniz tags), ``answering`` (moves on an answer), ``reform``
(cuts of a chain the plan did not expect), ``talk`` (questions, why, progress,
out of scope), ``requests`` (problems asked for by kind), ``guidance`` (hints,
next factor, worked solution), ``hints`` (the ladders), ``lifecycle`` (setting
and finishing problems), ``mastery`` (BKT), ``problems`` (choosing and
generating problems), ``explanations`` (concept texts), ``state`` (with its
version upgrades), ``turn``, ``messages``, ``events``, ``skills``.
This package imports nothing heavy on purpose: ``service.tutor.skills`` is
imported by the content and database layers.
"""
