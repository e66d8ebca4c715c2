"""Adapters: the ports of core implemented with real technology (database, chat, search, LLM)."""
