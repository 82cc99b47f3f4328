"""Invoice documents: PDF for people, Peppol BIS Billing 3.0 and OIOUBL 2.01 UBL for e-invoicing."""
