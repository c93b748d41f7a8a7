"""The tutor: a rule-based dialogue engine. Pure: no Flask, no database."""
