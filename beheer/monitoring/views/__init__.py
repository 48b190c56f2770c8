"""The monitoring screens: the status overview and a check's page (`overview`), the check
definition screens (`checks`), the maintenance window screens (`windows`) and the public status
pages (`public`); each module declares its audience (`ACCESS`)."""
