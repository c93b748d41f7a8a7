"""LTI 1.3 tool (LTI Advantage), on ``pylti1p3`` (the maintained fork ``pylti1p3next``).

- :mod:`.keys`: the tool's RSA keys, made on first use, stored, rotated; the JWKS;
- :mod:`.cache`: state, nonces and launch data in the database or Redis;
- :mod:`.toolconf`: registrations read from the database for ``pylti1p3``;
- :mod:`.launches`: what a launch means here (learner, course, instructor);
- :mod:`.routes`: ``/lti/login``, ``/lti/launch``, ``/.well-known/jwks.json``;
- :mod:`.grades`: scores to the platform (AGS) from the outbox, by the delivery worker.
"""
