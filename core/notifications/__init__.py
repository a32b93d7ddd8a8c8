"""The notification ledger: every email PeerNet sends about meetings and applications is a row
in `Notification`, unique on (kind, subject, recipient), claimed before it is sent and marked
right after.

Apps describe what they send (a `Kind`: its templates and how to prepare a batch of rows) and
what falls due over time (a planner), and register both from their AppConfig.ready(); this
package, in the core app below all apps, knows nothing about meetings or applications.

- `registry`: the kinds and planners the apps register.
- `dispatch`: creating rows (events and the periodic tick) and handing them to send tasks.
- `send`: claiming rows, sending them over one SMTP connection, marking and releasing them.
- `compose`: rendering a batch's templates and writing the MIME bytes.
- `preferences`: what a member stopped, and the signed one-click unsubscribe links.

Delivery guarantee (README "Notifications"):

- A sender claims rows in one committed transaction (state "sending", its own claim token and
  time). On PostgreSQL the rows are picked with SELECT … FOR UPDATE SKIP LOCKED, so concurrent
  senders split a batch without waiting; on SQLite, which has no row locks, the claim is a
  single conditional UPDATE (… WHERE state = 'pending'), which SQLite's one-writer lock makes
  exclusive. Either way a row belongs to one claim.
- Each message is marked "sent" in its own autocommitted UPDATE as soon as the SMTP server
  accepted it, before the next message goes out (not in batches: a mark held back for the next
  few messages would widen the crash window below from one message to several). A worker
  killed between the server's "250 OK" and that UPDATE leaves one row "sending"; after
  NOTIFICATION_CLAIM_SECONDS it may be claimed and sent again. That window
  (one message per crashed worker, a few milliseconds wide) is the at-least-once side of the
  trade-off; we prefer it to losing the message. The Message-ID is derived from the row, so a
  repeat carries the same Message-ID and mail clients can fold it.
- A live sender never holds a claim that long: it starts no new message once its claim is half
  NOTIFICATION_CLAIM_SECONDS old and hands the rest back.
"""
