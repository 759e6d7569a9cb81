"""A server whose helper process escapes its process group."""
