"""Async HTTP clients for the municipality's systems (one module per system).

Clients know HTTP and the standards' JSON, never a Rasa tracker. Errors are raised from
:mod:`integrations.errors`.
"""
