"""The servicedesk's screens: meldingen and the caller portal (`meldingen`), the service-level
configuration (`sla`) and suggestions (`suggestions`); each module declares its audience (`ACCESS`)."""
