"""The learners resource of the API: routes and their schemas."""
