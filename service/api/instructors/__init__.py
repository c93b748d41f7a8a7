"""The instructors resource of the API: routes and their schemas."""
