"""Lesson content: the authoring format in ``content/``, its validation, its
loading into the database and the rendering of sections to HTML.

``files`` reads YAML and Markdown keeping line numbers, ``schemas`` holds the
marshmallow schemas, ``catalog`` reads a whole content directory into plain
values, ``verification`` checks the maths with the calculus core, ``loader``
checks and upserts, and ``render`` turns a section's Markdown into HTML with
MathML.

The submodules are imported where they are used rather than here, so that
rendering a section does not pull in the calculus core or the database.
"""
