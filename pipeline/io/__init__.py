"""Files in and tables out: ingest, output tables, store, search index, report, workbook."""
