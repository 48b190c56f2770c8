"""The e-mail channel's building blocks that need no database.

- `parse`: turn the raw bytes of one message into a `ParsedMessage` or a `ParseFailure` (never raises).
- `text`: header decoding, HTML to text, quoted-reply stripping (used by `parse`).
- `sniff`: the real type of an attachment from its first bytes.
- `imap`: a small IMAP client (TLS, password or XOAUTH2 login, UIDs, fetch, move, flags, IDLE).
"""
