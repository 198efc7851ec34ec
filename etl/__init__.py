"""National reporting warehouse for the commune-police programme."""
