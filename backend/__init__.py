"""Local stand-in of the municipality's systems (sanic), for development and tests only.

Speaks the paths and JSON fields of the standards for the subset the clients in
``integrations`` use: ZGW Zaken/Catalogi, Klantinteracties, Haal Centraal BRP and Reisdocumenten,
a BAG-like address register, plus the appointment and waste APIs. See ``docs/backend.md``.
"""
