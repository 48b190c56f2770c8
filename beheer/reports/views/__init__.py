"""The reports' screens: the dashboard (`dashboard`), the management report and scheduled reports
(`reports`), the availability report (`availability`) and the SLA check (`sla_check`); each module
declares its audience (`ACCESS`)."""
