# An SMTP server from Debian's python3-aiosmtpd that prints each message it
# accepts as one JSON line (envelope, data, whether the client logged in
# and used TLS): an implementation independent of Go's for the email
# output's tests.
#
#   smtp_sink.py PORT [--auth USER:PASSWORD] [--tls CERT KEY]
import argparse
import asyncio
import json
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--auth")
parser.add_argument("--tls", nargs=2)
args = parser.parse_args()


class Sink:
    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            "authenticated": bool(session.authenticated),
            "tls": session.ssl is not None,
        }), flush=True)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False)


params = {}
if args.auth:
    params.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
if args.tls:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls[0], args.tls[1])
    params.update(tls_context=context)
controller = Controller(Sink(), hostname="127.0.0.1", port=args.port, **params)
controller.start()
print("ready", flush=True)
try:
    asyncio.new_event_loop().run_forever()
finally:
    controller.stop()
