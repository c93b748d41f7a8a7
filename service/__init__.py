"""Chain Tutor: a conversational tutor for the single-variable chain rule."""
