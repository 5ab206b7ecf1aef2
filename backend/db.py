"""Tables of the stand-in backend (SQLAlchemy 1.4 Core, own metadata, own database)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

metadata = sa.MetaData()

# --- ZGW Catalogi -------------------------------------------------------------------------------
zaaktypen = sa.Table(
    "zaaktypen",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("identificatie", sa.String(50), nullable=False, unique=True),
    sa.Column("omschrijving", sa.String(80), nullable=False),
    sa.Column("doorlooptijd_dagen", sa.Integer, nullable=False),
    sa.Column("vertrouwelijkheidaanduiding", sa.String(40), nullable=False),
)
statustypen = sa.Table(
    "statustypen",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("zaaktype_uuid", sa.String(36), sa.ForeignKey("zaaktypen.uuid"), nullable=False),
    sa.Column("omschrijving", sa.String(80), nullable=False),
    sa.Column("omschrijving_generiek", sa.String(80), nullable=False),
    sa.Column("statustekst", sa.String(1000), nullable=False),
    sa.Column("volgnummer", sa.Integer, nullable=False),
    sa.Column("is_eindstatus", sa.Boolean, nullable=False),
)
roltypen = sa.Table(
    "roltypen",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("zaaktype_uuid", sa.String(36), sa.ForeignKey("zaaktypen.uuid"), nullable=False),
    sa.Column("omschrijving", sa.String(100), nullable=False),
    sa.Column("omschrijving_generiek", sa.String(40), nullable=False),
)

# --- ZGW Zaken ----------------------------------------------------------------------------------
zaken = sa.Table(
    "zaken",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("identificatie", sa.String(40), nullable=False, unique=True),
    sa.Column("bronorganisatie", sa.String(9), nullable=False),
    sa.Column("verantwoordelijke_organisatie", sa.String(9), nullable=False),
    sa.Column("zaaktype_uuid", sa.String(36), sa.ForeignKey("zaaktypen.uuid"), nullable=False),
    sa.Column("omschrijving", sa.String(80), nullable=False, default=""),
    sa.Column("toelichting", sa.String(1000), nullable=False, default=""),
    sa.Column("registratiedatum", sa.Date, nullable=False),
    sa.Column("startdatum", sa.Date, nullable=False),
    sa.Column("einddatum", sa.Date, nullable=True),
    sa.Column("einddatum_gepland", sa.Date, nullable=True),
    sa.Column("uiterlijke_einddatum_afdoening", sa.Date, nullable=True),
    sa.Column("vertrouwelijkheidaanduiding", sa.String(40), nullable=False),
    sa.Column("status_uuid", sa.String(36), nullable=True),
)
statussen = sa.Table(
    "statussen",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("zaak_uuid", sa.String(36), sa.ForeignKey("zaken.uuid"), nullable=False),
    sa.Column("statustype_uuid", sa.String(36), sa.ForeignKey("statustypen.uuid"), nullable=False),
    sa.Column("datum_status_gezet", sa.String(40), nullable=False),
    sa.Column("statustoelichting", sa.String(1000), nullable=False, default=""),
)
rollen = sa.Table(
    "rollen",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("zaak_uuid", sa.String(36), sa.ForeignKey("zaken.uuid"), nullable=False),
    sa.Column("roltype_uuid", sa.String(36), sa.ForeignKey("roltypen.uuid"), nullable=False),
    sa.Column("betrokkene_type", sa.String(40), nullable=False),
    sa.Column("roltoelichting", sa.String(1000), nullable=False, default=""),
    sa.Column("inp_bsn", sa.String(9), nullable=True, index=True),
)

# --- Klantinteracties ---------------------------------------------------------------------------
actoren = sa.Table(
    "actoren",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("naam", sa.String(200), nullable=False),
    sa.Column("soort_actor", sa.String(40), nullable=False),
    sa.Column("indicatie_actief", sa.Boolean, nullable=False, default=True),
)
klantcontacten = sa.Table(
    "klantcontacten",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("nummer", sa.String(10), nullable=False, unique=True),
    sa.Column("kanaal", sa.String(50), nullable=False),
    sa.Column("onderwerp", sa.String(200), nullable=False),
    sa.Column("inhoud", sa.Text, nullable=False, default=""),
    sa.Column("taal", sa.String(3), nullable=False),
    sa.Column("vertrouwelijk", sa.Boolean, nullable=False),
    sa.Column("plaatsgevonden_op", sa.String(40), nullable=False),
    sa.Column("indicatie_contact_gelukt", sa.Boolean, nullable=True),
)
internetaken = sa.Table(
    "internetaken",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("nummer", sa.String(10), nullable=False, unique=True),
    sa.Column("gevraagde_handeling", sa.String(200), nullable=False),
    sa.Column("klantcontact_uuid", sa.String(36), sa.ForeignKey("klantcontacten.uuid"), nullable=False),
    sa.Column("actor_uuids", sa.JSON, nullable=False),
    sa.Column("toelichting", sa.Text, nullable=False, default=""),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("toegewezen_op", sa.String(40), nullable=False),
    sa.Column("afgehandeld_op", sa.String(40), nullable=True),
)

# --- BRP, Reisdocumenten, BAG -------------------------------------------------------------------
personen = sa.Table(
    "personen",
    metadata,
    sa.Column("bsn", sa.String(9), primary_key=True),
    sa.Column("data", sa.JSON, nullable=False),  # a BRP 2.x Persoon without derived fields
)
reisdocumenten = sa.Table(
    "reisdocumenten",
    metadata,
    sa.Column("reisdocumentnummer", sa.String(9), primary_key=True),
    sa.Column("bsn", sa.String(9), nullable=False, index=True),
    sa.Column("data", sa.JSON, nullable=False),
)
adressen = sa.Table(
    "adressen",
    metadata,
    sa.Column("nummeraanduiding_identificatie", sa.String(16), primary_key=True),
    sa.Column("postcode", sa.String(6), nullable=False, index=True),
    sa.Column("huisnummer", sa.Integer, nullable=False),
    sa.Column("huisletter", sa.String(1), nullable=False, default=""),
    sa.Column("huisnummertoevoeging", sa.String(4), nullable=False, default=""),
    sa.Column("straat", sa.String(80), nullable=False),
    sa.Column("woonplaats", sa.String(80), nullable=False),
)

# --- Appointments and waste ---------------------------------------------------------------------
producten = sa.Table(
    "producten",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("naam", sa.String(200), nullable=False),
    sa.Column("duur_minuten", sa.Integer, nullable=False),
)
tijdsloten = sa.Table(
    "tijdsloten",
    metadata,
    sa.Column("id", sa.String(80), primary_key=True),
    sa.Column("product", sa.String(40), sa.ForeignKey("producten.code"), nullable=False),
    sa.Column("begin", sa.String(40), nullable=False, index=True),  # ISO 8601 with offset
    sa.Column("eind", sa.String(40), nullable=False),
    sa.Column("locatie", sa.String(200), nullable=False),
    sa.Column("afspraak", sa.String(20), nullable=True),
)
afspraken = sa.Table(
    "afspraken",
    metadata,
    sa.Column("referentie", sa.String(20), primary_key=True),
    sa.Column("product", sa.String(40), nullable=False),
    sa.Column("tijdslot_id", sa.String(80), nullable=False),
    sa.Column("naam", sa.String(200), nullable=False),
    sa.Column("email", sa.String(254), nullable=False, default=""),
    sa.Column("telefoon", sa.String(30), nullable=False, default=""),
    sa.Column("status", sa.String(20), nullable=False),
    # the municipality that booked it (its RSIN, header X-Gemeente; issue 18): only it sees it
    sa.Column("gemeente", sa.String(9), nullable=True),
)
ophaaldagen = sa.Table(
    "ophaaldagen",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("wijk", sa.String(20), nullable=False, index=True),
    sa.Column("afvalstroom", sa.String(20), nullable=False),
    sa.Column("omschrijving", sa.String(80), nullable=False),
    sa.Column("datum", sa.Date, nullable=False),
)

# --- Idempotency-Key ----------------------------------------------------------------------------
idempotency = sa.Table(
    "idempotency",
    metadata,
    sa.Column("scope", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
)


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` and create all tables (SQLite files get their directory)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pool = {"poolclass": StaticPool} if path in ("", ":memory:") else {}
        engine = sa.create_engine(url, future=True, connect_args={"check_same_thread": False}, **pool)
    else:
        engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    metadata.create_all(engine)
    _add_missing_columns(engine)
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """Add nullable columns added since an existing database was made (``create_all`` does not)."""
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as conn:
                    conn.execute(sa.text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
