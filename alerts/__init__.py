"""Alerts: routing findings to officers, Vietnamese e-mails, the persistent outbox and SMTP delivery."""
