"""Command-line commands, one module per area; ``service.cli`` assembles them."""
