"""The reference city server: enrollment, config signing, batch ingest and settlement."""
