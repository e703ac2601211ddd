"""One SMTP mail transaction with a commit point just before the server may accept the mail.

``smtplib.SMTP.sendmail`` sends the message and its end-of-data mark (``.``) in one go and
returns after the server's reply. A sender that records "sent" only after that reply sends
the mail twice when it dies between the reply and its record: the server took the mail, the
record says it did not. Here the caller's ``before_end`` runs after the whole message has
been transmitted and before the end-of-data mark. Until that mark the server holds an
unfinished transaction, which it discards when the connection drops (RFC 5321, 4.1.1.4), so:

- the sender dies before ``before_end`` has committed: the server discards the mail and the
  record still says "not sent" (sent once, later);
- the sender dies after it: the mark follows in the same moment or never (the mail is
  recorded sent; the window is the return from the commit to one ``send`` call);
- the server refuses the finished mail: ``SMTPDataError`` is raised after ``before_end`` ran,
  and the caller undoes its record.

Pure standard library (no Django): the same steps and errors as ``smtplib.SMTP.sendmail``.
"""

import re
import smtplib
import socket
from collections.abc import Callable, Sequence

_LEADING_PERIOD = re.compile(rb"(?m)^\.")


class RefusedAfterCommit(smtplib.SMTPDataError):
    """The server refused the finished mail after ``before_end`` had run."""


class BrokenAfterCommit(smtplib.SMTPServerDisconnected):
    """The connection broke after ``before_end`` had run: whether the mail arrived is unknown."""


def _send_without_delay(smtp: smtplib.SMTP) -> None:
    sock = getattr(smtp, "sock", None)
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _abort(smtp: smtplib.SMTP, code: int) -> None:
    if code == 421:
        smtp.close()
    else:
        smtp._rset()  # noqa: SLF001  (what smtplib.sendmail does on a refusal)


def sendmail_with_commit_point(
    smtp: smtplib.SMTP,
    from_addr: str,
    to_addrs: Sequence[str],
    message: bytes,
    *,
    before_end: Callable[[], None],
) -> dict[str, tuple[int, bytes]]:
    """Send ``message`` (CRLF line ends) like ``smtp.sendmail``; ``before_end`` runs just before
    the end-of-data mark. Returns the refused recipients, as ``sendmail`` does.

    Should ``before_end`` raise, the connection is closed (the server discards the unfinished
    mail) and the error propagates.
    """
    smtp.ehlo_or_helo_if_needed()
    options = []
    if smtp.does_esmtp and smtp.has_extn("size"):
        options.append(f"size={len(message)}")
    code, reply = smtp.mail(from_addr, options)
    if code != 250:
        _abort(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, from_addr)
    refused: dict[str, tuple[int, bytes]] = {}
    for address in to_addrs:
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(to_addrs):
        smtp._rset()  # noqa: SLF001
        raise smtplib.SMTPRecipientsRefused(refused)
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        _abort(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    body = _LEADING_PERIOD.sub(b"..", message)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    # The message and the end mark go in two writes; without this the mark waits for the
    # server's delayed acknowledgement of the message (Nagle's algorithm, 40 ms a mail).
    _send_without_delay(smtp)
    smtp.send(body)
    try:
        before_end()
    except BaseException:
        smtp.close()
        raise
    try:
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
    except smtplib.SMTPServerDisconnected as error:
        raise BrokenAfterCommit(str(error)) from error
    if code != 250:
        if code == 421:
            smtp.close()
        raise RefusedAfterCommit(code, reply)
    return refused
