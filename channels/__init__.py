"""Custom Rasa input/output channels of the municipal assistant.

Modules:
    whatsapp: the Meta WhatsApp Cloud API input channel (``channels.whatsapp.WhatsAppInput``).
    whatsapp_output: the matching output channel (text, buttons, lists, templates).
    whatsapp_api: the Graph API sender with retries.
    whatsapp_store: seen message ids and the resident's last message time (database tables).
"""
