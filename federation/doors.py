"""Doors: how Pantau hands a report to another jurisdiction's own system and reads its status back.

``Door`` is the interface, one class per protocol. ``Open311Door`` (GeoReport v2) is the first; a
SP4N-LAPOR! door can be added as another class once the city holds LAPOR!'s developer credentials (its
integration API is documented only to registered developers). A door never decides what happens to the
report here: it sends, finds and reads, and raises ``DoorError`` saying whether a retry could help.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

from db.models import DOOR_PROTOCOLS as PROTOCOLS  # the protocols a door row may name, one list

EXTERNAL_ID = "external_id"  # the Open311 attribute carrying Pantau's tracking code: the remote's idempotency key


class DoorError(Exception):
    """Sending or reading failed; ``permanent`` when trying the same again cannot help (a 4xx answer)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """What is sent of a report: never its reporter. ``description`` and ``media_url`` are None for a
    confidential report (see ``federation/worker.py``)."""

    code: str  # Pantau's tracking code
    service_code: str  # the remote's, from the door's mapping
    lat: float | None
    lon: float | None
    address: str | None
    description: str
    media_url: str | None
    confidential: bool


@dataclass(frozen=True)
class RemoteStatus:
    remote_id: str
    closed: bool
    notes: str | None
    media_url: str | None


class Door(ABC):
    """One destination system."""

    @abstractmethod
    def find(self, code: str) -> str | None:
        """The remote id of the report Pantau sent with tracking code ``code``, or None when it has none."""

    @abstractmethod
    def send(self, report: Outgoing) -> str:
        """Create the report there; its remote id."""

    @abstractmethod
    def statuses(self, remote_ids: Sequence[str]) -> list[RemoteStatus]:
        """The current status of each of ``remote_ids`` that the remote knows."""


class Open311Door(Door):
    """An Open311 GeoReport v2 endpoint (``base_url`` ends where ``requests.json`` begins)."""

    def __init__(self, base_url: str, api_key: str, jurisdiction_id: str | None = None, timeout_s: float = 10):
        self.base_url = base_url.rstrip("/") + "/"
        self.api_key = api_key
        self.jurisdiction_id = jurisdiction_id
        self.timeout_s = timeout_s

    def _call(self, method: str, params: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        url = self.base_url + "requests.json"
        if self.jurisdiction_id:
            params = {**params, "jurisdiction_id": self.jurisdiction_id}
        try:
            if method == "POST":
                answer = requests.post(url, data=params, headers=headers, timeout=self.timeout_s)
            else:
                answer = requests.get(url, params=params, timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise DoorError(f"{url} cannot be reached: {type(exc).__name__}") from None
        if answer.status_code >= 400:
            raise DoorError(
                f"{url} answered {answer.status_code}: {_description(answer)}", permanent=answer.status_code < 500
            )
        try:
            return answer.json()
        except ValueError:
            raise DoorError(f"{url} answered {answer.status_code} without JSON") from None

    def find(self, code: str) -> str | None:
        # A Pantau remote filters by the attribute; any other returns a list we look through ourselves.
        found = self._call("GET", {"api_key": self.api_key, EXTERNAL_ID: code, "extensions": "true"})
        for item in found if isinstance(found, list) else []:
            extra = item.get("extended_attributes") or {}
            if isinstance(item, dict) and extra.get(EXTERNAL_ID) == code and item.get("service_request_id"):
                return str(item["service_request_id"])
        return None

    def send(self, report: Outgoing) -> str:
        params: dict[str, Any] = {
            "api_key": self.api_key,
            "service_code": report.service_code,
            "description": report.description,
            f"attribute[{EXTERNAL_ID}]": report.code,
        }
        if report.lat is not None and report.lon is not None:
            params.update(lat=report.lat, long=report.lon)
        if report.address:
            params["address_string"] = report.address
        if report.media_url:
            params["media_url"] = report.media_url
        if report.confidential:
            params["confidential"] = "true"  # Pantau's extension: a Pantau remote never lists it either
        answer = self._call("POST", params, {"Idempotency-Key": f"pantau-{report.code}"})
        first = answer[0] if isinstance(answer, list) and answer else {}
        remote_id = first.get("service_request_id") if isinstance(first, dict) else None
        if not remote_id:
            raise DoorError(f"{self.base_url} accepted the report without a service_request_id", permanent=True)
        return str(remote_id)

    def statuses(self, remote_ids: Sequence[str]) -> list[RemoteStatus]:
        found = self._call(
            "GET", {"api_key": self.api_key, "service_request_id": ",".join(remote_ids), "extensions": "true"}
        )
        out = []
        for item in found if isinstance(found, list) else []:
            if not isinstance(item, dict) or not item.get("service_request_id"):
                continue
            extra = item.get("extended_attributes") or {}
            photos = extra.get("completion_photo_urls") or []
            out.append(
                RemoteStatus(
                    remote_id=str(item["service_request_id"]),
                    closed=item.get("status") == "closed",
                    notes=item.get("status_notes") or None,
                    media_url=(photos[-1] if photos else None) or item.get("media_url") or None,
                )
            )
        return out


def _description(answer: requests.Response) -> str:
    """The remote's own error description (Open311: a list of {code, description}), kept short."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200] or answer.reason
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("description") or body[0])[:500]
    return str(body)[:500]


def open_door(protocol: str, base_url: str, api_key: str, jurisdiction_id: str | None, timeout_s: float) -> Door:
    """The door class of ``protocol``."""
    if protocol == "open311":
        return Open311Door(base_url, api_key, jurisdiction_id, timeout_s)
    raise DoorError(f"unknown door protocol {protocol!r}; known: {', '.join(PROTOCOLS)}", permanent=True)
