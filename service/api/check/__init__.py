"""The check resource of the API: routes and their schemas."""
