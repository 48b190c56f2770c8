"""Every write of the access rights register (house rule 1): requests and their steps, the access
policy per CI, review campaigns, expiry."""

from .campaigns import (
    campaign_report,
    close_due_campaigns,
    may_review,
    review_item,
    send_review_reminders,
    start_campaign,
)
from .policies import save_access_policy
from .rights import (
    RequestData,
    approve_right,
    approver_of,
    expire_rights,
    grant_right,
    lock_right,
    may_approve,
    may_revoke,
    reject_right,
    request_right,
    revoke_all_of,
    revoke_right,
)

__all__ = [
    "RequestData",
    "approve_right",
    "approver_of",
    "campaign_report",
    "close_due_campaigns",
    "expire_rights",
    "grant_right",
    "lock_right",
    "may_approve",
    "may_review",
    "may_revoke",
    "reject_right",
    "request_right",
    "review_item",
    "revoke_all_of",
    "revoke_right",
    "save_access_policy",
    "send_review_reminders",
    "start_campaign",
]
