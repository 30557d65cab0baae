"""Trainer fees: estimates and statements from each trainer to the organisation."""
