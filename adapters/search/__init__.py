"""Retrieval back ends: lexical TF-IDF by default, sentence embeddings with the `semantic` extra."""
