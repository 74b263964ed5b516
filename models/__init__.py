"""Typed records shared by every stage: what a file says, what a template asks, what a return answers."""
