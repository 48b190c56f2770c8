"""Service levels of the servicedesk: the SLA clock (`clock.py`, pure), the policy and OLA screens'
forms (`forms.py`) and routes (`urls.py`), and the report figures on OLAs and satisfaction
(`queries.py`). The engine that applies them to meldingen is `services/service_level.py`, the
configuration services are `services/sla_config.py`; the business calendars they count in are the
calendars app's."""
