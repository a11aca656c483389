-- PostgreSQL twin of migrations/sqlite/20261204000060_dashboard_and_overdue.sql.
-- The dashboard and the overdue notices (issue 6, sections 6 and 7).

-- Where a holder of a late step is told by e-mail; empty means "no e-mail, in the app only".
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- The two notices are the unit's to switch off; both are on unless an administrator says no.
ALTER TABLE units ADD COLUMN notify_overdue BIGINT NOT NULL DEFAULT 1;
ALTER TABLE units ADD COLUMN notify_escalation BIGINT NOT NULL DEFAULT 1;

-- The dashboard filters a unit's trainings by the year of their start and reads their step
-- runs by training; the overdue sweep reads the active runs by due time.
CREATE INDEX ix_trainings_unit_start ON trainings(unit_id, start_date);
CREATE INDEX ix_step_runs_active_due ON step_runs(status, due_at);
-- The first reply of each invited Kabupaten/Kota, for "answered on time".
CREATE INDEX ix_replies_recipient ON replies(recipient_id, received_at);
