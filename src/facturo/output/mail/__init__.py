"""Email: composing messages from templates, SMTP, sending and recording."""
