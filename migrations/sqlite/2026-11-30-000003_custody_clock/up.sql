-- The day the current holder's storage clock started: the first addition for the generator, the pickup for a
-- transfer station (Solid Waste Law Art.81). `started_on` stays the generation date printed on the label.
ALTER TABLE containers ADD COLUMN clock_started_on TEXT;
UPDATE containers SET clock_started_on = started_on;
UPDATE containers SET clock_started_on = (
    SELECT substr(p.picked_at, 1, 10) FROM pickup_lines l JOIN pickups p ON p.id = l.pickup_id
    WHERE l.container_id = containers.id
) WHERE status = 'picked_up';
CREATE INDEX containers_custodian_clock ON containers(custodian_id, status, clock_started_on, id);
