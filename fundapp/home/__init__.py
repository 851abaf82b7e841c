"""Role home pages (work inboxes), the profile page and personal API tokens: the top layer, reading the domains."""
