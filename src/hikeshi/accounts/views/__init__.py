"""Account pages: sign-in with its second step, preferences, 2FA, API tokens, lock-outs."""
