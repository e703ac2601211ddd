"""The four roles of the portal for locust: what each does after logging in once.

Used by ``bench.http_load`` (locust as a library); the accounts and ids come from
``configure``. Each simulated person logs in over HTTP in ``on_start`` (password, then TOTP
for coordinators and contact persons) with an account and visitor address of their own, then
repeats its tasks with no pause: a concurrent user here is one request loop.

The portal's cookies are ``Secure`` and the benchmark speaks plain HTTP on loopback as the
TLS proxy does; the cookie jar keeps them but would not send them, so each request carries
them in its Cookie header itself.
"""

import itertools
import random
import re
import threading

from locust import HttpUser, constant, task

from bench.http_harness import PASSWORD, csrf, form_fields, totp_code, visitor_address

PRESENT = "present"
WORLD: dict = {}
_accounts: dict[str, itertools.count] = {}
_lock = threading.Lock()
_visitors = itertools.count(1000)


def configure(world: dict) -> None:
    """Accounts per role and the ids of the content, from ``bench.http_seed load``."""
    WORLD.clear()
    WORLD.update(world)
    _accounts.clear()
    _accounts.update({role: itertools.count() for role in world["roles"]})


def _next_account(role: str) -> str:
    with _lock:
        return WORLD["roles"][role][next(_accounts[role])]


class Person(HttpUser):
    abstract = True
    wait_time = constant(0)
    role = ""
    needs_totp = False

    def on_start(self):
        origin = self.host.replace("http://", "https://")
        with _lock:
            address = visitor_address(next(_visitors))
        self.client.headers.update(
            {"X-Forwarded-Proto": "https", "X-Forwarded-For": address, "Origin": origin}
        )
        self.origin = origin
        self.email = _next_account(self.role)
        page = self.page("/accounts/login/", "login")
        response = self.post(
            "/accounts/login/",
            {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf(page.text)},
            name="login",
        )
        if self.needs_totp:
            step = response.headers["Location"]
            page = self.page(step, "login")
            response = self.post(
                step,
                {
                    "code": totp_code(WORLD["secrets"][self.email]),
                    "csrfmiddlewaretoken": csrf(page.text),
                },
                name="login",
            )
        if response.headers.get("Location") != "/":
            raise RuntimeError(
                f"login of {self.email}: {response.status_code} {response.text[:2000]}"
            )
        self.page("/", "login")
        WORLD["logged_in"].add(self.email)
        self.begin()

    def begin(self):
        pass

    def post(self, path: str, fields: dict, *, name: str):
        """A form's POST, answered by a redirect (the portal's answer to every saved form)."""
        with self.client.post(
            path,
            data=fields,
            headers={"Referer": self.origin + path, "Cookie": self.cookie_header()},
            allow_redirects=False,
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"POST {path} answered {response.status_code}")
            return response

    def page(self, path: str, name: str):
        with self.client.get(
            path, name=name, headers={"Cookie": self.cookie_header()}, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"GET {path} answered {response.status_code}")
            return response

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.client.cookies)


class Participant(Person):
    """Home, the catalogue, their trainings, a run, the calendar and its feed, a reflection."""

    weight = 6
    role = "deelnemer"

    def begin(self):
        page = self.page("/trainingen/agenda/", "participant: feed settings")
        self.feed = re.search(r"(/trainingen/agenda/[^\"<\s]+\.ics)", page.text).group(1)
        page = self.page("/trainingen/mijn/", "participant: my trainings")
        self.plans = sorted(
            set(re.findall(r"/trainingen/inschrijvingen/(\d+)/ontwikkelplan/", page.text))
        )
        self.runs = sorted(set(re.findall(r"/trainingen/uitvoeringen/(\d+)/", page.text)))

    @task(3)
    def home(self):
        self.page("/", "participant: home")

    @task(3)
    def catalogue(self):
        self.page("/trainingen/", "participant: catalogue")

    @task(3)
    def my_trainings(self):
        self.page("/trainingen/mijn/", "participant: my trainings")

    @task(3)
    def run_page(self):
        self.page(f"/trainingen/uitvoeringen/{random.choice(self.runs)}/", "participant: run")

    @task(2)
    def calendar(self):
        self.page("/trainingen/kalender/", "participant: calendar")

    @task(2)
    def ical(self):
        self.page(self.feed, "participant: iCal feed")

    @task(1)
    def reflection(self):
        plan = self.page(
            f"/trainingen/inschrijvingen/{random.choice(self.plans)}/ontwikkelplan/",
            "participant: development plan",
        )
        links = re.findall(
            r"(/trainingen/inschrijvingen/\d+/bijeenkomsten/\d+/reflectie/)", plan.text
        )
        if not links:
            return
        path = links[0]
        form = self.page(path, "participant: reflection form")
        fields = form_fields(form.text, "")
        fields["struck_me"] = "Hoe snel signalen bij de gemeente binnenkomen."
        fields["will_apply"] = "Ik meld voortaan via het portaal."
        self.post(path, fields, name="participant: reflection save")


class Coordinator(Person):
    """The programme dashboard, a run's page, its register and the attendance."""

    weight = 2
    role = "coordinator"
    needs_totp = True

    @task(2)
    def dashboard(self):
        self.page(
            f"/trainingen/programma/{WORLD['programme_id']}/dashboard/",
            "coordinator: programme dashboard",
        )

    @task(3)
    def run_page(self):
        run = random.choice(WORLD["run_ids"])
        self.page(f"/trainingen/uitvoeringen/{run}/", "coordinator: run")

    @task(2)
    def attendance(self):
        path = f"/trainingen/uitvoeringen/{random.choice(WORLD['run_ids'])}/deelnemers/"
        page = self.page(path, "coordinator: register")
        fields = form_fields(page.text, "")
        fields.update({name: PRESENT for name in set(re.findall(r'name="(e\d+)"', page.text))})
        self.post(path, fields, name="coordinator: attendance save")


class ContactPerson(Person):
    """The signal queue, a signal, and a note on it (the triage step every signal gets)."""

    weight = 1
    role = "contactpersoon"
    needs_totp = True

    @task(3)
    def queue(self):
        self.page("/signalen/", "contact person: queue")

    def open_signal(self):
        """The queue, then one of the signals on it: its path and page."""
        page = self.page("/signalen/", "contact person: queue")
        signal = random.choice(re.findall(r'href="(/signalen/\d+/)"', page.text))
        return signal, self.page(signal, "contact person: signal")

    @task(3)
    def detail(self):
        self.open_signal()

    @task(1)
    def note(self):
        signal, detail = self.open_signal()
        action = signal + "notitie/"
        fields = form_fields(detail.text, action)
        fields["note-text"] = "Gebeld met de wijkagent; hij kent het pand."
        self.post(action, fields, name="contact person: note")


class Reporter(Person):
    """Someone reporting a signal: the form, then sending it."""

    weight = 1
    role = "melder"

    @task
    def report(self):
        page = self.page("/signalen/melden/", "reporter: report form")
        fields = form_fields(page.text, "")
        fields.update(
            {
                "description": "Achter de kapperszaak worden 's nachts dozen uitgeladen.",
                "location": "Marktplein 3",
                "organisation": str(WORLD["organisation_id"]),
                "category": re.search(
                    r'<option value="(\d+)"', page.text.split('name="category"')[1]
                ).group(1),
            }
        )
        self.post("/signalen/melden/", fields, name="reporter: report send")


ROLES = [Participant, Coordinator, ContactPerson, Reporter]
