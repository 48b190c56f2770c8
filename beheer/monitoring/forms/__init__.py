"""The monitoring forms: the check edit form (`checks`) and the maintenance window form (`windows`)."""
