"""Web chat of the municipal assistant: static page, embeddable widget and a tiny server.

``python -m webchat --port 8000`` serves ``webchat/static`` with strict security headers
(see :mod:`webchat.server`). :mod:`channels.socketio_input` is the socket.io input channel that Rasa
loads from ``credentials.yml``; it restricts the origins that may connect.
"""
