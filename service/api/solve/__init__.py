"""The solve resource of the API: routes and their schemas."""
