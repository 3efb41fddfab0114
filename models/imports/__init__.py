"""Leads in and out of CSV files: reading a file a rep picked, mapping its columns, checking
and importing its rows, exporting leads for a spreadsheet."""
