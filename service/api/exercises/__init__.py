"""The exercises resource of the API: routes and their schemas."""
