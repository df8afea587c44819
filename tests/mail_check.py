"""Sends the seed's report to a real SMTP server (aiosmtpd, from Debian's
python3-aiosmtpd) that this script starts on 127.0.0.1 and stops, and checks
what arrives; or makes the server fail in one way and checks the error.

Usage: /usr/bin/python3 tests/mail_check.py BINARY SEED_XML WORKDIR CASE
Exits 0 when the case behaves as it should, else prints why and exits 1.
"""
import asyncio
import email
import logging
import email.policy
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

binary, seed, work, case = sys.argv[1:5]
logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # the failed handshakes we cause
os.makedirs(work, exist_ok=True)
USER, PASSWORD = "park-office", "s3cret-Pa55"
TO = ["county@example.gov.cn", "stats@example.gov.cn"]
FROM = "工业园区管委会 <office@park.example.cn>"
CREDENTIALS = {"PARKREPORT_SMTP_USER": USER, "PARKREPORT_SMTP_PASSWORD": PASSWORD}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Handler:
    """Records what arrives; answers as the case asks."""

    def __init__(self, reject=(), data_answers=(), stall=0):
        self.reject = set(reject)
        self.data_answers = list(data_answers)  # answers to DATA before accepting
        self.stall = stall
        self.messages = []  # (mail_from, rcpt_tos, bytes, tls, login)
        self.data_tries = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_tries += 1
        if self.stall:
            await asyncio.sleep(self.stall)
        if self.data_answers:
            return self.data_answers.pop(0)
        login = logins[-1] if session.authenticated and logins else None
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                              tls, login))
        return "250 2.0.0 Ok: queued"


logins = []  # the accepted logins, in order


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and \
        auth_data.password == PASSWORD.encode()
    if ok:
        logins.append(USER)
    return AuthResult(success=ok, handled=False)


def certificate():
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def start(handler, tls=False):
    """tls: False, True (STARTTLS required, with AUTH) or "implicit" (smtps)."""
    port = free_port()
    params = {}
    if tls:
        params = dict(authenticator=authenticator, auth_require_tls=True)
        if tls == "implicit":  # aiosmtpd does not count it as TLS for AUTH
            params.update(ssl_context=certificate(), auth_require_tls=False)
        else:
            params.update(tls_context=certificate(), require_starttls=True)
    c = Controller(handler, hostname="127.0.0.1", port=port, **params)
    c.start()
    return c, f"{'smtps' if tls == 'implicit' else 'smtp'}://127.0.0.1:{port}"


def run(args, env_extra=None, inputs=None, mail_to=None):
    out = os.path.join(work, "out")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1703980800")
    env.pop("PARKREPORT_SMTP_USER", None)
    env.pop("PARKREPORT_SMTP_PASSWORD", None)
    env.update(env_extra or {})
    start_time = time.monotonic()
    p = subprocess.run([binary, "-o", out, "--mail-to", mail_to or ",".join(TO), "--mail-from", FROM] +
                       args + (inputs or [seed]), env=env, capture_output=True, text=True, timeout=120)
    return p, time.monotonic() - start_time, out


def served(handler, args, env_extra=None, tls=False, inputs=None, mail_to=None):
    """Runs parkreport against a server started for it, with --smtp URL added."""
    c, url = start(handler, tls)
    try:
        return run(["--smtp", url] + args, env_extra, inputs, mail_to) + (url,)
    finally:
        c.stop()


