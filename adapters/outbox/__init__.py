"""The outbox: outbound posts are stored first and delivered by a dispatcher, once, with backoff."""
