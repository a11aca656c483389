-- PostgreSQL twin of migrations/sqlite/20261205000001_step_run_minutes.sql.
-- The working minutes a completed step run took, counted on the unit's calendar when it is
-- completed, so the dashboard sums stored numbers instead of walking the calendar for every
-- run of every training on each request. Rows completed before this column existed are filled
-- in once at start (Store::connect).
ALTER TABLE step_runs ADD COLUMN working_minutes BIGINT;
