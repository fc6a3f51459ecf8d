"""Upload of signed journal batches to the city server and settlement receipts (Qt-free)."""
