"""Custom Rasa NLU components of the municipal assistant."""
