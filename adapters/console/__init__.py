"""The leaders' console: server-rendered pages under /app/ (aiohttp, Jinja2 with autoescaping)."""
