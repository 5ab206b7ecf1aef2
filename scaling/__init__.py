"""Running several Rasa instances side by side: an atomic Redis lock store and its race check.

See docs/production.md ("Several Rasa instances").
"""
