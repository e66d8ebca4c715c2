"""Issue trackers behind core's Tracker port: GitHub (PyGithub), Jira (jira), Linear (GraphQL over httpx)."""
