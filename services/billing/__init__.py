"""The billing service: rating of work, invoice runs, invoices, credit notes, payments and bank import."""
