"""Clearly fictional seed data of the stand-in (run once, on an empty database).

Everything here is invented for the fictional municipality "Voorbeeldstad" (gemeentecode 9999,
postcodes 9999 AA - 9999 ZZ). BSNs are from the 99999xxxx test range and pass the 11-test;
names are obviously fictional. Dates that must stay "soon" (passport expiry, slots, waste dates)
are relative to the seed day.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from backend import db
from backend.settings import BackendSettings

TZ = ZoneInfo("Europe/Amsterdam")
GEMEENTE = {"code": "9999", "omschrijving": "Voorbeeldstad"}
WOONPLAATS = "Voorbeeldstad"
LOCATIE = "Stadhuis Voorbeeldstad, Voorbeeldplein 1"
SEED_NAMESPACE = uuid.UUID("0b9a7f3e-5d2c-4e8a-9c1b-7f6e5d4c3b2a")

#: Fictional residents: BSN -> (voornamen, voorvoegsel, geslachtsnaam, geboortedatum, geslacht, address
#: key, geheimhouding). Born 1959 (AOW soon), 1960, 1961, 2008 (finishes school), one with geheimhouding.
RESIDENTS: dict[str, tuple[str, str, str, str, str, str, bool]] = {
    "999990007": ("Anna", "", "Voorbeeld", "1959-12-20", "V", "9999AA-1", False),
    "999990019": ("Bert", "", "Testpersoon", "1960-03-05", "M", "9999AB-12-A", False),
    "999990020": ("Carla", "de", "Proef", "1961-07-14", "V", "9999AA-3", False),
    "999990032": ("Daan", "", "Fictief", "2008-06-15", "M", "9999BA-8", False),
    "999990044": ("Eva", "", "Geheimhouding", "1985-01-10", "V", "9999ZZ-5", True),
}

#: Addresses: key -> (straat, postcode, huisnummer, huisletter).
ADDRESSES: dict[str, tuple[str, str, int, str]] = {
    **{f"9999AA-{n}": ("Voorbeeldstraat", "9999AA", n, "") for n in range(1, 21)},
    **{f"9999AB-{n}": ("Proefweg", "9999AB", n, "") for n in range(10, 15)},
    "9999AB-12-A": ("Proefweg", "9999AB", 12, "A"),
    "9999BA-8": ("Schoolpad", "9999BA", 8, ""),
    "9999NA-2": ("Zuiderlaan", "9999NA", 2, ""),
    "9999ZZ-5": ("Verborgenlaan", "9999ZZ", 5, ""),
}

#: Travel documents: nummer -> (bsn, soort code, omschrijving, days from seed day until expiry).
TRAVEL_DOCUMENTS: dict[str, tuple[str, str, str, int]] = {
    "VB0000001": ("999990007", "PN", "Nationaal paspoort", 45),
    "VB0000002": ("999990019", "PN", "Nationaal paspoort", -30),
    "VB0000003": ("999990019", "NI", "Nederlandse identiteitskaart", 5 * 365),
    "VB0000004": ("999990020", "PN", "Nationaal paspoort", 200),
    "VB0000005": ("999990032", "PN", "Nationaal paspoort", 20),
    "VB0000006": ("999990044", "NI", "Nederlandse identiteitskaart", 60),
}

PRODUCTS = [
    ("paspoort", "Paspoort aanvragen", 15),
    ("identiteitskaart", "Identiteitskaart aanvragen", 15),
    ("rijbewijs", "Rijbewijs verlengen", 15),
    ("uittreksel-brp", "Uittreksel BRP", 10),
]

ZAAKTYPEN = [
    # identificatie, omschrijving, doorlooptijd (days), vertrouwelijkheid
    ("MELDING-OPENBARE-RUIMTE", "Melding openbare ruimte", 14, "openbaar"),
    ("AANVRAAG-PARKEERVERGUNNING", "Aanvraag parkeervergunning", 56, "zaakvertrouwelijk"),
    ("TERUGBELVERZOEK", "Terugbelverzoek", 3, "zaakvertrouwelijk"),
    ("VERHUIZING", "Verhuizing binnen de gemeente", 5, "zaakvertrouwelijk"),
]
STATUSTYPEN = [
    # volgnummer, omschrijving, generiek, statustekst, eindstatus
    (1, "Ontvangen", "ontvangen", "Wij hebben uw aanvraag ontvangen.", False),
    (2, "In behandeling", "in behandeling", "Een medewerker werkt aan uw aanvraag.", False),
    (3, "Afgehandeld", "afgehandeld", "Uw aanvraag is afgehandeld.", True),
]
#: Seed cases: identificatie -> (zaaktype identificatie, omschrijving, bsn, statussen reached, start offset).
ZAKEN: dict[str, tuple[str, str, str, int, int]] = {
    "Z-2026-000001": (
        "MELDING-OPENBARE-RUIMTE",
        "Losliggende stoeptegel Voorbeeldstraat",
        "999990007",
        2,
        -10,
    ),
    "Z-2026-000002": ("AANVRAAG-PARKEERVERGUNNING", "Parkeervergunning bewoners", "999990019", 1, -2),
    "Z-2026-000003": ("MELDING-OPENBARE-RUIMTE", "Kapotte lantaarnpaal Proefweg", "999990007", 3, -40),
}

WASTE = {
    # wijk -> afvalstroom -> (omschrijving, weekday 0=Mon, every n weeks, week offset)
    "noord": {
        "gft": ("Groente-, fruit- en tuinafval", 0, 2, 0),
        "restafval": ("Restafval", 0, 2, 1),
        "papier": ("Oud papier en karton", 2, 4, 0),
        "pmd": ("Plastic, metalen verpakkingen en drinkpakken", 3, 2, 0),
    },
    "zuid": {
        "gft": ("Groente-, fruit- en tuinafval", 1, 2, 1),
        "restafval": ("Restafval", 1, 2, 0),
        "papier": ("Oud papier en karton", 4, 4, 2),
        "pmd": ("Plastic, metalen verpakkingen en drinkpakken", 4, 2, 1),
    },
}


def seed_uuid(name: str) -> str:
    """Return a stable UUID for a seed object, so references survive a reseed."""
    return str(uuid.uuid5(SEED_NAMESPACE, name))


def working_days(start: date, count: int) -> list[date]:
    """Return the next ``count`` Dutch working days after ``start`` (no weekends, no holidays)."""
    nl_holidays = holidays.country_holidays("NL", years=range(start.year, start.year + 2))
    days: list[date] = []
    day = start
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in nl_holidays:
            days.append(day)
    return days


MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def _brp_date(value: date) -> dict[str, str]:
    """A BRP 2.x ``VolledigeDatum``; ``langFormaat`` as the BRP writes it (``1 juli 2018``)."""
    long_form = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return {"type": "Datum", "datum": value.isoformat(), "langFormaat": long_form}


def persoon_doc(bsn: str) -> dict[str, Any]:
    """Return the BRP 2.x ``Persoon`` document of a seed resident."""
    voornamen, voorvoegsel, naam, born, geslacht, address_key, geheim = RESIDENTS[bsn]
    straat, postcode, huisnummer, huisletter = ADDRESSES[address_key]
    volledig = " ".join(p for p in (voornamen, voorvoegsel, naam) if p)
    adres: dict[str, Any] = {
        "officieleStraatnaam": straat,
        "korteStraatnaam": straat,
        "huisnummer": huisnummer,
        "postcode": postcode,
        "woonplaats": WOONPLAATS,
    }
    if huisletter:
        adres["huisletter"] = huisletter
    doc: dict[str, Any] = {
        "burgerservicenummer": bsn,
        "naam": {
            "voornamen": voornamen,
            "geslachtsnaam": naam,
            "volledigeNaam": volledig,
            **({"voorvoegsel": voorvoegsel} if voorvoegsel else {}),
        },
        "geboorte": {"datum": _brp_date(date.fromisoformat(born))},
        "geslacht": {"code": geslacht, "omschrijving": "vrouw" if geslacht == "V" else "man"},
        "verblijfplaats": {"type": "Adres", "verblijfadres": adres},
        "gemeenteVanInschrijving": GEMEENTE,
    }
    if geheim:
        doc["geheimhoudingPersoonsgegevens"] = True
    return doc


def seed(engine: Engine, settings: BackendSettings, today: date | None = None) -> bool:
    """Fill an empty database with the fictional seed data.

    Args:
        engine: Engine of the stand-in database (tables exist).
        settings: Settings (the KCC actor UUID comes from here).
        today: Seed day (default: today).

    Returns:
        ``True`` when seeded, ``False`` when the database already had data.
    """
    today = today or date.today()
    with engine.begin() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(db.zaaktypen)).scalar():
            return False
        _seed_catalogi(conn)
        _seed_zaken(conn, today, settings.zgw_rsin)
        conn.execute(
            db.actoren.insert(),
            [
                {
                    "uuid": settings.klantinteracties_actor_uuid,
                    "naam": "Klantcontactcentrum Voorbeeldstad",
                    "soort_actor": "organisatorische_eenheid",
                    "indicatie_actief": True,
                },
                {
                    "uuid": seed_uuid("actor-assistent"),
                    "naam": "Digitale assistent",
                    "soort_actor": "geautomatiseerde_actor",
                    "indicatie_actief": True,
                },
            ],
        )
        conn.execute(db.personen.insert(), [{"bsn": bsn, "data": persoon_doc(bsn)} for bsn in RESIDENTS])
        conn.execute(
            db.reisdocumenten.insert(),
            [
                {
                    "reisdocumentnummer": nummer,
                    "bsn": bsn,
                    "data": {
                        "reisdocumentnummer": nummer,
                        "soort": {"code": code, "omschrijving": omschrijving},
                        "datumEindeGeldigheid": _brp_date(today + timedelta(days=days)),
                    },
                }
                for nummer, (bsn, code, omschrijving, days) in TRAVEL_DOCUMENTS.items()
            ],
        )
        conn.execute(
            db.adressen.insert(),
            [
                {
                    "nummeraanduiding_identificatie": f"9999200000{i:06d}",
                    "postcode": postcode,
                    "huisnummer": huisnummer,
                    "huisletter": huisletter,
                    "huisnummertoevoeging": "",
                    "straat": straat,
                    "woonplaats": WOONPLAATS,
                }
                for i, (straat, postcode, huisnummer, huisletter) in enumerate(ADDRESSES.values(), start=1)
            ],
        )
        _seed_afspraken(conn, today)
        _seed_waste(conn, today)
    return True


def _seed_catalogi(conn: sa.engine.Connection) -> None:
    for ident, omschrijving, days, vertrouwelijk in ZAAKTYPEN:
        zt = seed_uuid(f"zaaktype-{ident}")
        conn.execute(
            db.zaaktypen.insert().values(
                uuid=zt,
                identificatie=ident,
                omschrijving=omschrijving,
                doorlooptijd_dagen=days,
                vertrouwelijkheidaanduiding=vertrouwelijk,
            )
        )
        for volgnummer, oms, generiek, tekst, eind in STATUSTYPEN:
            conn.execute(
                db.statustypen.insert().values(
                    uuid=seed_uuid(f"statustype-{ident}-{volgnummer}"),
                    zaaktype_uuid=zt,
                    omschrijving=oms,
                    omschrijving_generiek=generiek,
                    statustekst=tekst,
                    volgnummer=volgnummer,
                    is_eindstatus=eind,
                )
            )
        conn.execute(
            db.roltypen.insert().values(
                uuid=seed_uuid(f"roltype-{ident}-initiator"),
                zaaktype_uuid=zt,
                omschrijving="Aanvrager",
                omschrijving_generiek="initiator",
            )
        )


def _seed_zaken(conn: sa.engine.Connection, today: date, rsin: str) -> None:
    doorloop = {ident: days for ident, _, days, _ in ZAAKTYPEN}
    vertrouwelijk = {ident: v for ident, _, _, v in ZAAKTYPEN}
    for identificatie, (zt_ident, omschrijving, bsn, reached, offset) in ZAKEN.items():
        zaak_uuid = seed_uuid(f"zaak-{identificatie}")
        start = today + timedelta(days=offset)
        conn.execute(
            db.zaken.insert().values(
                uuid=zaak_uuid,
                identificatie=identificatie,
                bronorganisatie=rsin,
                verantwoordelijke_organisatie=rsin,
                zaaktype_uuid=seed_uuid(f"zaaktype-{zt_ident}"),
                omschrijving=omschrijving,
                toelichting="Fictieve voorbeeldzaak.",
                registratiedatum=start,
                startdatum=start,
                einddatum=start + timedelta(days=5) if reached == len(STATUSTYPEN) else None,
                einddatum_gepland=start + timedelta(days=doorloop[zt_ident]),
                uiterlijke_einddatum_afdoening=start + timedelta(days=doorloop[zt_ident]),
                vertrouwelijkheidaanduiding=vertrouwelijk[zt_ident],
            )
        )
        last = None
        for volgnummer in range(1, reached + 1):
            last = seed_uuid(f"status-{identificatie}-{volgnummer}")
            gezet = datetime.combine(start + timedelta(days=volgnummer - 1), time(10, 0), TZ)
            conn.execute(
                db.statussen.insert().values(
                    uuid=last,
                    zaak_uuid=zaak_uuid,
                    statustype_uuid=seed_uuid(f"statustype-{zt_ident}-{volgnummer}"),
                    datum_status_gezet=gezet.isoformat(),
                    statustoelichting="",
                )
            )
        conn.execute(db.zaken.update().where(db.zaken.c.uuid == zaak_uuid).values(status_uuid=last))
        conn.execute(
            db.rollen.insert().values(
                uuid=seed_uuid(f"rol-{identificatie}"),
                zaak_uuid=zaak_uuid,
                roltype_uuid=seed_uuid(f"roltype-{zt_ident}-initiator"),
                betrokkene_type="natuurlijk_persoon",
                roltoelichting="Aanvrager",
                inp_bsn=bsn,
            )
        )


def _seed_afspraken(conn: sa.engine.Connection, today: date) -> None:
    conn.execute(db.producten.insert(), [{"code": c, "naam": n, "duur_minuten": d} for c, n, d in PRODUCTS])
    rows: list[dict[str, Any]] = []
    for day in working_days(today, 30):
        for code, _, minutes in PRODUCTS:
            for hour, minute in [(h, m) for h in (9, 10, 11, 13, 14, 15) for m in (0, 30)]:
                begin = datetime.combine(day, time(hour, minute), TZ)
                rows.append(
                    {
                        "id": f"{code}-{begin:%Y%m%d-%H%M}",
                        "product": code,
                        "begin": begin.isoformat(),
                        "eind": (begin + timedelta(minutes=minutes)).isoformat(),
                        "locatie": LOCATIE,
                        "afspraak": None,
                    }
                )
    conn.execute(db.tijdsloten.insert(), rows)
    # One existing appointment of the fictional resident Anna Voorbeeld.
    first = rows[0]
    referentie = f"A-{first['begin'][:4]}-00001"
    conn.execute(
        db.afspraken.insert().values(
            referentie=referentie,
            product=first["product"],
            tijdslot_id=first["id"],
            naam="Anna Voorbeeld",
            email="anna.voorbeeld@example.org",
            telefoon="",
            status="gepland",
        )
    )
    conn.execute(db.tijdsloten.update().where(db.tijdsloten.c.id == first["id"]).values(afspraak=referentie))


def _seed_waste(conn: sa.engine.Connection, today: date) -> None:
    monday = today - timedelta(days=today.weekday())
    rows = []
    for wijk, streams in WASTE.items():
        for stream, (omschrijving, weekday, every, offset) in streams.items():
            for week in range(-2, 13):
                if (week - offset) % every:
                    continue
                rows.append(
                    {
                        "wijk": wijk,
                        "afvalstroom": stream,
                        "omschrijving": omschrijving,
                        "datum": monday + timedelta(weeks=week, days=weekday),
                    }
                )
    conn.execute(db.ophaaldagen.insert(), rows)
