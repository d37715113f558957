"""Login and one-time-code verification under concurrent clients, through the real server.

Builds a fresh PostgreSQL database with employees (argon2id passwords, the product's hasher),
starts gunicorn as `make run` does, and drives it from CLIENTS threads for SECONDS each:
  * login: GET the login page (CSRF token), POST username + password → 302; the POST is timed;
  * code verification: the app's registration API, POST start (a code is sent) then POST the
    code read from the outbox; the verification POST is timed.
Rate limits that key on the client address are raised, since all load comes from 127.0.0.1.

    .venv/bin/python bench/bench_identity.py [--clients 20] [--seconds 15]
"""

import argparse
import os
import re
import subprocess
import sys
import threading
import time

from httpbench import ROOT, UNLIMITED, call, load, server, session

# Its own database, dropped and created again on every run (never the benchmark world's).
DB_URL = os.environ.get("BENCH_IDENTITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/selfcare_benchid")
PASSWORD = "orso-bruno-in-montagna"  # noqa: S105 (the benchmark users' password)
ENV = {**os.environ, **UNLIMITED, "DATABASE_URL": DB_URL, "DEMO": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}


def setup(users: int) -> list[str]:
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    name = DB_URL.rsplit("/", 1)[1]
    subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
                   check=True)  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=ENV, check=True)
    script = f"""
from decimal import Decimal
from stdnum import luhn
from selfcare.accounts.models import User
from selfcare.catalog.models import Offer
from selfcare.customers.models import Company
from selfcare.lines.models import Line
import datetime
body = "1234567015"
company = Company.objects.create(name="Bench S.p.A.", vat_number=body + luhn.calc_check_digit(body),
    fiscal_code=body + luhn.calc_check_digit(body), heritage="WINDTRE", segment="GA", legal_rep_first_name="A",
    legal_rep_last_name="B", legal_rep_birth_date=datetime.date(1970, 1, 1), legal_rep_fiscal_code="RSSMRA70A01H501S",
    legal_rep_email="a@example.it", legal_rep_mobile="+393400000000")
offer = Offer.objects.create(code="bench", name="Bench", kind="postpaid", monthly_fee=Decimal("10"))
lines = Line.objects.bulk_create([Line(company=company, number=f"+39347{{i:07d}}", kind="mobile", offer=offer)
    for i in range(20000)])
user = User(username="x", role="employee", company=company, line=lines[0])
user.set_password("{PASSWORD}")
hashed = user.password
User.objects.bulk_create([User(username=line.number[3:], role="employee", company=company, line=line,
    password=hashed) for line in lines[:{users}]])
"""
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=ENV, check=True)
    return [f"347{i:07d}" for i in range(users)]


def run(name, clients, seconds, iteration):
    r = load(clients, seconds, iteration)
    print(
        f"{name:<22} {r['rate']:7.1f} req/s   p50 {r['p50']:6.1f} ms   p95 {r['p95']:6.1f} ms   "
        f"p99 {r['p99']:6.1f} ms   {r['ok']} ok, {r['errors']} errors"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    usernames = setup(users=200)
    with server(ENV):

        def login(index, n):
            opener, jar = session()
            _, page = call(opener, "/account/accedi/")
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
            started = time.monotonic()
            username = usernames[(index * 997 + n) % len(usernames)]
            status, _ = call(opener, "/account/accedi/", {"login": username, "password": PASSWORD,
                                                          "csrfmiddlewaretoken": token})  # fmt: skip
            return status == 302, time.monotonic() - started

        sys.path.insert(0, str(ROOT))
        os.environ.update({k: ENV[k] for k in ("DATABASE_URL", "DEMO", "DJANGO_SETTINGS_MODULE")})
        import django

        django.setup()
        from selfcare.notifications.models import OutboxMessage

        counter = iter(range(200, 20000))
        counter_lock = threading.Lock()

        def verify(index, n):
            with counter_lock:
                number = f"+39347{next(counter):07d}"
            opener, _ = session()
            start = {"number": number, "email": "b@example.it"}
            call(opener, "/api/v1/account/registration/employee/start/", json_body=start)
            sent = OutboxMessage.objects.filter(recipient=number).values_list("body", flat=True)
            body = sent.first() or ""
            code = re.search(r"\b(\d{6})\b", body).group(1)
            started = time.monotonic()
            status, _ = call(opener, "/api/v1/account/registration/employee/code/", json_body={"code": code})
            return status == 200, time.monotonic() - started

        print(
            f"{args.clients} concurrent clients, {args.seconds:.0f} s each, gunicorn 2 workers x 4 threads, PostgreSQL"
        )
        run("login (POST)", args.clients, args.seconds, login)
        run("code verify (POST)", args.clients, args.seconds, verify)


if __name__ == "__main__":
    main()
