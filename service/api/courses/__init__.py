"""The courses resource of the API: routes and their schemas."""
