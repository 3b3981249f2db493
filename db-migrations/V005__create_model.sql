-- The model catalog is data: later models and retirements are rows, not releases.
CREATE TABLE model (
    id         VARCHAR(100) PRIMARY KEY,
    owned_by   VARCHAR(100) NOT NULL,
    enabled    BOOLEAN      NOT NULL DEFAULT TRUE,
    sort_order INT          NOT NULL DEFAULT 0
);
INSERT INTO model (id, owned_by, sort_order) VALUES
    ('deepseek-v4-flash', 'deepseek', 1),
    ('deepseek-v4-pro', 'deepseek', 2);
