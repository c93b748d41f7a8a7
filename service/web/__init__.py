"""The pages a browser gets, and the health check."""
