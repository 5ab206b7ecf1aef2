"""Custom actions of the municipal assistant (rasa-sdk action server package)."""
