"""Webhooks: the outbox a state change fills, the delivery of each event, the tenants' secrets."""
