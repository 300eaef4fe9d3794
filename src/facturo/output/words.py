"""Words printed on documents in French and English, and babel formatting for each language."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal, format_percent
from stdnum import iban as stdnum_iban

from facturo.model.money import round_money

LANGUAGES = ("fr", "en")

# en_GB: day-month-year dates ("2 March 2026") read unambiguously everywhere in Europe.
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}

_LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "title_invoice": "Facture",
        "title_credit_note": "Avoir",
        "title_deposit": "Facture d'acompte",
        "title_quote": "Devis",
        "number": "N°",
        "draft_mark": "BROUILLON",
        "draft_number": "Brouillon — aperçu sans numéro",
        "issue_date": "Date d'émission",
        "due_date": "Échéance",
        "valid_until": "Valable jusqu'au",
        "service_date_services": "Date de la prestation",
        "service_date_goods": "Date de livraison",
        "service_date_mixed": "Date de l'opération",
        "service_period": "Période",
        "period_range": "du {start} au {end}",
        "order_reference": "Votre commande",
        "bill_to": "Facturé à",
        "quote_to": "Destinataire",
        "deliver_to": "Adresse de livraison",
        "siren": "SIREN",
        "vat_number": "N° TVA",
        "email": "E-mail",
        "phone": "Tél.",
        "description": "Désignation",
        "quantity": "Qté",
        "unit": "Unité",
        "unit_price": "Prix unit. HT",
        "vat_rate": "TVA",
        "line_total": "Total HT",
        "line_discount": "Remise {discount}",
        "line_period": "Période du {start} au {end}",
        "lines_net": "Sous-total HT",
        "discount": "Remise",
        "net": "Total HT",
        "vat_at": "TVA {rate}",
        "vat_total": "Total TVA",
        "vat_none": "TVA",
        "vat_in_euros_total": "Total TVA en euros",
        "exchange_rate": "Taux de change du {date} : 1 {currency} = {rate} EUR",
        "source_ECB": "BCE, taux de référence",
        "gross": "Total TTC",
        "total": "Total",
        "lines_total": "Sous-total",
        "credit_total_no_vat": "Montant de l'avoir",
        "prepaid": "Acomptes versés",
        "already_paid": "Déjà réglé",
        "amount_due": "Net à payer",
        "credit_total": "Montant de l'avoir TTC",
        "vat_breakdown": "Détail de la TVA",
        "vat_base": "Base HT",
        "vat_amount": "Montant TVA",
        "vat_amount_eur": "TVA en €",
        "vat_category": "Taux",
        "payment": "Règlement",
        "payment_terms": "Conditions de paiement",
        "pay_by": "À régler avant le",
        "payment_methods": "Moyens de paiement",
        "account_holder": "Titulaire du compte",
        "iban": "IBAN",
        "bic": "BIC",
        "payment_reference": "Référence à indiquer",
        "qr_caption": "Scannez pour payer par virement",
        "link_caption": "Scannez pour payer en ligne",
        "pay_online": "Paiement en ligne",
        "corrects_invoice": "Avoir relatif à la facture {number} du {date}.",
        "credit_reason": "Motif : {reason}",
        "quote_validity": "Devis valable jusqu'au {date}.",
        "quote_acceptance": "Bon pour accord",
        "quote_signature": "Date, signature et mention « Bon pour accord »",
        "late_penalty": (
            "En cas de retard de paiement, des pénalités au taux annuel de {rate} sont "
            "exigibles le jour suivant la date d'échéance, sans qu'un rappel soit nécessaire "
            "(art. L441-10 du Code de commerce)."
        ),
        # To a consumer, penalties are what the terms agreed: L441-10 binds businesses only.
        "late_penalty_consumer": (
            "En cas de retard de paiement, des pénalités au taux annuel de {rate} pourront "
            "être appliquées à compter du jour suivant la date d'échéance."
        ),
        "recovery_indemnity": (
            "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de "
            "paiement : {amount} (art. D441-5 du Code de commerce)."
        ),
        "no_early_discount": "Pas d'escompte pour paiement anticipé.",
        "early_discount": "Escompte pour paiement anticipé : {terms}.",
        "operation": "Nature de l'opération : {nature}.",
        "operation_goods": "livraison de biens",
        "operation_services": "prestation de services",
        "operation_mixed": "livraison de biens et prestation de services",
        "vat_on_debits": "Option pour le paiement de la taxe d'après les débits.",
        "thanks": "Merci pour votre confiance.",
        "notes": "Notes",
        "page": "Page",
        # Receipts: a payment received on an invoice.
        "title_receipt": "Reçu de paiement",
        "received_from": "Reçu de",
        "payment_date": "Date du paiement",
        "receipt_date": "Date du reçu",
        "payment_method": "Moyen de paiement",
        "payment_received_reference": "Référence",
        "receipt_date_invoice": "Date de la facture",
        "receipt_date_deposit": "Date de la facture d'acompte",
        "amount_received": "Montant reçu",
        "receipt_acknowledgement": (
            "{seller} reconnaît avoir reçu {from_client} la somme de {amount} le {date} "
            "{method}{reference}, {settles} la {document} n° {number} du {invoice_date}."
        ),
        "payment_reference_short": " (réf. {reference})",
        "settles_full": "en règlement de",
        "settles_balance": "en règlement du solde de",
        "settles_part": "en règlement partiel de",
        "document_invoice": "facture",
        "document_deposit": "facture d'acompte",
        "receipt_total_invoice": "Montant de la facture",
        "receipt_total_deposit": "Montant de la facture d'acompte",
        "credited": "Avoirs",
        "previously_paid": "Réglé précédemment",
        "this_payment": "Ce paiement",
        "balance_due": "Reste à payer",
        "overpaid": "Trop-perçu",
        "paid_in_full": "Facture acquittée",
        "remaining_by": "Reste à régler : {amount}, échéance le {date}.",
        "remaining": "Reste à régler : {amount}.",
        "receipt_signature": "Pour acquit",
        "signed_at": "Fait à {city}, le {date}",
        "signed_on": "Le {date}",
        "receipt_thanks": "Merci pour votre règlement.",
        "receipt_notice": (
            "Ce reçu atteste la réception d'un paiement. Il ne remplace pas la facture, "
            "seul document fiscal."
        ),
        # Account statements: one client's account in one currency over a period.
        "title_statement": "Relevé de compte",
        "statement_to": "Client",
        "statement_as_at": "Au {date}",
        "statement_date": "Date du relevé",
        "period": "Période",
        "period_until": "jusqu'au {end}",
        "closing_balance_due": "Solde dû",
        "closing_balance_credit": "Solde en votre faveur",
        "date": "Date",
        "document": "Document",
        "entry": "Libellé",
        "debit": "Débit",
        "credit": "Crédit",
        "balance": "Solde",
        "opening_balance": "Solde antérieur",
        "period_totals": "Total des mouvements",
        "closing_balance": "Solde au {date}",
        "no_entries": "Aucun mouvement sur la période.",
        "open_invoices": "Factures en attente de règlement",
        "no_open_invoices": "Aucune facture en attente de règlement.",
        "invoice_gross": "Montant TTC",
        "outstanding": "Reste dû",
        "days_late": "Retard",
        "aging": "Balance âgée",
        "aging_not_due": "Non échu",
        "aging_1-30": "1 à 30 jours",
        "aging_31-60": "31 à 60 jours",
        "aging_61-90": "61 à 90 jours",
        "aging_over_90": "Plus de 90 jours",
        "aging_total": "Total",
        "statement_credit": "Solde en votre faveur : {amount}.",
        "statement_paid_meanwhile": (
            "Si votre règlement nous est parvenu entre-temps, merci de ne pas tenir compte "
            "de ce relevé."
        ),
        "statement_notice": "Sauf erreur ou omission de notre part.",
        # Formal notice to pay (mise en demeure): a letter about one overdue invoice.
        "title_reminder_letter": "Lettre de mise en demeure",
        "letter_place_date": "{city}, le {date}",
        "letter_date": "Le {date}",
        "letter_reference": "Notre référence : {number}",
        "letter_subject": "Objet :",
        "letter_subject_text": "Mise en demeure de payer la {document} n° {number} du {date}",
        "letter_salutation": "Madame, Monsieur,",
        "letter_unpaid": (
            "Sauf erreur de notre part, notre {document} n° {number} du {invoice_date}, "
            "échue le {due_date}, reste impayée malgré nos précédentes relances : "
            "à ce jour, {balance} restent dus, soit un retard de {days}."
        ),
        "letter_unpaid_first": (
            "Sauf erreur de notre part, notre {document} n° {number} du {invoice_date}, "
            "échue le {due_date}, reste impayée : "
            "à ce jour, {balance} restent dus, soit un retard de {days}."
        ),
        "letter_penalties_business": (
            "Conformément à l'article L441-10 du Code de commerce, ce retard rend exigibles de "
            "plein droit, sans qu'un rappel soit nécessaire, des pénalités au taux annuel de "
            "{rate}, qui s'élèvent à {interest} au {until}, ainsi que l'indemnité forfaitaire "
            "pour frais de recouvrement de {indemnity} prévue à l'article D441-5 du même code."
        ),
        "letter_penalties_individual": (
            "Conformément aux conditions de paiement figurant sur la facture, ce retard "
            "entraîne des pénalités au taux annuel de {rate}, qui s'élèvent à {interest} "
            "au {until}."
        ),
        "letter_demand": (
            "Par la présente, nous vous mettons en demeure de nous régler la somme de {total} "
            "au plus tard le {deadline}, soit dans un délai de huit jours à compter de la date "
            "de cette lettre."
        ),
        "letter_demand_indemnity_apart": (
            "Par la présente, nous vous mettons en demeure de nous régler la somme de {total}, "
            "ainsi que l'indemnité forfaitaire de {indemnity} en euros, au plus tard le "
            "{deadline}, soit dans un délai de huit jours à compter de la date de cette lettre."
        ),
        "letter_indemnity_apart": "Et, en euros : indemnité forfaitaire de recouvrement",
        "letter_consequence": (
            "À défaut de règlement dans ce délai, nous engagerons sans autre avis une procédure "
            "de recouvrement judiciaire, notamment par voie d'injonction de payer. Les "
            "pénalités de retard continuent de courir jusqu'au complet paiement."
        ),
        "letter_meanwhile": (
            "Si votre règlement nous est parvenu entre-temps, nous vous prions de ne pas tenir "
            "compte de la présente lettre."
        ),
        "letter_closing": (
            "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations "
            "distinguées."
        ),
        "letter_detail": "Détail des sommes dues",
        "letter_invoice": "{document} n°",
        "letter_balance": "Solde restant dû",
        "letter_interest": "Pénalités de retard au {date}",
        "letter_interest_detail": "{rate} l'an, {days} de retard",
        "letter_indemnity": "Indemnité forfaitaire de recouvrement",
        "letter_indemnity_detail": "art. D441-5 du Code de commerce",
        "letter_total": "Total réclamé",
        "letter_deadline": "À régler au plus tard le",
        "letter_amount": "Montant à régler",
        "letter_account_holder": "Titulaire du compte : {holder}",
        "letter_methods": "Moyens de paiement acceptés : {methods}",
    },
    "en": {
        "title_invoice": "Invoice",
        "title_credit_note": "Credit note",
        "title_deposit": "Deposit invoice",
        "title_quote": "Quote",
        "number": "No.",
        "draft_mark": "DRAFT",
        "draft_number": "Draft — preview, not numbered",
        "issue_date": "Issue date",
        "due_date": "Due date",
        "valid_until": "Valid until",
        "service_date_services": "Service date",
        "service_date_goods": "Delivery date",
        "service_date_mixed": "Date of supply",
        "service_period": "Service period",
        "period_range": "{start} to {end}",
        "order_reference": "Your order",
        "bill_to": "Bill to",
        "quote_to": "Prepared for",
        "deliver_to": "Delivery address",
        "siren": "SIREN",
        "vat_number": "VAT no.",
        "email": "Email",
        "phone": "Phone",
        "description": "Description",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_price": "Unit price excl. VAT",
        "vat_rate": "VAT",
        "line_total": "Amount excl. VAT",
        "line_discount": "Discount {discount}",
        "line_period": "Period {start} to {end}",
        "lines_net": "Subtotal excl. VAT",
        "discount": "Discount",
        "net": "Total excl. VAT",
        "vat_at": "VAT {rate}",
        "vat_total": "Total VAT",
        "vat_none": "VAT",
        "vat_in_euros_total": "Total VAT in euros",
        "exchange_rate": "Exchange rate of {date}: 1 {currency} = {rate} EUR",
        "source_ECB": "ECB reference rate",
        "gross": "Total incl. VAT",
        "total": "Total",
        "lines_total": "Subtotal",
        "credit_total_no_vat": "Credit note total",
        "prepaid": "Deposits paid",
        "already_paid": "Already paid",
        "amount_due": "Amount due",
        "credit_total": "Credit note total incl. VAT",
        "vat_breakdown": "VAT breakdown",
        "vat_base": "Taxable amount",
        "vat_amount": "VAT amount",
        "vat_amount_eur": "VAT in €",
        "vat_category": "Rate",
        "payment": "Payment",
        "payment_terms": "Payment terms",
        "pay_by": "Please pay by",
        "payment_methods": "Payment methods",
        "account_holder": "Account holder",
        "iban": "IBAN",
        "bic": "BIC",
        "payment_reference": "Payment reference",
        "qr_caption": "Scan to pay by bank transfer",
        "link_caption": "Scan to pay online",
        "pay_online": "Pay online",
        "corrects_invoice": "Credit note for invoice {number} dated {date}.",
        "credit_reason": "Reason: {reason}",
        "quote_validity": "This quote is valid until {date}.",
        "quote_acceptance": "Accepted",
        "quote_signature": "Date, signature and the words “Accepted”",
        "late_penalty": (
            "Late payment: penalties at an annual rate of {rate} are due from the day after "
            "the due date, without any reminder (French Commercial Code, art. L441-10)."
        ),
        "late_penalty_consumer": (
            "Late payment: penalties at an annual rate of {rate} may be applied from the day "
            "after the due date."
        ),
        "recovery_indemnity": (
            "Fixed indemnity for recovery costs owed on late payment: {amount} "
            "(French Commercial Code, art. D441-5)."
        ),
        "no_early_discount": "No discount for early payment.",
        "early_discount": "Early payment discount: {terms}.",
        "operation": "Nature of the operation: {nature}.",
        "operation_goods": "supply of goods",
        "operation_services": "supply of services",
        "operation_mixed": "supply of goods and services",
        "vat_on_debits": (
            "VAT payable on debits (option pour le paiement de la taxe d'après les débits)."
        ),
        "thanks": "Thank you for your business.",
        "notes": "Notes",
        "page": "Page",
        # Receipts: a payment received on an invoice.
        "title_receipt": "Payment receipt",
        "received_from": "Received from",
        "payment_date": "Payment date",
        "receipt_date": "Receipt date",
        "payment_method": "Payment method",
        "payment_received_reference": "Reference",
        "receipt_date_invoice": "Invoice date",
        "receipt_date_deposit": "Deposit invoice date",
        "amount_received": "Amount received",
        "receipt_acknowledgement": (
            "{seller} acknowledges receipt {from_client} of {amount} on {date} "
            "{method}{reference}, {settles} {document} {number} dated {invoice_date}."
        ),
        "payment_reference_short": " (ref. {reference})",
        "settles_full": "in full payment of",
        "settles_balance": "in settlement of the balance of",
        "settles_part": "in part payment of",
        "document_invoice": "invoice",
        "document_deposit": "deposit invoice",
        "receipt_total_invoice": "Invoice total",
        "receipt_total_deposit": "Deposit invoice total",
        "credited": "Credit notes",
        "previously_paid": "Previously paid",
        "this_payment": "This payment",
        "balance_due": "Balance due",
        "overpaid": "Overpayment",
        "paid_in_full": "Paid in full",
        "remaining_by": "Still to pay: {amount}, due {date}.",
        "remaining": "Still to pay: {amount}.",
        "receipt_signature": "Received by",
        "signed_at": "{city}, {date}",
        "signed_on": "{date}",
        "receipt_thanks": "Thank you for your payment.",
        "receipt_notice": (
            "This receipt acknowledges a payment. It does not replace the invoice, which "
            "remains the tax document."
        ),
        # Account statements: one client's account in one currency over a period.
        "title_statement": "Account statement",
        "statement_to": "Customer",
        "statement_as_at": "As at {date}",
        "statement_date": "Statement date",
        "period": "Period",
        "period_until": "up to {end}",
        "closing_balance_due": "Balance due",
        "closing_balance_credit": "Balance in your favour",
        "date": "Date",
        "document": "Document",
        "entry": "Description",
        "debit": "Debit",
        "credit": "Credit",
        "balance": "Balance",
        "opening_balance": "Balance brought forward",
        "period_totals": "Period totals",
        "closing_balance": "Balance at {date}",
        "no_entries": "No transactions in this period.",
        "open_invoices": "Invoices awaiting payment",
        "no_open_invoices": "No invoice awaiting payment.",
        "invoice_gross": "Total incl. VAT",
        "outstanding": "Outstanding",
        "days_late": "Overdue",
        "aging": "Aged balance",
        "aging_not_due": "Not due",
        "aging_1-30": "1-30 days",
        "aging_31-60": "31-60 days",
        "aging_61-90": "61-90 days",
        "aging_over_90": "Over 90 days",
        "aging_total": "Total",
        "statement_credit": "Balance in your favour: {amount}.",
        "statement_paid_meanwhile": (
            "If your payment has reached us in the meantime, please disregard this statement."
        ),
        "statement_notice": "Errors and omissions excepted.",
        # Formal notice to pay (mise en demeure): a letter about one overdue invoice.
        "title_reminder_letter": "Formal notice",
        "letter_place_date": "{city}, {date}",
        "letter_date": "{date}",
        "letter_reference": "Our reference: {number}",
        "letter_subject": "Subject:",
        "letter_subject_text": "Formal notice to pay {document} {number} dated {date}",
        "letter_salutation": "Dear Sir or Madam,",
        "letter_unpaid": (
            "According to our records, our {document} {number} dated {invoice_date}, due on "
            "{due_date}, remains unpaid despite our previous reminders: {balance} is still "
            "outstanding, {days} after the due date."
        ),
        "letter_unpaid_first": (
            "According to our records, our {document} {number} dated {invoice_date}, due on "
            "{due_date}, remains unpaid: {balance} is still outstanding, {days} after the due date."
        ),
        "letter_penalties_business": (
            "Under article L441-10 of the French Commercial Code, this delay makes "
            "late-payment penalties due automatically, without any reminder, at the annual "
            "rate of {rate}, amounting to {interest} as at {until}, together with the fixed "
            "indemnity for recovery costs of {indemnity} set by article D441-5 of the same code."
        ),
        "letter_penalties_individual": (
            "Under the payment terms stated on the invoice, this delay gives rise to "
            "late-payment penalties at the annual rate of {rate}, amounting to {interest} "
            "as at {until}."
        ),
        "letter_demand": (
            "We hereby give you formal notice to pay the sum of {total} no later than "
            "{deadline}, that is within eight days of the date of this letter."
        ),
        "letter_demand_indemnity_apart": (
            "We hereby give you formal notice to pay the sum of {total}, together with the "
            "fixed indemnity of {indemnity} in euros, no later than {deadline}, that is within "
            "eight days of the date of this letter."
        ),
        "letter_indemnity_apart": "And, in euros: fixed indemnity for recovery costs",
        "letter_consequence": (
            "Failing payment within this period, we will start legal recovery proceedings "
            "without further notice, including an application for an order for payment "
            "(injonction de payer). Late-payment penalties continue to accrue until payment "
            "in full."
        ),
        "letter_meanwhile": (
            "If your payment has reached us in the meantime, please disregard this letter."
        ),
        "letter_closing": "Yours faithfully,",
        "letter_detail": "Amounts due",
        "letter_invoice": "{document} no.",
        "letter_balance": "Outstanding balance",
        "letter_interest": "Late-payment penalties as at {date}",
        "letter_interest_detail": "{rate} a year, {days} late",
        "letter_indemnity": "Fixed indemnity for recovery costs",
        "letter_indemnity_detail": "French Commercial Code, art. D441-5",
        "letter_total": "Total claimed",
        "letter_deadline": "Pay no later than",
        "letter_amount": "Amount to pay",
        "letter_account_holder": "Account holder: {holder}",
        "letter_methods": "Accepted payment methods: {methods}",
    },
}

_PAYMENT_METHODS = {
    "fr": {
        "transfer": "virement bancaire",
        "card": "carte bancaire",
        "cheque": "chèque",
        "cash": "espèces",
        "direct-debit": "prélèvement",
        "other": "autre",
    },
    "en": {
        "transfer": "bank transfer",
        "card": "card",
        "cheque": "cheque",
        "cash": "cash",
        "direct-debit": "direct debit",
        "other": "other",
    },
}

# The rows of an account statement: what happened, in the client's language.
_STATEMENT_ROWS = {
    "fr": {
        "invoice": "Facture",
        "deposit": "Facture d'acompte",
        "credit_note": "Avoir sur la facture {of}",
        "payment": "Paiement ({method})",
        "correction": "Correction de paiement : {reason}",
        "write_off": "Solde abandonné (créance passée en perte)",
        "reference": " — réf. {reference}",
    },
    "en": {
        "invoice": "Invoice",
        "deposit": "Deposit invoice",
        "credit_note": "Credit note on invoice {of}",
        "payment": "Payment ({method})",
        "correction": "Payment correction: {reason}",
        "write_off": "Balance written off",
        "reference": " — ref. {reference}",
    },
}
# Payment methods in a statement row's short form ("Paiement (carte)").
_STATEMENT_METHODS = {
    "fr": {
        "transfer": "virement", "card": "carte", "cheque": "chèque", "cash": "espèces",
        "direct-debit": "prélèvement", "other": "autre",
    },
    "en": {
        "transfer": "transfer", "card": "card", "cheque": "cheque", "cash": "cash",
        "direct-debit": "direct debit", "other": "other",
    },
}  # fmt: skip

# How a payment was made, as a phrase inside a sentence ("reçu ... par chèque").
_PAYMENT_BY = {
    "fr": {
        "transfer": "par virement bancaire",
        "card": "par carte bancaire",
        "cheque": "par chèque",
        "cash": "en espèces",
        "direct-debit": "par prélèvement",
        "other": "par un autre moyen de paiement",
    },
    "en": {
        "transfer": "by bank transfer",
        "card": "by card",
        "cheque": "by cheque",
        "cash": "in cash",
        "direct-debit": "by direct debit",
        "other": "by other means",
    },
}

_UNITS = {
    "fr": {
        "day": "jour",
        "days": "jours",
        "half-day": "demi-journée",
        "hour": "heure",
        "hours": "heures",
        "week": "semaine",
        "month": "mois",
        "year": "an",
        "unit": "unité",
        "piece": "pièce",
        "item": "article",
        "flat": "forfait",
        "page": "page",
        "word": "mot",
    },
    "en": {},
}

# French legal wording of each exemption code (docs/FORMAT.md), and its English gloss for an
# English document that still carries the French text: the French wording is what the law names.
_EXEMPTIONS_FR = {
    "VATEX-FR-FRANCHISE": "TVA non applicable, art. 293 B du CGI",
    "VATEX-EU-AE": "Autoliquidation",
    "VATEX-EU-IC": "Exonération de TVA, art. 262 ter I du CGI",
    "VATEX-EU-G": "Exonération de TVA, art. 262 I du CGI",
    "VATEX-EU-O": "TVA non applicable, art. 259-1 du CGI",
}
_EXEMPTIONS_EN = {
    "VATEX-FR-FRANCHISE": "VAT exemption, art. 293 B of the French General Tax Code",
    "VATEX-EU-AE": "Reverse charge",
    "VATEX-EU-IC": "VAT-exempt intra-Community supply",
    "VATEX-EU-G": "VAT-exempt export",
    "VATEX-EU-O": "Outside the scope of French VAT",
}

_TERMS = re.compile(
    r"^\s*(?:(?P<receipt>on receipt|à réception)|(?P<days>\d+)\s*(?:days?|jours?)"
    r"(?P<eom>\s+(?:end of month|fin de mois))?)\s*$",
    re.IGNORECASE,
)


def labels_for(language: str) -> Mapping[str, str]:
    """Return the printed words of a document language."""
    return _LABELS[language]


def format_money(amount: Decimal | int, currency: str, language: str) -> str:
    """Format an amount as "1 234,56 €" (fr) or "€1,234.56" (en).

    Rounded half up to the currency's minor unit first, as facturo computes totals:
    babel alone would round half to even (0.125 € shown as 0,12 €).
    """
    rounded = round_money(Decimal(amount), currency)
    return str(format_currency(rounded, currency, locale=_LOCALES[language]))


def format_unit_price(amount: Decimal | int, currency: str, language: str) -> str:
    """Format a unit price with its own precision, at least the currency's minor units:
    14.545 EUR stays "14,545 €", 450 EUR is "450,00 €", 1234.5 JPY is "1 234,5 JPY"."""
    return str(
        format_currency(
            Decimal(amount), currency, locale=_LOCALES[language], decimal_quantization=False
        )
    )


def format_date(value: datetime.date, language: str) -> str:
    """Format a date as "2 mars 2026" (fr) or "2 March 2026" (en)."""
    return str(babel_format_date(value, format="long", locale=_LOCALES[language]))


def format_date_in_text(value: datetime.date, language: str) -> str:
    """Format a date inside a sentence: "1er avril 2026" (fr), "1 April 2026" (en)."""
    text = format_date(value, language)
    # French writes the first day of a month as an ordinal: « le 1er avril ».
    if language == "fr" and value.day == 1:
        return "1er" + text[1:]
    return text


def format_short_date(value: datetime.date, language: str) -> str:
    """Format a date for a table column: "02/03/2026" in both languages."""
    return str(babel_format_date(value, format="short", locale=_LOCALES[language]))


def format_number(value: Decimal | int, language: str) -> str:
    """Format a quantity without trailing zeros: "1,5" (fr) or "1.5" (en)."""
    return str(
        format_decimal(Decimal(value), locale=_LOCALES[language], decimal_quantization=False)
    )


def format_rate(rate_percent: Decimal | int, language: str) -> str:
    """Format a percentage given in percent: 5.5 becomes "5,5 %" (fr) or "5.5%" (en)."""
    fraction = Decimal(rate_percent) / 100
    return str(format_percent(fraction, locale=_LOCALES[language], decimal_quantization=False))


def format_siren(siren: str) -> str:
    """Group a SIREN by three digits, as it is printed on French documents."""
    digits = siren.replace(" ", "")
    if len(digits) == 9 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return siren


def format_iban(iban: str) -> str:
    """Group a valid IBAN by four characters; anything else is returned as written."""
    return str(stdnum_iban.format(iban)) if iban and stdnum_iban.is_valid(iban) else iban


def describe_country(code: str, language: str) -> str:
    """Return the country name for an ISO 3166 alpha-2 code, or the code when unknown."""
    territories = Locale.parse(_LOCALES[language]).territories
    return str(territories.get(code.upper(), code))


def describe_payment_method(method: str, language: str) -> str:
    """Return the printed name of a payment method key (transfer, card, ...)."""
    return _PAYMENT_METHODS[language].get(method, method)


def describe_statement_row(row: Mapping[str, Any], language: str) -> str:
    """Say what a statement row records: "Avoir sur la facture F-2026-0001", "Payment (card)"."""
    words, methods = _STATEMENT_ROWS[language], _STATEMENT_METHODS[language]
    kind = str(row.get("kind") or "")
    if kind == "credit_note":
        return words["credit_note"].format(of=row.get("credit_note_of") or "")
    if kind not in ("payment", "write_off"):
        return words.get(kind, kind)
    if kind == "write_off":
        text = words["write_off"] + (f" — {row['reason']}" if row.get("reason") else "")
    elif row.get("correction"):
        text = words["correction"].format(reason=row.get("reason") or "")
    else:
        method = str(row.get("method") or "other")
        text = words["payment"].format(method=methods.get(method, method))
    if row.get("reference"):
        text += words["reference"].format(reference=row["reference"])
    return text


def describe_payment_by(method: str, language: str) -> str:
    """Say how a payment was made, inside a sentence: "par chèque" (fr), "by cheque" (en)."""
    phrase = _PAYMENT_BY[language].get(method)
    if phrase is None:
        return f"par {method}" if language == "fr" else f"by {method}"
    return phrase


def describe_from(name: str, language: str) -> str:
    """Say from whom: "from Atelier Dupont" (en); "de Julie Leroy", "d'Atelier Dupont" (fr)."""
    if language != "fr":
        return f"from {name}"
    # Elision before a vowel; an initial h is left alone (h aspiré or muet cannot be told).
    if name and name[0].casefold() in "aàâeéèêëiîïoôuùûüyœæ":
        return f"d'{name}"
    return f"de {name}"


def describe_days(days: int, language: str) -> str:
    """Write a number of days: "1 jour", "12 jours" (fr), "1 day", "12 days" (en)."""
    word = ("jour", "jours") if language == "fr" else ("day", "days")
    return f"{format_number(days, language)} {word[0] if abs(days) == 1 else word[1]}"


def describe_unit(unit: str, language: str) -> str:
    """Translate the usual English unit words for French documents; other units are kept."""
    return _UNITS[language].get(unit.strip().lower(), unit)


def describe_payment_terms(terms: str, language: str) -> str:
    """Write payment terms ("30 days end of month") in the document's language."""
    match = _TERMS.match(terms)
    if match is None:
        return terms
    if match["receipt"]:
        return "à réception" if language == "fr" else "on receipt"
    days = int(match["days"])
    if language == "fr":
        text = f"{days} jours"
        return f"{text} fin de mois" if match["eom"] else text
    text = f"{days} days"
    return f"{text} end of month" if match["eom"] else text


def describe_exemption(code: str | None, reason: str, language: str) -> str:
    """Return the VAT exemption mention; an English document keeps French wording with a gloss."""
    french = _EXEMPTIONS_FR.get(code or "")
    if language == "en" and french and reason.startswith(french):
        return f"{_EXEMPTIONS_EN[code or '']} ({reason})"
    return reason
