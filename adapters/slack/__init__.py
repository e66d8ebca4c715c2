"""The Slack adapter: slack-bolt listeners translating payloads to core commands and results to Block Kit."""
