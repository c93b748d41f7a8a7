"""The preview resource: how the tutor reads what a learner is typing."""
