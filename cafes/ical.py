"""iCalendar (RFC 5545) with the `icalendar` library: the feeds, and the .ics of one registration.

Feeds carry only what the public page shows; the online link goes only to a confirmed
participant's own .ics, never to a feed.
"""

from flask import current_app
from icalendar import Calendar, Event, vText

from lms.models import utcnow

PRODID = "-//Café IA Formation//Agenda des Cafés IA//FR"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(cafe, registration=None) -> Event:
    from . import services

    base = current_app.config["BASE_URL"]
    event = Event()
    event.add("uid", f"cafe-{cafe.id}@{base.split('://', 1)[-1]}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", services.start_of(cafe))
    event.add("dtend", services.end_of(cafe))
    event.add("summary", f"Café IA : {cafe.title}")
    event.add("url", f"{base}/cafes/{cafe.id}")
    if cafe.format != "en_ligne":
        place = ", ".join(p for p in (cafe.structure, cafe.address, cafe.commune) if p)
        event.add("location", vText(f"{place} ({cafe.departement_code})"))
    else:
        event.add("location", "En ligne")
    lines = [cafe.description, "Gratuit, ouvert à toutes et à tous."]
    if registration is not None:
        link = services.where(cafe, registration)
        lines.append(link)
    event.add("description", "\n\n".join(line for line in lines if line))
    event.add("status", "CANCELLED" if cafe.cancelled_at else "CONFIRMED")
    return event


def feed(name: str, cafes) -> bytes:
    calendar = _calendar(name)
    for cafe in cafes:
        calendar.add_component(_event(cafe))
    return calendar.to_ical()


def single(cafe, registration) -> bytes:
    calendar = _calendar(f"Café IA : {cafe.title}")
    calendar.add_component(_event(cafe, registration))
    return calendar.to_ical()
