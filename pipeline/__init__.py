"""Every stage of maap as plain functions: intake, mapping, validation, themes, storage, outputs, CLI."""
