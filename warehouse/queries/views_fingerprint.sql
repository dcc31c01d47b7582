-- The fingerprint of the views the warehouse was last built with (see migration 030).
SELECT fingerprint FROM schema_views;
