"""Integration events the assets context subscribes to: agreements' customers and the clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from services.assets.adapters.terms import Terms
from services.assets.handlers import learning
from services.assets.handlers.daily import on_day_started
from shared.consumer import EventHandler
from shared.contracts import Contract
from shared.contracts import agreements as a
from shared.contracts.clock import DayStarted


def handlers(terms: Terms) -> Mapping[type[Contract], Sequence[EventHandler]]:
    """Departments, people, finance e-mail, tier and PC security packages; and the days."""
    return {
        a.CustomerRegistered: [learning.on_customer_registered],
        a.DepartmentAdded: [learning.on_department_added],
        a.PersonAdded: [learning.on_person_added],
        a.PersonErased: [learning.on_person_erased],
        a.AgreementSigned: [partial(learning.on_agreement_signed, terms=terms)],
        a.TrialConverted: [partial(learning.on_trial_converted, terms=terms)],
        a.SubscriptionStarted: [learning.on_subscription_started],
        a.SubscriptionQuantityChanged: [learning.on_quantity_changed],
        a.SubscriptionEnded: [learning.on_subscription_ended],
        DayStarted: [partial(on_day_started, terms=terms)],
    }
