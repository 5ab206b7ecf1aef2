"""AOW answers: the AOW age and date for a birth year or date ("Ik ben van 1961, wanneer krijg ik AOW?").

The AOW ages come from the table of the AOW signal rule in ``signals/rules.yml`` (its
``applies_to.table``, ``signals/aow_ages.yml``), loaded and checked by :mod:`signals.rules`: the chat
and the signal read the same table, there is no second copy. Month names and the wording of an age
come from the content file (``language``); the sentences are domain responses ``utter_aow_*``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import load_content_safely, utter_product, utter_unknown
from actions.content import Content
from actions.privacy_notice import privacy_notice
from signals.rules import AgeSpec, AowRow, RulesError, add_age, load_rules

logger = logging.getLogger(__name__)

AOW_INTENT = "aow_pension"
AOW_RULE_KIND = "aow_age"
#: Birth years the assistant accepts in a message. A later year is read as the year the resident
#: names for something else ("ik word 67 in 2028"), not as a birth year.
FIRST_YEAR, LAST_YEAR = 1900, 1999
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")
_YEAR = re.compile(r"\b(19\d{2})\b")


def aow_table() -> tuple[AowRow, ...]:
    """The AOW table of the enabled AOW signal rule (empty when the rules cannot be loaded)."""
    try:
        rules = load_rules()
    except RulesError:
        logger.exception("signal rules invalid: no AOW table")
        return ()
    rule = next((r for r in rules.rules if r.kind == AOW_RULE_KIND), None)
    return rule.aow_table if rule else ()


def parse_birth(text: str, month_names: Sequence[str]) -> date | int | None:
    """A birth date (``date``) or only a birth year (``int``) from a message, else ``None``."""
    lower = text.lower()
    match = _NUMERIC_DATE.search(lower)
    if match:
        try:
            return date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return None
    names = "|".join(re.escape(m.lower()) for m in month_names)
    match = re.search(rf"\b(\d{{1,2}})\s+({names})\s+(\d{{4}})\b", lower)
    if match:
        try:
            return date(int(match[3]), [m.lower() for m in month_names].index(match[2]) + 1, int(match[1]))
        except ValueError:
            return None
    match = _YEAR.search(lower)
    if match and FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        return int(match[1])
    return None


def row_for(born: date, table: Sequence[AowRow]) -> AowRow | None:
    """The table row that covers ``born``."""
    return next((r for r in table if r.covers(born)), None)


class AowWriter:
    """Writes dates and ages with the words of the content file."""

    def __init__(self, content: Content) -> None:
        """Take the month names and age wording from ``content.data['language']``."""
        language = content.data["language"]
        self.months = list(language["month_names"])
        self.age_years = language["age_years"]
        self.age_years_months = language["age_years_months"]
        self.date_range = language["date_range"]

    def day(self, value: date) -> str:
        """``1 april 2028``."""
        return f"{value.day} {self.months[value.month - 1]} {value.year}"

    def age(self, age: AgeSpec) -> str:
        """``67 jaar`` or ``67 jaar en 3 maanden``."""
        if age.months:
            return self.age_years_months.format(years=age.years, months=age.months)
        return self.age_years.format(years=age.years)

    def ages(self, table: Sequence[AowRow]) -> str:
        """The known rows of the table as a bulleted list."""
        lines = []
        for row in table:
            if row.age is None or row.born_from is None or row.born_until is None:
                continue
            span = self.date_range.format(start=self.day(row.born_from), end=self.day(row.born_until))
            lines.append(f"- {span}: {self.age(row.age)}")
        return "\n".join(lines)


def utter_aow_date(
    dispatcher: CollectingDispatcher, born: date | int, table: Sequence[AowRow], writer: AowWriter
) -> None:
    """Tell the AOW age and date for a birth date, or the range for a birth year."""
    first_table_day = min((r.born_from for r in table if r.born_from), default=None)
    if isinstance(born, date):
        row = row_for(born, table)
        if row is None and first_table_day and born < first_table_day:
            dispatcher.utter_message(response="utter_aow_date_reached")
        elif row is None or row.age is None:
            dispatcher.utter_message(response="utter_aow_date_not_fixed")
        else:
            dispatcher.utter_message(
                response="utter_aow_date_exact",
                born=writer.day(born),
                age=writer.age(row.age),
                aow_date=writer.day(add_age(born, row.age)),
            )
        return
    first, last = date(born, 1, 1), date(born, 12, 31)
    start, end = row_for(first, table), row_for(last, table)
    if start is None and first_table_day and last < first_table_day:
        dispatcher.utter_message(response="utter_aow_date_reached")
    elif start is None or start.age is None:
        dispatcher.utter_message(response="utter_aow_date_not_fixed")
    elif end is start or (end is not None and end.age == start.age):
        dispatcher.utter_message(
            response="utter_aow_date_year",
            year=str(born),
            age=writer.age(start.age),
            first_day=writer.day(add_age(first, start.age)),
            last_day=writer.day(add_age(last, start.age)),
        )
    elif end is None or end.age is None:
        until = start.born_until or last
        dispatcher.utter_message(
            response="utter_aow_date_year_partly",
            year=str(born),
            until=writer.day(until),
            age=writer.age(start.age),
        )
    else:
        # two known ages within one birth year: give both exact ranges through the table list
        dispatcher.utter_message(response="utter_aow_ages", ages=writer.ages([start, end]))


class ActionAowAnswer(Action):
    """Answer ``aow_pension``: the date for a birth date or year in the message, else the topic answer."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_aow_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the AOW date (birth date or year given) or the AOW answer with the table of ages."""
        notice = privacy_notice(dispatcher, tracker)
        content = load_content_safely()
        product = content.product_for_intent(AOW_INTENT) if content else None
        if content is None or product is None:
            utter_unknown(dispatcher, content)
            return notice
        writer = AowWriter(content)
        table = aow_table()
        born = parse_birth(tracker.latest_message.get("text") or "", writer.months)
        if born is not None and table:
            utter_aow_date(dispatcher, born, table, writer)
            if product.signal_offer:
                dispatcher.utter_message(response=f"utter_signals_offer_{product.signal_offer}")
            return notice
        events = utter_product(dispatcher, content, product, tracker, offer_signal=False)
        first_answer = str(events[-1].get("value", "")).endswith(":0")
        if first_answer and table:
            dispatcher.utter_message(response="utter_aow_ages", ages=writer.ages(table))
        if first_answer and product.signal_offer:
            dispatcher.utter_message(response=f"utter_signals_offer_{product.signal_offer}")
        return [*notice, *events]
