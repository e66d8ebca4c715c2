"""Microsoft Teams: the Bot Framework adapter. Nothing outside this package imports botbuilder."""
