"""The lessons resource of the API: routes and their schemas."""
