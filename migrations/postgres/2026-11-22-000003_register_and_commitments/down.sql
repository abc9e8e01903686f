DROP TABLE idempotency_keys;
DROP TABLE commitments;
DROP TABLE national_authorities;
