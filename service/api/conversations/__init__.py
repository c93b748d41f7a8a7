"""The conversations resource of the API: routes and their schemas."""
