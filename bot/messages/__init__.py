"""Every text and embed a member sees in Discord is built here (one home for wording)."""
