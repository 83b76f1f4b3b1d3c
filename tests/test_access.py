"""The access boundary: every URL pattern, and a permission matrix per view (NetBox style)."""

from __future__ import annotations

import importlib
import re

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.base import ContractTestCase

# Pages anyone may reach without a contract role; each is checked for foreign data below.
PUBLIC = {"accounts:login", "accounts:logout", "set_language", "published:index", "published:feed"}
USER_SCOPED = {"dashboard", "contracts:create", "provisions:list", "provisions:upload"}


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    """Every (route, name) of the project, with namespaces."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}"


class EveryUrlTests(ContractTestCase):
    def _params(self, namespace: str) -> dict[str, int]:
        """The objects a namespace's URL parameters name: always ones the outsider has no part in.

        An app whose URLs name further objects provides `tests/<app>/objects.py` with
        `url_params(world) -> dict[str, int]`; a parameter nobody provides fails this test.
        """
        cache = self.__dict__.setdefault("_param_cache", {})
        if namespace not in cache:
            cache[namespace] = self._make_params(namespace)
        return cache[namespace]

    def _make_params(self, namespace: str) -> dict[str, int]:
        params = {"pk": self.contract.pk}
        if namespace == "provisions":
            params["pk"] = self.world.provisions.pk
        try:
            module = importlib.import_module(f"tests.{namespace}.objects")
        except ModuleNotFoundError:
            return params
        return {**params, **module.url_params(self.world)}

    def _url(self, route: str, name: str) -> str:
        params = self._params(name.split(":")[0])

        def fill(match: re.Match) -> str:
            self.assertIn(match.group(1), params, f"{name}: tests/<app>/objects.py must provide {match.group(1)}")
            return str(params[match.group(1)])

        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)

    def test_foreign_organisation_never_gets_data(self) -> None:
        checked = 0
        for user in (self.world.outsider, self.world.foreign_responsible):
            client = self.client_for(user)
            for route, name in walk():
                if name in PUBLIC or route.startswith("static"):
                    continue
                url = self._url(route, name)
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    body = response.content.decode(errors="replace")
                    if name in USER_SCOPED:
                        self.assertNotIn(self.contract.number, body, f"{method} {url} as {user}")
                        self.assertNotIn(self.contract.title, body, f"{method} {url} as {user}")
                    elif response.status_code != 405:
                        self.assertIn(response.status_code, (403, 404), f"{method} {url} as {user}")
                    checked += 1
        self.assertGreater(checked, 20)

    def test_anonymous_is_sent_to_login(self) -> None:
        client = Client()
        for route, name in walk():
            if name in PUBLIC:
                continue
            response = client.get(self._url(route, name))
            self.assertEqual(response.status_code, 302, name)
            self.assertIn("/accounts/login/", response["Location"])


class ContractViewMatrixTests(ContractTestCase):
    """Expected status per role; `colleague` is staff of the same authority without a role on the contract."""

    GET = {
        "": (200, 200, 200, 200, 404, 404),
        "ledger/": (200, 200, 200, 403, 404, 404),
        "provisions.pdf": (200, 200, 200, 200, 404, 404),
    }
    POST = {
        "acknowledge/": (403, 403, 302, 403, 404, 404),
        "decide/": (302, 403, 403, 403, 404, 404),
        "end/": (302, 403, 403, 403, 404, 404),
        "terminate/": (302, 403, 403, 403, 404, 404),
        "roles/": (302, 403, 302, 403, 404, 404),
        "provisions/attach/": (302, 403, 403, 403, 404, 404),
    }

    def test_get(self) -> None:
        self.assert_matrix("get", "", self.GET)

    def test_post(self) -> None:
        self.assert_matrix("post", "", self.POST)

    def test_worker_page_hides_controls_and_ledger_link(self) -> None:
        body = self.client_for(self.world.worker).get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn("再委託の制限", body)
        self.assertNotIn(f"/contracts/{self.contract.pk}/ledger/", body)
        self.assertNotIn("contract.laws_recorded", body)


class AuthorityPagesTests(ContractTestCase):
    def test_create_and_provisions_are_for_authority_staff(self) -> None:
        for user, expected in ((self.world.supervisor, 200), (self.world.responsible, 403)):
            client = self.client_for(user)
            self.assertEqual(client.get("/contracts/new/").status_code, expected)
            self.assertEqual(client.get("/provisions/").status_code, expected)
            self.assertEqual(client.get(f"/provisions/{self.world.provisions.pk}/").status_code, expected)
        outsider = self.client_for(self.world.outsider)
        self.assertEqual(outsider.get(f"/provisions/{self.world.provisions.pk}/").status_code, 404)
