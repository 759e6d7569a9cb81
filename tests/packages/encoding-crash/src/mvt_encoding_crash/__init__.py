"""A server that greets its console with a character cp1252 cannot encode."""
