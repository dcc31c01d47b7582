-- 030: a fingerprint of the views' SQL, so that opening the warehouse rebuilds the views only when
-- they changed. Opening then writes nothing unless a migration is due, and a reader of a warehouse
-- in a read-only folder never has to write.
CREATE TABLE schema_views (
    fingerprint  VARCHAR NOT NULL,           -- sha256 of every views/*.sql, as the backend runs them
    applied_at   TIMESTAMP NOT NULL
);