def home_with_netrc():
    """A home folder whose ~/.netrc has the credentials for 127.0.0.1."""
    home = os.path.join(work, "home")
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, ".netrc"), "w") as f:
        f.write(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    os.chmod(os.path.join(home, ".netrc"), 0o600)
    return home


def fail(why):
    print(why)
    sys.exit(1)


def check_received(msg_bytes, out, attach=("xlsx", "pdf")):
    m = email.message_from_bytes(msg_bytes, policy=email.policy.default)
    if m["Subject"] != "工业园区2023年度工作总结和2024年工作计划（含指标完成情况）":
        fail(f"subject: {m['Subject']!r}")
    if m["From"].addresses[0].display_name != "工业园区管委会":
        fail(f"from: {m['From']!r}")
    if not m["Date"] or not m["Message-ID"]:
        fail("no Date or Message-ID")
    names = {"xlsx": "工业园区2023年度指标完成情况.xlsx",
             "pdf": "工业园区2023年度工作总结和2024年工作计划.pdf"}
    found = {}
    for part in m.iter_attachments():
        found[part.get_filename()] = part.get_payload(decode=True)
    for kind in attach:
        data = found.get(names[kind])
        if data is None:
            fail(f"no attachment named {names[kind]}: {list(found)}")
        if data != open(os.path.join(out, f"park-2023.{kind}"), "rb").read():
            fail(f"the {kind} attachment differs from the file on disk")
    if len(found) != len(attach):
        fail(f"attachments: {list(found)}")
    body = m.get_body(("plain",)).get_content()
    if "实现工业总产值124.2亿元" not in body:
        fail(f"body: {body!r}")


if case == "plain":
    h = Handler()
    p, _, out, url = served(h, ["--mail-attach", "pdf,xlsx"])
    if p.returncode != 0 or len(h.messages) != 1:
        fail(f"status {p.returncode}, {len(h.messages)} messages: {p.stderr}")
    mail_from, rcpts, data, tls, login = h.messages[0]
    if mail_from != "office@park.example.cn" or rcpts != TO or tls or login:
        fail(f"envelope {mail_from} {rcpts} tls={tls} login={login}")
    check_received(data, out)
    if "mailed to county@example.gov.cn, stats@example.gov.cn" not in p.stdout:
        fail(p.stdout)

elif case == "starttls":
    h = Handler()
    p, _, out, url = served(h, ["--smtp-insecure"], CREDENTIALS, tls=True)
    if p.returncode != 0 or len(h.messages) != 1:
        fail(f"status {p.returncode}, {len(h.messages)} messages: {p.stderr}")
    if not h.messages[0][3] or h.messages[0][4] != USER:
        fail(f"not sent over STARTTLS with the credentials: tls={h.messages[0][3]} login={h.messages[0][4]}")
    check_received(h.messages[0][2], out, attach=("xlsx",))
    if PASSWORD in p.stdout + p.stderr:
        fail("the password was printed")

elif case == "smtps":
    h = Handler()
    p, _, out, url = served(h, ["--smtp-insecure"], CREDENTIALS, tls="implicit")
    if p.returncode != 0 or len(h.messages) != 1 or not h.messages[0][3] or h.messages[0][4] != USER:
        fail(f"status {p.returncode}, {[m[3:] for m in h.messages]}: {p.stderr}")
    check_received(h.messages[0][2], out, attach=("xlsx",))

elif case == "netrc":
    h = Handler()
    p, _, out, url = served(h, ["--smtp-insecure"], {"HOME": home_with_netrc()}, tls=True)
    if p.returncode != 0 or len(h.messages) != 1 or h.messages[0][4] != USER:
        fail(f"status {p.returncode}, messages {[m[4] for m in h.messages]}: {p.stderr}")

elif case == "netrc-clear":
    h = Handler()
    p, _, out, url = served(h, [], {"HOME": home_with_netrc()})
    if p.returncode != 1 or h.messages or PASSWORD in p.stdout + p.stderr:
        fail(f"status {p.returncode}, {len(h.messages)} messages: {p.stderr}")

elif case == "bad-certificate":
    h = Handler()
    p, _, out, url = served(h, [], CREDENTIALS, tls=True)
    if p.returncode != 1 or h.messages or "certificate" not in p.stderr.lower():
        fail(f"status {p.returncode}, {len(h.messages)} messages: {p.stderr}")
    if seed + ": error: cannot send the mail through " + url not in p.stderr:
        fail(p.stderr)
    if PASSWORD in p.stdout + p.stderr:
        fail("the password was printed")

elif case == "clear-credentials":
    h = Handler()
    p, _, out, url = served(h, [], CREDENTIALS)
    if p.returncode != 1 or h.messages or PASSWORD in p.stdout + p.stderr:
        fail(f"status {p.returncode}, {len(h.messages)} messages: {p.stderr}")

elif case == "refused-recipient":
    h = Handler(reject=["stats@example.gov.cn"])
    p, _, out, url = served(h, [])
    if p.returncode != 1 or h.messages:
        fail(f"status {p.returncode}, {len(h.messages)} messages: {p.stderr}")
    if "550 5.1.1 <stats@example.gov.cn>: Recipient address rejected" not in p.stderr or seed not in p.stderr:
        fail(p.stderr)
    if not os.path.getsize(os.path.join(out, "park-2023.xlsx")):
        fail("the workbook is gone")

elif case == "retry-then-sent":
    h = Handler(data_answers=["451 4.3.0 Try again later"])
    p, took, out, url = served(h, [])
    if p.returncode != 0 or len(h.messages) != 1 or h.data_tries != 2 or took < 1:
        fail(f"status {p.returncode}, {len(h.messages)} messages, {h.data_tries} tries, {took:.1f} s: {p.stderr}")

elif case == "retries-exhausted":
    h = Handler(data_answers=["451 4.3.0 Try again later"] * 5)
    p, took, out, url = served(h, ["--smtp-retries", "1"])
    if p.returncode != 1 or h.messages or h.data_tries != 2:
        fail(f"status {p.returncode}, {h.data_tries} tries: {p.stderr}")
    if "451 4.3.0 Try again later" not in p.stderr or "after 2 tries" not in p.stderr:
        fail(p.stderr)

elif case == "permanent-failure":
    h = Handler(data_answers=["554 5.7.1 Message rejected as spam"])
    p, took, out, url = served(h, [])
    if p.returncode != 1 or h.data_tries != 1 or "554 5.7.1 Message rejected as spam" not in p.stderr:
        fail(f"status {p.returncode}, {h.data_tries} tries: {p.stderr}")

elif case == "server-down":
    p, took, out = run(["--smtp", f"smtp://127.0.0.1:{free_port()}"])
    if p.returncode != 1 or "connect" not in p.stderr.lower() or took > 20:
        fail(f"status {p.returncode}, {took:.1f} s: {p.stderr}")
    if not os.path.getsize(os.path.join(out, "park-2023.pdf")):
        fail("the PDF is gone")

elif case == "server-stalls":
    h = Handler(stall=30)
    p, took, out, url = served(h, ["--smtp-timeout", "2", "--smtp-retries", "0"])
    if p.returncode != 1 or took > 15 or "timeout" not in p.stderr.lower().replace("timed out", "timeout"):
        fail(f"status {p.returncode}, {took:.1f} s: {p.stderr}")

elif case == "batch-goes-on":
    h = Handler(data_answers=["554 5.7.1 Rejected"])
    inputs = []
    for name in ("a-first", "b-second"):
        path = os.path.join(work, f"{name}.xml")
        shutil.copy(seed, path)
        inputs.append(path)
    p, took, out, url = served(h, ["-j", "1"], inputs=inputs)
    if p.returncode != 1 or len(h.messages) != 1:
        fail(f"status {p.returncode}, {len(h.messages)} messages: {p.stderr}")
    if "a-first.xml: error: cannot send the mail" not in p.stderr or "1 written, 1 failed" not in p.stderr:
        fail(p.stderr)
    if "b-second.xml: mailed to" not in p.stdout:
        fail(p.stdout)

elif case == "dry-run":
    drafts = os.path.join(work, "drafts")
    p, took, out = run(["--mail-dry-run", drafts, "--mail-attach", "xlsx,pdf"])
    if p.returncode != 0:
        fail(p.stderr)
    data = open(os.path.join(drafts, "park-2023.eml"), "rb").read()
    check_received(data, out)
    if any(len(line) > 998 for line in data.split(b"\r\n")) or b"\n" in data.replace(b"\r\n", b""):
        fail("a line too long, or a bare line feed")
    if any(b > 127 for b in data):
        fail("8-bit bytes in the message")
    again, _, _ = run(["--mail-dry-run", drafts, "--mail-attach", "xlsx,pdf"])
    if open(os.path.join(drafts, "park-2023.eml"), "rb").read() != data:
        fail("a second dry run with SOURCE_DATE_EPOCH gave other bytes")

elif case == "url-credentials":
    # A password in the URL is refused before any connection, and never printed.
    h = Handler()
    c, url = start(h)
    try:
        secret_url = url.replace("smtp://", f"smtp://{USER}:{PASSWORD}@")
        p, took, out = run(["--smtp", secret_url])
    finally:
        c.stop()
    if p.returncode != 2 or h.messages or h.data_tries:
        fail(f"status {p.returncode}, {len(h.messages)} messages: {p.stderr}")
    if PASSWORD in p.stdout + p.stderr or USER in p.stdout + p.stderr:
        fail(f"the URL's credentials were printed: {p.stderr}")
    if "PARKREPORT_SMTP_USER and PARKREPORT_SMTP_PASSWORD, or in ~/.netrc" not in p.stderr:
        fail(p.stderr)

elif case == "no-auth-without-tls":
    # A server that offers AUTH but not STARTTLS: the credentials are not
    # tried, nothing is sent, and the password is not printed.
    tried = []

    def recording(server, session, envelope, mechanism, auth_data):
        tried.append(mechanism)
        return AuthResult(success=True, handled=False)

    h = Handler()
    port = free_port()
    c = Controller(h, hostname="127.0.0.1", port=port, authenticator=recording,
                   auth_require_tls=False)
    c.start()
    try:
        p, took, out = run(["--smtp", f"smtp://127.0.0.1:{port}"], CREDENTIALS)
    finally:
        c.stop()
    if p.returncode != 1 or tried or h.messages or PASSWORD in p.stdout + p.stderr:
        fail(f"status {p.returncode}, AUTH tried {tried}, {len(h.messages)} messages: {p.stderr}")
    if "credentials are sent only over TLS" not in p.stderr:
        fail(p.stderr)

elif case == "display-names":
    # A quoted comma stays in its display name; both names reach the To header.
    h = Handler()
    p, _, out, url = served(h, [], mail_to='"Office, County" <county@example.gov.cn>, '
                                           '统计局 <stats@example.gov.cn>')
    if p.returncode != 0 or len(h.messages) != 1 or h.messages[0][1] != TO:
        fail(f"status {p.returncode}, {[m[1] for m in h.messages]}: {p.stderr}")
    m = email.message_from_bytes(h.messages[0][2], policy=email.policy.default)
    got = [(a.display_name, a.addr_spec) for a in m["To"].addresses]
    if got != [("Office, County", TO[0]), ("统计局", TO[1])]:
        fail(f"To: {got}")
    check_received(h.messages[0][2], out, attach=("xlsx",))

elif case == "data-in-headers":
    # Line breaks and tabs in the park's name reach neither a header nor a
    # file name (the loader folds them; a bidi control it refuses, and the
    # composer's own cleaning of each is in test_mail.c).
    path = os.path.join(work, "park-2023.xml")
    text = open(seed, encoding="utf-8").read()
    text = text.replace("<park>工业园区</park>",
                        "<park>工业园区&#10;&#10;Bcc: evil@x.cn&#13;&#10;xexe&#9;</park>", 1)
    open(path, "w", encoding="utf-8").write(text)
    h = Handler()
    p, _, out, url = served(h, ["--mail-attach", "pdf,xlsx"], inputs=[path])
    if p.returncode != 0 or len(h.messages) != 1 or h.messages[0][1] != TO:
        fail(f"status {p.returncode}, {[m[1] for m in h.messages]}: {p.stderr}")
    data = h.messages[0][2]
    head = data.split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0] for line in head.split(b"\r\n") if line[:1] not in (b" ", b"\t")]
    if names != [b"From", b"To", b"Subject", b"Date", b"Message-ID", b"User-Agent", b"MIME-Version",
                 b"Content-Type"]:
        fail(f"header lines: {names}")
    m = email.message_from_bytes(data, policy=email.policy.default)
    park = "工业园区 Bcc: evil@x.cn xexe"
    if m["Subject"] != f"{park}2023年度工作总结和2024年工作计划（含指标完成情况）":
        fail(f"subject: {m['Subject']!r}")
    files = {part.get_filename(): part.get_payload(decode=True) for part in m.iter_attachments()}
    want = {f"{park}2023年度指标完成情况.xlsx": "xlsx", f"{park}2023年度工作总结和2024年工作计划.pdf": "pdf"}
    if set(files) != set(want):
        fail(f"attachment names: {list(files)}")
    for name, kind in want.items():
        if files[name] != open(os.path.join(out, f"park-2023.{kind}"), "rb").read():
            fail(f"the {kind} attachment differs from the file written")

else:
    fail(f"unknown case {case}")
