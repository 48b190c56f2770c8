"""The e-mail intake in the Django admin: nothing.

Mailboxes, their rules and the dead letters have their own screens under /mail/ (views.py), which
write only through the services (the checks of a mailbox's server, folders and rules, the encrypted
secrets, the version concurrent editors rely on, the exactly-once record of every message). The
admin registers none of them, so it is never a second write path, and it never shows a mailbox's
(encrypted) credentials or a dead letter's raw message past `visible_to`.
"""
