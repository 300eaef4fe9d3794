"""The parties of a CII invoice: seller, buyer, their addresses and electronic addresses, delivery.

A seller under the VAT franchise (art. 293 B du CGI) has no VAT number, yet EN 16931 rule
BR-E-02 wants the seller VAT identifier (BT-31), the seller tax registration identifier
(BT-32) or a tax representative for any line in category E. The schematron accepts
`SpecifiedTaxRegistration/ID[@schemeID = ('VA', 'FC')]`, so such a seller gets its SIREN as
BT-32 with scheme FC (the French mapping of a non-VAT-registered seller's tax identifier).

The electronic addresses (BT-34, BT-49) are where approved platforms deliver: a French party
is found in the directory by its SIREN (scheme 0225), others by the address written or their
email (EM); see `Party.endpoint`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date
from typing import Any

from facturo.model.document import Party
from facturo.output.facturx.elements import add_date, compact, sub


def add_agreement(transaction: ET.Element, document: Mapping[str, Any]) -> None:
    agreement = sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    outside_scope = any(line["vat_category"] == "O" for line in document["lines"])
    _add_seller(sub(agreement, "ram:SellerTradeParty"), document["seller"], outside_scope)
    _add_buyer(sub(agreement, "ram:BuyerTradeParty"), document["client"], outside_scope)
    if document.get("order_reference"):
        order = sub(agreement, "ram:BuyerOrderReferencedDocument")
        sub(order, "ram:IssuerAssignedID", str(document["order_reference"]))


def _add_seller(party: ET.Element, seller: Mapping[str, Any], outside_scope: bool) -> None:
    sub(party, "ram:Name", str(seller["name"]))
    legal_information = " - ".join(
        str(seller[key]) for key in ("legal_form", "rcs") if seller.get(key)
    )
    if legal_information:
        sub(party, "ram:Description", legal_information)  # BT-33
    if seller.get("siren") or seller.get("trade_name"):
        legal = sub(party, "ram:SpecifiedLegalOrganization")
        if seller.get("siren"):
            sub(legal, "ram:ID", compact(seller["siren"]), schemeID="0002")
        if seller.get("trade_name"):
            sub(legal, "ram:TradingBusinessName", str(seller["trade_name"]))
    if seller.get("phone") or seller.get("email"):
        contact = sub(party, "ram:DefinedTradeContact")
        if seller.get("phone"):
            phone = sub(contact, "ram:TelephoneUniversalCommunication")
            sub(phone, "ram:CompleteNumber", str(seller["phone"]))
        if seller.get("email"):
            email = sub(contact, "ram:EmailURIUniversalCommunication")
            sub(email, "ram:URIID", str(seller["email"]))
    add_address(party, seller["address"])
    _add_endpoint(party, seller)
    if seller.get("vat_number") and not outside_scope:
        registration = sub(party, "ram:SpecifiedTaxRegistration")
        sub(registration, "ram:ID", compact(seller["vat_number"]), schemeID="VA")
    elif seller.get("siren") and not seller.get("vat_number"):
        # BR-E-02: the SIREN as seller tax registration identifier (BT-32, scheme FC).
        registration = sub(party, "ram:SpecifiedTaxRegistration")
        sub(registration, "ram:ID", compact(seller["siren"]), schemeID="FC")


def _add_buyer(party: ET.Element, client: Mapping[str, Any], outside_scope: bool) -> None:
    sub(party, "ram:Name", str(client["name"]))
    if client.get("siren"):
        legal = sub(party, "ram:SpecifiedLegalOrganization")
        sub(legal, "ram:ID", compact(client["siren"]), schemeID="0002")
    add_address(party, client["address"])
    _add_endpoint(party, client)
    if client.get("vat_number") and not outside_scope:
        registration = sub(party, "ram:SpecifiedTaxRegistration")
        sub(registration, "ram:ID", compact(client["vat_number"]), schemeID="VA")


def _add_endpoint(party: ET.Element, data: Mapping[str, Any]) -> None:
    endpoint = Party.of(data).endpoint
    if endpoint is not None:
        scheme, identifier = endpoint
        communication = sub(party, "ram:URIUniversalCommunication")
        sub(communication, "ram:URIID", identifier, schemeID=scheme)


def add_address(party: ET.Element, address: Mapping[str, Any]) -> None:
    postal = sub(party, "ram:PostalTradeAddress")
    if address.get("postcode"):
        sub(postal, "ram:PostcodeCode", str(address["postcode"]))
    if address.get("street"):
        sub(postal, "ram:LineOne", str(address["street"]))
    if address.get("street2"):
        sub(postal, "ram:LineTwo", str(address["street2"]))
    if address.get("city"):
        sub(postal, "ram:CityName", str(address["city"]))
    sub(postal, "ram:CountryID", str(address["country"]).upper())


def add_delivery(transaction: ET.Element, document: Mapping[str, Any]) -> None:
    """BG-13: where and when; the XSD wants the element, PEPPOL-EN16931-R008 no empty one."""
    delivery = sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    client = document["client"]
    address = document.get("delivery_address") or client.get("delivery_address")
    delivered = _delivery_date(document)
    if not address and any(line["vat_category"] == "K" for line in document["lines"]):
        address = client["address"]  # BR-IC-12: intra-EU supplies name the deliver-to country
    if not address and delivered is None:
        # A deposit comes before the delivery and a credit note's is its invoice's: they
        # name where the sale is delivered, the client's address, rather than no date.
        address = client["address"]
    if address:
        ship_to = sub(delivery, "ram:ShipToTradeParty")
        sub(ship_to, "ram:Name", str(client["name"]))
        add_address(ship_to, address)
    if delivered:
        event = sub(delivery, "ram:ActualDeliverySupplyChainEvent")
        add_date(sub(event, "ram:OccurrenceDateTime"), delivered)


def _delivery_date(document: Mapping[str, Any]) -> date | None:
    """BT-72: the service date, the end of the service period, else the issue date."""
    service_date: date | None = document.get("service_date")
    period_end: date | None = (document.get("service_period") or {}).get("end")
    issue_date: date = document["issue_date"]
    if service_date or period_end:
        return service_date or period_end
    if document.get("kind") == "invoice":
        # An invoice states the date of the sale only when it differs from the issue date.
        return issue_date
    return None  # a deposit precedes the delivery; a credit note's is its invoice's
