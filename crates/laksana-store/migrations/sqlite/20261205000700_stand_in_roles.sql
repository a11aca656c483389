-- The role a Plt/Plh appointment gives its official's account for the appointment's days is
-- tagged with the appointment, so cancelling it, or linking the official to another account,
-- moves exactly that grant and never one an administrator made by hand.
ALTER TABLE user_roles ADD COLUMN appointment_id INTEGER REFERENCES appointments(id);
CREATE INDEX ix_user_roles_appointment ON user_roles(appointment_id) WHERE appointment_id IS NOT NULL;
